// Log ingest: 512-record OTLP/HTTP protobuf bodies (the official serializer, records with 5
// attributes and trace context) posted over keep-alive connections by a load process (this file,
// forked with --load) to a collector in this process; prints records/s stored, the JSON.parse rate of the same records as JSON (the reference,
// measured in the same run) and heap bytes per stored record. Goals (issue 16): ≥ 100,000
// records/s; ≤ 400 B per record. Run: npm run bench:logs (node --expose-gc for the heap figure).
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { Collector } from '../../src/collector';

const asJson = process.argv.includes('--json');
const PER_BODY = 512;
const log = (m: string): void => {
  if (!asJson) process.stderr.write(m + '\n');
};

function bodies(count: number): { proto: Buffer[]; json: string[] } {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs-bench' }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('bench', '1.0.0');
  const proto: Buffer[] = [];
  const json: string[] = [];
  for (let b = 0; b < count; b++) {
    memory.reset();
    for (let i = 0; i < PER_BODY; i++) {
      const n = b * PER_BODY + i;
      const ctx = trace.setSpanContext(context.active(), { traceId: (n >> 4).toString(16).padStart(32, 'a'), spanId: n.toString(16).padStart(16, 'b'), traceFlags: TraceFlags.SAMPLED });
      logger.emit({ context: ctx, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `request ${n} handled`, attributes: { 'http.method': 'GET', 'http.route': '/orders/:id', 'http.status_code': 200, 'user.id': `u${n % 1000}`, 'duration.ms': n % 97 } });
    }
    const records = memory.getFinishedLogRecords();
    proto.push(Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!));
    json.push(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records)!));
  }
  return { proto, json };
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const count = 400;
  const { proto, json } = bodies(count);
  // Reference: JSON.parse of the same records, in this process, in this run.
  const t = performance.now();
  let parsed = 0;
  for (let round = 0; round < 2; round++) for (const j of json) parsed += (JSON.parse(j) as { resourceLogs: unknown[] }).resourceLogs.length > 0 ? PER_BODY : 0;
  const parsePerSec = parsed / ((performance.now() - t) / 1000);

  const collector = new Collector({ decodeThreads: 0, maxBytes: 1024 * 1024 * 1024 });
  const { endpoint } = await collector.start();
  gc?.();
  gc?.();
  const mem0 = process.memoryUsage();
  const child = fork(__filename, ['--load', endpoint, String(count)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load exited with ${code}`)))));
  const elapsed = (JSON.parse(out) as { elapsedMs: number }).elapsedMs;
  const stats = collector.logs.stats();
  const stored = stats.records;
  gc?.();
  gc?.();
  const mem1 = process.memoryUsage();
  // Heap and the request buffers the records keep (protobuf records are decoded on reading).
  const heapPerRecord = gc ? (mem1.heapUsed - mem0.heapUsed) / stored : NaN;
  const bufferPerRecord = gc ? (mem1.arrayBuffers - mem0.arrayBuffers) / stored : NaN;
  await collector.stop();
  const perSec = stored / (elapsed / 1000);
  const result = {
    records: stored,
    recordsPerSec: Math.round(perSec),
    jsonParseRecordsPerSec: Math.round(parsePerSec),
    ratioToJsonParse: Number((perSec / parsePerSec).toFixed(2)),
    heapBytesPerRecord: Math.round(heapPerRecord),
    bufferBytesPerRecord: Math.round(bufferPerRecord),
    memoryBytesPerRecord: Math.round(heapPerRecord + bufferPerRecord),
    budgetBytesPerRecord: Math.round(stats.bytes / stored),
    bytesPerRecordOnTheWire: Math.round(proto.reduce((n, b) => n + b.length, 0) / stored),
  };
  if (asJson) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    log(`log ingest (HTTP protobuf, ${stored.toLocaleString('en')} records × 5 attributes): ${result.recordsPerSec.toLocaleString('en')} records/s (goal ≥ 100,000); ${result.ratioToJsonParse}× JSON.parse of the same records (${result.jsonParseRecordsPerSec.toLocaleString('en')}/s)`);
    log(`memory per stored record: ${result.memoryBytesPerRecord} B (${result.heapBytesPerRecord} B heap + ${result.bufferBytesPerRecord} B of request buffers kept; goal ≤ 400 B); the store's own estimate ${result.budgetBytesPerRecord} B; ${result.bytesPerRecordOnTheWire} B on the wire`);
  }
}

/** The load process: makes its bodies, waits a moment, posts them 4 at a time, prints the time taken. */
async function load(endpoint: string, count: number): Promise<void> {
  const { proto } = bodies(count);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const post = (body: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(`${endpoint}/v1/logs`, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < proto.length) {
      const status = await post(proto[next++]!);
      if (status !== 200) throw new Error(`HTTP ${status}`);
    }
  };
  const t = performance.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  const elapsedMs = performance.now() - t;
  agent.destroy();
  process.stdout.write(JSON.stringify({ elapsedMs }) + '\n');
}

const loadAt = process.argv.indexOf('--load');
(loadAt >= 0 ? load(process.argv[loadAt + 1]!, Number(process.argv[loadAt + 2])) : main()).catch((e: unknown) => {
  process.stderr.write(`logsBench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
