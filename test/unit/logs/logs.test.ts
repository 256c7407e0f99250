import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogView } from '../../../src/collector/logs/logRecord';
import { LogStore } from '../../../src/collector/logs/logStore';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { decodeOtlpLogsJson, decodeOtlpLogsProto } from '../../../src/collector/logs/otlpLogsDecoder';
import { httpRequest, withCollector } from '../collector/helpers';
import { fixture } from '../imports/helpers';
import { len, str } from '../collector/protoWriter';
import { runNode } from '../nodeProcess';

async function emitLogs(exporter: LogRecordExporter, endpoint: string): Promise<{ traceId: string; spanId: string }> {
  const tracer = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs-interop' }), spanProcessors: [new SimpleSpanProcessor(new ProtoTraceExporter({ url: `${endpoint}/v1/traces` }))] });
  const loggers = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs-interop' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = loggers.getLogger('app-log', '2.0.0');
  const span = tracer.getTracer('t').startSpan('handle order');
  // No context manager is registered in this process: the span's context is passed explicitly.
  const ctx = trace.setSpan(context.active(), span);
  // Times apart by 5 ms: each record is its own request (SimpleLogRecordProcessor), so they may arrive
  // in either order, and records are read back in time order (ties kept in order of arrival).
  const t0 = Date.now();
  logger.emit({ context: ctx, timestamp: t0, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order received', attributes: { 'order.id': 42, 'order.vip': true, region: 'eu', ratio: 0.5, tags: ['a', 'b'] } });
  logger.emit({ context: ctx, timestamp: t0 + 5, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: { reason: 'card declined', code: 51 } });
  logger.emit({ severityNumber: SeverityNumber.WARN, body: 'no trace here' });
  span.end();
  await loggers.forceFlush();
  await tracer.forceFlush();
  await loggers.shutdown();
  await tracer.shutdown();
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

for (const [name, make] of [
  ['exporter-logs-otlp-http (JSON)', (endpoint: string) => new JsonLogExporter({ url: `${endpoint}/v1/logs` })],
  ['exporter-logs-otlp-proto (protobuf, gzip)', (endpoint: string) => new ProtoLogExporter({ url: `${endpoint}/v1/logs`, compression: 'gzip' as never })],
] as const) {
  test(`logs: the official ${name} — records stored, joined to their span, read back by trace id`, async () => {
    await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
      const { traceId, spanId } = await emitLogs(make(endpoint), endpoint);
      const res = await httpRequest(endpoint, `/api/traces/${traceId}/logs`);
      assert.equal(res.status, 200);
      const logs = JSON.parse(res.text) as LogView[];
      assert.deepEqual(
        logs.map((l) => [l.severityText, l.severityNumber, l.body, l.spanId, l.serviceName, l.scopeName]),
        [
          ['INFO', 9, 'order received', spanId, 'logs-interop', 'app-log'],
          ['ERROR', 17, '{"reason": "card declined", "code": 51}', spanId, 'logs-interop', 'app-log'],
        ],
      );
      assert.deepEqual(logs[0]!.attributes, { 'order.id': 42, 'order.vip': true, region: 'eu', ratio: 0.5, tags: ['a', 'b'] });
      assert.ok(logs[0]!.timeMs > 1.6e12);
      assert.equal(c.store.trace(traceId)[0]?.spanId, spanId, 'the span is there to join with');
      const untraced = JSON.parse((await httpRequest(endpoint, '/api/logs?service=logs-interop')).text) as LogView[];
      assert.deepEqual(untraced.map((l) => [l.body, l.severityNumber, l.traceId]), [['no trace here', 13, undefined]]);
      assert.equal(c.logs.stats().acceptedRecords, 3);
    });
  });
}

test('logs over HTTP: the proto example decodes, garbage is 400 and stores nothing, invalid records are partialSuccess, limits hold', async () => {
  await withCollector({ decodeThreads: 0, maxBodyBytes: 4096 }, async (c, endpoint) => {
    const post = (path: string, body: Buffer | string, type = 'application/json', headers: Record<string, string> = {}) => httpRequest(endpoint, path, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
    const example = fixture('otelcol-file-exporter.jsonl').split('\n')[1]!;
    let r = await post('/v1/logs', gzipSync(example), 'application/json', { 'content-encoding': 'gzip' });
    assert.equal(r.status, 200, r.text);
    const [log] = JSON.parse((await httpRequest(endpoint, '/api/traces/5b8efff798038103d269b633813fc60c/logs')).text) as LogView[];
    assert.equal(log?.body, 'Example log record');
    assert.equal(log?.spanId, 'eee19b7ec3c1b174');
    assert.deepEqual(log?.attributes['map.attribute'], { kind: 'kvlist', keys: ['some.map.key'], values: ['some value'] });
    r = await post('/v1/logs', '{"resourceLogs": 7}');
    assert.equal(r.status, 400);
    r = await post('/v1/logs', Buffer.from([0x0a, 0x09, 0x12]), 'application/x-protobuf');
    assert.equal(r.status, 400);
    // A well-formed record whose attribute's array value claims more bytes than it has: the whole
    // request is refused at once (bodies and attributes are only decoded when read, but checked now).
    const badValue = len(5, len(1, [0x0a, 0x05, 0x61]));
    const record = [...len(3, Buffer.from('INFO')), ...len(6, [...str(1, 'k'), ...len(2, badValue)])];
    r = await post('/v1/logs', Buffer.from(len(1, len(2, len(2, record)))), 'application/x-protobuf');
    assert.equal(r.status, 400, r.text);
    r = await post('/v1/logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok' } }, { traceId: 'xyz' }] }] }] }));
    assert.equal(r.status, 200);
    assert.match(r.text, /"rejectedLogRecords":"1"/);
    r = await post('/v1/logs', 'x'.repeat(5000));
    assert.equal(r.status, 413);
    assert.equal(c.logs.stats().records, 2);
    r = await post('/v1/metrics', Buffer.alloc(0), 'application/x-protobuf');
    assert.equal(r.status, 200);
    assert.equal((await httpRequest(endpoint, '/v1/logs')).status, 405);
  });
});

