// Collector benchmark: a separate load process sends 512-span batches (real OTel JSON and protobuf
// serializers) over keep-alive connections to a collector in its own process. Prints spans/s
// stored, the JSON.parse rate of the same bodies (its own process, before and after the JSON
// ingest), ratios, latency p50/p99 and heap bytes
// per stored span at 1M spans. `--json` prints one JSON object. Run: npm run bench:collector
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SPANS_PER_BODY } from './collector/bodies';
import type { StoreStats } from '../../src/protocol/collectorTypes';
import type { ThreadCpuMs } from './collector/threadCpu';

const asJson = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
/** `--decode-threads=N`: the collector's decode workers (default: the collector's own default). */
const threadsArg = process.argv.find((a) => a.startsWith('--decode-threads='));
const decodeThreads = threadsArg ? Number(threadsArg.split('=')[1]) : undefined;
/** `--protobuf-on-workers`: every protobuf body decoded on the workers (the extension's setting), not in place first. */
const protobufOnWorkers = process.argv.includes('--protobuf-on-workers') ? true : undefined;
const log = (m: string): void => {
  if (!asJson) process.stderr.write(m + '\n');
};

interface LoadResult {
  sentSpans: number;
  measuredSpans: number;
  elapsedMs: number;
  spansPerSec: number;
  bytesPerSpan: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}
interface ServerStats {
  stats: StoreStats;
  heapUsed: number;
  /** Bytes of ArrayBuffers (outside the heap) and of the span chunks' columns (pages V8 maps itself). */
  arrayBuffers: number;
  baseHeap: number;
}

function startServer(options: object, gc: boolean): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = fork(join(__dirname, 'collector', 'server.js'), [JSON.stringify(options)], {
    execArgv: gc ? ['--expose-gc', '--max-old-space-size=8192'] : ['--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { type: string; endpoint: string }) => resolve({ child, endpoint: m.endpoint }));
    child.once('exit', (code) => reject(new Error(`collector process exited with ${code}`)));
  });
}

function serverStats(child: ChildProcess, gc: boolean): Promise<ServerStats> {
  return new Promise((resolve) => {
    child.once('message', (m: ServerStats) => resolve(m));
    child.send({ type: 'stats', gc });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send({ type: 'stop' });
  });
}

interface ServerCpu {
  ms: number;
  threads?: ThreadCpuMs;
}

function serverCpu(child: ChildProcess): Promise<ServerCpu> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: NodeJS.CpuUsage; threads?: ThreadCpuMs }) => resolve({ ms: (m.cpu.user + m.cpu.system) / 1000, threads: m.threads }));
    child.send({ type: 'cpu' });
  });
}

/** The collector's CPU µs per span over the timed part, by thread group (see collector/threadCpu.ts). */
interface ThreadsPerSpan {
  storing: number;
  workers: number;
  other: number;
}

function threadsPerSpan(a: ThreadCpuMs | undefined, b: ThreadCpuMs | undefined, spans: number): ThreadsPerSpan | undefined {
  if (!a || !b) return undefined;
  const us = (x: number, y: number): number => ((y - x) * 1000) / spans;
  return { storing: us(a.main, b.main), workers: us(a.started, b.started), other: us(a.other, b.other) };
}

/** The report's row for the collector's CPU per span by thread group (none where /proc is not readable). */
function threadRows(what: string, t: ThreadsPerSpan | undefined): [string, string, string][] {
  if (!t) return [];
  const total = t.storing + t.workers + t.other;
  return [[`collector CPU per ${what} span`, `${total.toFixed(2)} µs`, `storing thread ${t.storing.toFixed(2)}, decode workers ${t.workers.toFixed(2)}, V8's and Node's other threads ${t.other.toFixed(2)} (same round)`]];
}