test('the log store stays within its byte budget, oldest first, and forgets evicted records by trace', () => {
  const store = new LogStore({ maxBytes: 64 * 1024 });
  const ctx = new DecodeContext();
  const T = 'ab'.repeat(16);
  const batch = (n: number, traceId: string) =>
    decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => ({ timeUnixNano: String(1.7e18 + i), traceId, body: { stringValue: `line ${i} `.repeat(5) }, attributes: [{ key: 'i', value: { intValue: i } }] })) }] }] }, ctx);
  store.add(batch(100, T).records);
  assert.equal(store.forTrace(T).length, 100);
  for (let k = 0; k < 50; k++) store.add(batch(100, '').records);
  const s = store.stats();
  assert.ok(s.bytes <= s.maxBytes, `${s.bytes} ≤ ${s.maxBytes}`);
  assert.ok(s.evictedRecords > 100);
  assert.deepEqual(store.forTrace(T), [], 'the traced records were the oldest');
  assert.ok(store.withoutTrace(undefined, 10).length === 10);
});

test('a protobuf record holds its request buffer, and the budget counts the whole buffer', () => {
  // One small record beside a 50 kB resource attribute: the record keeps those 50 kB alive.
  const resource = len(1, len(1, [...str(1, 'blob'), ...len(2, str(1, 'x'.repeat(50_000)))]));
  const body = Buffer.from(len(1, [...resource, ...len(2, len(2, [...len(3, Buffer.from('INFO'))]))]));
  const decoded = decodeOtlpLogsProto(body, new DecodeContext());
  const store = new LogStore({ maxBytes: 1024 * 1024 });
  store.add(decoded.records);
  assert.ok(store.stats().bytes >= body.length, `${store.stats().bytes} ≥ ${body.length}`);
});

test('instrument-first show <trace> --logs prints the trace with its log records under it', async () => {
  const { resolve } = await import('node:path');
  await withCollector({ decodeThreads: 0 }, async (_c, endpoint) => {
    const { traceId } = await emitLogs(new ProtoLogExporter({ url: `${endpoint}/v1/logs` }), endpoint);
    const out = await runNode([resolve('dist/cli.js'), 'show', traceId, '--logs', '--collector', endpoint], { env: { NO_COLOR: '1' } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /handle order/);
    assert.match(out.stdout, /logs \(2\):\n +\+[\d.]+ ms {2}INFO  \[handle order\] order received {2}order\.id=42 order\.vip=true region=eu ratio=0\.5 tags=\["a","b"\]\n +\+[\d.]+ ms {2}ERROR \[handle order\] \{"reason": "card declined", "code": 51\}/);
  });
});

test("a trace's logs are read in time order, and a limit decodes only the earliest", () => {
  const store = new LogStore({ maxBytes: 1024 * 1024 });
  const T = 'cd'.repeat(16);
  // Sent newest first: the order of arrival is not the order of time.
  const records = Array.from({ length: 20 }, (_, i) => ({ timeUnixNano: String(1.7e18 + (20 - i) * 1e6), traceId: T, body: { stringValue: `at ${20 - i}` } }));
  store.add(decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }, new DecodeContext()).records);
  assert.equal(store.countForTrace(T), 20);
  assert.deepEqual(store.forTrace(T, 3).map((l) => l.body), ['at 1', 'at 2', 'at 3']);
  assert.deepEqual(store.forTrace(T).map((l) => l.body), Array.from({ length: 20 }, (_, i) => `at ${i + 1}`));
  assert.equal(store.countForTrace('ef'.repeat(16)), 0);
  assert.equal(store.countForTrace('not hex'), 0);
});