/** Runs the load process; `server` gets its CPU time measured over the timed part (after warm-up). */
function runLoad(options: object, server?: ChildProcess): Promise<LoadResult & { serverCpuMs: number; threads?: ThreadsPerSpan }> {
  const child = fork(join(__dirname, 'collector', 'load.js'), [JSON.stringify(options)], {
    execArgv: ['--max-old-space-size=8192'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  let cpu0: ServerCpu = { ms: 0 };
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.on('message', () => {
    void (server ? serverCpu(server) : Promise.resolve<ServerCpu>({ ms: 0 })).then((c) => {
      cpu0 = c;
      child.send({ type: 'go' });
    });
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load process exited with ${code}`));
      void (server ? serverCpu(server) : Promise.resolve<ServerCpu>({ ms: 0 })).then((c) => {
        const load = JSON.parse(out) as LoadResult;
        resolve({ ...load, serverCpuMs: c.ms - cpu0.ms, threads: threadsPerSpan(cpu0.threads, c.threads, load.measuredSpans) });
      });
    });
  });
}

interface Ceiling {
  spansPerSec: number;
  fromBytesSpansPerSec: number;
  spansPerCpuSec: number;
}

/**
 * JSON.parse throughput of the same bodies, per second of wall time and of CPU time, measured in a
 * fresh process (parseCeiling.ts) as the collector runs in one, as the median of three 0.7 s
 * windows: measured once for 2 s, in this long-lived process or a fresh one, it swung by up to 40%
 * between two measurements a minute apart.
 */
function jsonParseCeiling(): Promise<Ceiling> {
  const child = fork(join(__dirname, 'collector', 'parseCeiling.js'), [String(quick ? 300 : 700), quick ? '1' : '3'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Ceiling) : reject(new Error(`parseCeiling exited with ${code}`))));
  });
}

function meanCeiling(a: Ceiling, b: Ceiling): Ceiling {
  return {
    spansPerSec: (a.spansPerSec + b.spansPerSec) / 2,
    fromBytesSpansPerSec: (a.fromBytesSpansPerSec + b.fromBytesSpansPerSec) / 2,
    spansPerCpuSec: (a.spansPerCpuSec + b.spansPerCpuSec) / 2,
  };
}

async function ingestPhase(format: 'json' | 'proto', requests: number): Promise<LoadResult & { stored: number; lost: number; spansPerCpuSec: number; threads?: ThreadsPerSpan }> {
  const warmup = 40;
  // No RSS sampler in the collector process (see server.ts): this bench reads only its rates and heap.
  const { child, endpoint } = await startServer({ maxSpans: 2_000_000, maxTraces: 100_000, decodeThreads, protobufOnWorkers, sampleMemory: false }, false);
  try {
    const load = await runLoad({ endpoint, format, requests, warmup, concurrency: 4, templates: 8 }, child);
    const { stats } = await serverStats(child, false);
    return { ...load, stored: stats.spans, lost: load.sentSpans - stats.spans, spansPerCpuSec: load.measuredSpans / (load.serverCpuMs / 1000) };
  } finally {
    await stopServer(child);
  }
}

async function heapPhase(spans: number): Promise<{ spans: number; bytesPerSpan: number; heapOnlyPerSpan: number; heapMB: number }> {
  const requests = Math.ceil(spans / SPANS_PER_BODY);
  const { child, endpoint } = await startServer({ maxSpans: requests * SPANS_PER_BODY + 1, maxTraces: requests + 1, decodeThreads, sampleMemory: false }, true);
  try {
    const before = await serverStats(child, true);
    // Sent in slices so that the load process does not hold every body at once.
    const slice = 500;
    for (let done = 0; done < requests; done += slice) {
      await runLoad({ endpoint, format: 'proto', requests: Math.min(slice, requests - done), warmup: 0, concurrency: 4, templates: 8, offset: 1_000_000 + done });
    }
    const after = await serverStats(child, true);
    // The stored form is partly typed arrays (span chunks' columns, time words), whose bytes are
    // ArrayBuffers outside V8's heap: counted with the heap, or the figure would flatter them.
    const n = after.stats.spans;
    const heapOnly = (after.heapUsed - before.heapUsed) / n;
    return { spans: n, bytesPerSpan: heapOnly + (after.arrayBuffers - before.arrayBuffers) / n, heapOnlyPerSpan: heapOnly, heapMB: after.heapUsed / 1048576 };
  } finally {
    await stopServer(child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The round whose JSON ratio is the median one (rounds interleave reference and ingest). */
interface Round {
  ceiling: Ceiling;
  json: Awaited<ReturnType<typeof ingestPhase>>;
  proto: Awaited<ReturnType<typeof ingestPhase>>;
}

async function main(): Promise<void> {
  const requests = quick ? 100 : 600;
  // This machine's speed drifts by tens of percent over a minute: each round measures the
  // reference and both ingests back to back, and the figures are those of the median round.
  const roundCount = quick ? 1 : 3;
  const rounds: Round[] = [];
  for (let r = 1; r <= roundCount; r++) {
    log(`round ${r}/${roundCount}: measuring JSON.parse of the same bodies…`);
    const before = await jsonParseCeiling();
    log(`round ${r}/${roundCount}: ingesting ${requests * SPANS_PER_BODY} spans as OTLP/JSON…`);
    const json = await ingestPhase('json', requests);
    // The reference is measured right before and right after the JSON ingest, and averaged: this
    // machine's speed drifts, and a reference taken on one side only can land on a fast or slow spell.
    const after = await jsonParseCeiling();
    const ceiling = meanCeiling(before, after);
    log(`  JSON.parse ${Math.round(before.spansPerSec)} before, ${Math.round(after.spansPerSec)} after`);
    log(`round ${r}/${roundCount}: ingesting ${requests * SPANS_PER_BODY} spans as OTLP/protobuf…`);
    const proto = await ingestPhase('proto', requests);
    rounds.push({ ceiling, json, proto });
    log(`  JSON ${(json.spansPerSec / ceiling.spansPerSec).toFixed(2)}× JSON.parse, protobuf ${(proto.spansPerSec / json.spansPerSec).toFixed(2)}× JSON`);
  }
  const jsonRatios = rounds.map((r) => r.json.spansPerSec / r.ceiling.spansPerSec);
  const mid = rounds[jsonRatios.indexOf(median(jsonRatios))]!;
  const { ceiling, json } = mid;
  const protoRatios = rounds.map((r) => r.proto.spansPerSec / r.json.spansPerSec);
  const proto = rounds[protoRatios.indexOf(median(protoRatios))]!.proto;
  const protoJson = rounds[protoRatios.indexOf(median(protoRatios))]!.json;
  const heapSpans = quick ? 100_000 : 1_000_000;
  log(`storing ${heapSpans} spans to measure heap per span…`);
  const heap = await heapPhase(heapSpans);
  const loadAvg = (await import('node:os')).loadavg()[0]!;
  const result = {
    loadAverage: loadAvg,
    jsonParseSpansPerSec: Math.round(ceiling.spansPerSec),
    jsonParseFromBytesSpansPerSec: Math.round(ceiling.fromBytesSpansPerSec),
    jsonParseSpansPerCpuSec: Math.round(ceiling.spansPerCpuSec),
    json: { spansPerSec: Math.round(json.spansPerSec), spansPerCpuSec: Math.round(json.spansPerCpuSec), threadsUsPerSpan: json.threads, bytesPerSpan: Math.round(json.bytesPerSpan), p50Ms: json.p50Ms, p99Ms: json.p99Ms, stored: json.stored, lost: json.lost, statuses: json.statuses },
    proto: { spansPerSec: Math.round(proto.spansPerSec), spansPerCpuSec: Math.round(proto.spansPerCpuSec), threadsUsPerSpan: proto.threads, bytesPerSpan: Math.round(proto.bytesPerSpan), p50Ms: proto.p50Ms, p99Ms: proto.p99Ms, stored: proto.stored, lost: proto.lost, statuses: proto.statuses },
    jsonVsJsonParse: json.spansPerSec / ceiling.spansPerSec,
    protoVsJson: proto.spansPerSec / protoJson.spansPerSec,
    rounds: rounds.map((r) => ({ jsonParseSpansPerSec: Math.round(r.ceiling.spansPerSec), jsonSpansPerSec: Math.round(r.json.spansPerSec), protoSpansPerSec: Math.round(r.proto.spansPerSec) })),
    /** The same ratios per CPU second of the collector process: steadier on a busy machine. */
    jsonVsJsonParseCpu: json.spansPerCpuSec / ceiling.spansPerCpuSec,
    protoVsJsonCpu: proto.spansPerCpuSec / protoJson.spansPerCpuSec,
    heap,
    goals: {
      jsonVsJsonParse: json.spansPerSec / ceiling.spansPerSec >= 0.9,
      protoVsJson: proto.spansPerSec / protoJson.spansPerSec >= 1.6,
      bytesPerSpan: heap.bytesPerSpan <= 450,
      nothingLost: rounds.every((r) => r.json.lost === 0 && r.proto.lost === 0) && heap.spans === Math.ceil(heapSpans / SPANS_PER_BODY) * SPANS_PER_BODY,
    },
  };
  if (asJson) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const f = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lost = rounds.reduce((n, r) => n + r.json.lost + r.proto.lost, 0);
  const stored = rounds.reduce((n, r) => n + r.json.stored + r.proto.stored, 0);
  const sent = rounds.reduce((n, r) => n + r.json.sentSpans + r.proto.sentSpans, 0);
  const rows: [string, string, string][] = [
    ['JSON.parse of the same bodies (own process)', `${f(ceiling.spansPerSec)} spans/s`, `reference (${f(ceiling.spansPerCpuSec)} per CPU-s; ${f(ceiling.fromBytesSpansPerSec)} spans/s parsing from the body's bytes)`],
    ['OTLP/JSON ingest (HTTP, keep-alive, 4 conns)', `${f(json.spansPerSec)} spans/s`, `${result.jsonVsJsonParse.toFixed(2)}× JSON.parse (goal ≥ 0.9); per CPU-s ${f(json.spansPerCpuSec)}: ${result.jsonVsJsonParseCpu.toFixed(2)}×`],
    ['OTLP/protobuf ingest', `${f(proto.spansPerSec)} spans/s`, `${result.protoVsJson.toFixed(2)}× JSON ingest of its round (goal ≥ 1.6); per CPU-s ${f(proto.spansPerCpuSec)}: ${result.protoVsJsonCpu.toFixed(2)}×`],
    ...threadRows('OTLP/JSON', json.threads),
    ...threadRows('OTLP/protobuf', proto.threads),
    ['JSON request latency p50 / p99 (512 spans)', `${json.p50Ms.toFixed(1)} / ${json.p99Ms.toFixed(1)} ms`, `${f(json.bytesPerSpan)} B/span on the wire`],
    ['protobuf request latency p50 / p99', `${proto.p50Ms.toFixed(1)} / ${proto.p99Ms.toFixed(1)} ms`, `${f(proto.bytesPerSpan)} B/span on the wire`],
    [`heap per stored span at ${f(heap.spans)} spans`, `${f(heap.bytesPerSpan)} B`, `goal ≤ 450 B (V8 heap ${f(heap.heapOnlyPerSpan)} B + array buffers; heap ${f(heap.heapMB)} MB)`],
    ['spans lost below bounds (all rounds)', `${lost}`, `stored ${f(stored)} of ${f(sent)} sent`],
    ['rounds (JSON.parse / JSON / protobuf spans/s)', `${rounds.length}`, rounds.map((r) => `${f(r.ceiling.spansPerSec)} / ${f(r.json.spansPerSec)} / ${f(r.proto.spansPerSec)}`).join('; ') + ' (median round shown)'],
    ['machine load average (1 min) at the end', loadAvg.toFixed(1), '2 cores: figures are only comparable when this is low'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`).join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
