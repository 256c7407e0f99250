// Memory benchmark: the collector's budget in bytes under load, and what the figures rest on.
//  1. The fixed cost of a stored span (RECORD_OVERHEAD in storedBytes.ts): heap and ArrayBuffers
//     after storing 200,000 spans without attributes, minus what spanBytes counts for their fields, per span;
//     and counted against measured bytes for spans like the runtime's (10 attributes).
//  2. 1 GiB of spans with 64 KiB attributes (OTLP/JSON, 16 spans a body, 2 bodies at a time) sent
//     to a collector with the extension's settings (256 MiB budget, one decode worker for small
//     bodies and one for large ones, protobuf on workers, V8's own heap growth: collectorHost.ts
//     leaves it alone), while a second sender posts
//     small 512-span protobuf bodies one after another (the big bodies' 64 KiB values are moved
//     out by the large bodies' decode worker and kept by the store as they are: ingest/largeValues.ts;
//     the budget tells V8 of the small spans it evicts: store/heapGarbage.ts): peak RSS against budget + 150 MiB (and
//     where it is, by kind of mapping from /proc/self/smaps near the peak and after the small-span
//     phase: malloc arenas, V8 pages, malloc's own mmaps, code — collector/memoryMap.ts),
//     event-loop delay of the collector's thread, and the small spans' rate against their rate
//     alone in the same run (goal ≥ 0.8×; the collector's CPU in both phases is printed beside it).
//     MEMORY_BENCH_HEAP_GROWTH=limited runs it as the standalone collector does (heapGrowth.ts).
// (The timeline batch of a stored trace, the issue's other figure, is bench:batch: the path the
// panel takes, from the store's records.)
// Loopback only, stops by itself. `--json` prints one JSON object. Run: npm run bench:memory
// (`--overhead` runs only phase 1; `--series` also prints a memory timeline every 500 ms: RSS by
// kind of mapping beside what the budget holds on and off the heap — its reads of /proc cost the
// collector's thread a few ms each, so the event-loop figure of such a run is not the one of record.)
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { makeTemplates, protoBody, SPANS_PER_BODY } from './collector/bodies';
import { SpanStore } from '../../src/collector/store/spanStore';
import { RECORD_OVERHEAD } from '../../src/collector/store/storedBytes';
import { LARGE_TEXT_OVERHEAD, LargeText, ownBytes } from '../../src/collector/store/largeText';
import { SLAB_VALUE_OVERHEAD, TextSlabs } from '../../src/collector/store/textSlabs';
import { sampleLine, type MemoryMap, type MemorySample } from './collector/memoryMap';
import type { StoreStats } from '../../src/protocol/collectorTypes';
import { importOtlpJson } from '../../src/collector/ingest/otlpJsonDecoder';

const asJson = process.argv.includes('--json');
const log = (m: string): void => {
  if (!asJson) process.stderr.write(m + '\n');
};
const MiB = 1024 * 1024;
const BUDGET = 256 * MiB;
const BIG_TOTAL = 1024 * MiB;
const BIG_ATTR = 64 * 1024;
const BIG_SPANS_PER_BODY = 16;
const SMALL_ALONE_MS = 5000;
const T0 = 1_763_000_000_000;

const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0');

/** An OTLP/JSON body of `spans` spans in one trace, each with `attrs` attributes (one of `bigAttr` characters, when given). */
function jsonBody(trace: number, spans: number, attrs: number, bigAttr = 0, firstSpan = 1, repeatValues = false): string {
  const big = bigAttr > 0 ? 'x'.repeat(bigAttr) : '';
  const list: string[] = [];
  for (let i = 0; i < spans; i++) {
    const id = firstSpan + i;
    const attributes: string[] = [];
    // Unique per span and trace: values that repeat would be interned and cost nothing per span.
    for (let a = 0; a < attrs; a++) attributes.push(`{"key":"attr.${a}","value":{"stringValue":"value ${a} of span ${repeatValues ? id % 20 : `${trace}.${id}`}"}}`);
    if (big) attributes.push(`{"key":"http.response.body","value":{"stringValue":"${id}${big}"}}`);
    const parent = id > 1 ? `,"parentSpanId":"${hex(id - 1 > 0 ? Math.max(1, Math.floor(id / 4)) : 0, 16)}"` : '';
    list.push(
      `{"traceId":"${hex(trace, 32)}","spanId":"${hex(id, 16)}"${parent},"name":"span ${id % 50}","kind":1,"startTimeUnixNano":"${(T0 + id) * 1e6}","endTimeUnixNano":"${(T0 + id + 1) * 1e6}","attributes":[${attributes.join(',')}],"status":{"code":0}}`,
    );
  }
  return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[${list.join(',')}]}]}]}`;
}

/** Phase 1, in a process with --expose-gc. */
function overhead(): object {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  // What a large value held off the heap costs beyond its bytes (LARGE_TEXT_OVERHEAD):
  // RSS after making 20,000 of 16 KiB, minus their bytes, per value.
  const largeText = (): number => {
    gc();
    const before = process.memoryUsage.rss();
    // One string, stored 20,000 times: each a Buffer of its own (no transient strings in the heap).
    const s = 'x'.repeat(16 * 1024);
    const kept = Array.from({ length: 20_000 }, () => new LargeText(ownBytes(s), -1));
    gc();
    const per = (process.memoryUsage.rss() - before) / kept.length - 16 * 1024;
    return Math.round(per);
  };
  // A value kept in slabs (SLAB_VALUE_OVERHEAD): heap after making 20,000 of 16 KiB, per value (the
  // slabs' bytes are what TextSlabs counts: 16 KiB is a multiple of 8, so they hold only the values).
  const slabValue = (): number => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const s = 'x'.repeat(16 * 1024);
    const slabs = new TextSlabs();
    const kept = Array.from({ length: 20_000 }, () => slabs.toStored(s));
    gc();
    return Math.round((process.memoryUsage().heapUsed - before) / kept.length);
  };
  // In this order: the first measure's memory, freed, would come back to the OS during the second's.
  const largeTextMeasured = largeText();
  const slabValueMeasured = slabValue();
  const measure = (attrs: number, spans: number): { heapPerSpan: number; countedPerSpan: number } => {
    const store = new SpanStore({ maxBytes: 64 * 1024 * MiB, maxSpans: 10_000_000, maxTraces: 1_000_000 });
    const perTrace = 200;
    gc();
    gc();
    // The heap and ArrayBuffers (the span chunks' columns are typed arrays, outside V8's heap).
    const held = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers + store.chunkColumnBytes;
    };
    const before = held();
    // Each body made, stored and dropped: after the GC only the store remains.
    for (let t = 0; t < spans / perTrace; t++) importOtlpJson(store, jsonBody(t + 1, perTrace, attrs));
    gc();
    gc();
    const heap = held() - before;
    const counted = store.stats().bytes;
    const n = store.stats().spans;
    store.dispose();
    return { heapPerSpan: heap / n, countedPerSpan: counted / n };
  };
  const empty = measure(0, 200_000);
  const typical = measure(10, 100_000);
  return {
    largeTextOverheadConstant: LARGE_TEXT_OVERHEAD,
    largeTextOverheadMeasured: largeTextMeasured,
    slabValueOverheadConstant: SLAB_VALUE_OVERHEAD,
    slabValueOverheadMeasured: slabValueMeasured,
    recordOverheadConstant: RECORD_OVERHEAD,
    // What the constant should be: measured heap per span minus what is counted beyond the constant.
    measuredOverhead: Math.round(empty.heapPerSpan - (empty.countedPerSpan - RECORD_OVERHEAD)),
    emptySpans: { heapPerSpan: Math.round(empty.heapPerSpan), countedPerSpan: Math.round(empty.countedPerSpan) },
    tenAttributeSpans: { heapPerSpan: Math.round(typical.heapPerSpan), countedPerSpan: Math.round(typical.countedPerSpan), countedVsHeap: typical.countedPerSpan / typical.heapPerSpan },
  };
}

function runOverheadChild(): Promise<object> {
  const child = fork(__filename, ['--overhead-child'], { execArgv: ['--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as object) : reject(new Error(`overhead child exited with ${code}`)))));
}

interface Memory {
  peakRss: number;
  atPeak: NodeJS.MemoryUsage;
  peakHeap: number;
  peakExternal: number;
  /** The longest the collector's own receiving work held the loop in one piece (the rest of a delay is GC or other work). */
  longestSliceMs: number;
  rss: number;
  delayMaxMs: number;
  delayP99Ms: number;
  stats: StoreStats;
  /** Resident memory by kind of mapping near the peak, and at the ask (memoryMap.ts). */
  mapAtPeak?: MemoryMap;
  mapNow?: MemoryMap;
  /** The main isolate's heap spaces (MiB) near the peak and at the ask. */
  spacesAtPeak: Record<string, number>;
  spacesNow: Record<string, number>;
  /** The timeline since the last ask (`--series`). */
  series: MemorySample[];
  /** The storing thread's full collections (V8's own and those the garbage notice brought on: `nudges`) since the last ask. */
  gcs: { majorGcs: number; majorGcMaxMs: number; nudges: number };
}

function startServer(options: object): Promise<{ child: ChildProcess; endpoint: string }> {
  const execArgv = (process.env.MEMORY_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(join(__dirname, 'collector', 'server.js'), [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { endpoint: string }) => resolve({ child, endpoint: m.endpoint }));
    child.once('exit', (code) => reject(new Error(`collector process exited with ${code}`)));
  });
}

/** CPU seconds the collector's process (all its threads) has used. */
function cpuSeconds(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve((m.cpu.user + m.cpu.system) / 1e6));
    child.send({ type: 'cpu' });
  });
}

function memory(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    child.once('message', (m: Memory) => resolve(m));
    child.send({ type: 'memory' });
  });
}

function postOnce(agent: Agent, url: string, body: Buffer, contentType: string): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts as the OTLP exporters do: a 503 is retried after its Retry-After (counted in `retries`). */
async function post(agent: Agent, url: string, body: Buffer, contentType: string, retries?: { n: number }): Promise<number> {
  for (;;) {
    const { status, retryAfter } = await postOnce(agent, url, body, contentType);
    if (status !== 503) return status;
    if (retries) retries.n++;
    await new Promise((r) => setTimeout(r, Math.min(1000, retryAfter * 1000)));
  }
}

/** Sends small 512-span protobuf bodies one after another until `until()`; spans per second. */
async function smallSender(endpoint: string, firstTag: number, until: () => boolean): Promise<{ spansPerSec: number; requests: number; failed: number }> {
  const templates = makeTemplates(4);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const t0 = performance.now();
  let requests = 0;
  let failed = 0;
  while (!until()) {
    const status = await post(agent, `${endpoint}/v1/traces`, protoBody(templates, firstTag + requests), 'application/x-protobuf');
    requests++;
    if (status !== 200) failed++;
  }
  agent.destroy();
  return { spansPerSec: (requests * SPANS_PER_BODY) / ((performance.now() - t0) / 1000), requests, failed };
}

/** Sends BIG_TOTAL bytes of spans with a 64 KiB attribute, 16 per body, 2 at a time; each body a new trace. */
async function bigSender(endpoint: string): Promise<{ requests: number; bytes: number; statuses: Record<number, number>; retries: number; ms: number }> {
  const template = Buffer.from(jsonBody(0xb16000, BIG_SPANS_PER_BODY, 0, BIG_ATTR));
  const idText = hex(0xb16000, 32);
  const at: number[] = [];
  for (let i = template.indexOf(idText); i >= 0; i = template.indexOf(idText, i + 32)) at.push(i);
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const statuses: Record<number, number> = {};
  const retries = { n: 0 };
  const total = Math.ceil(BIG_TOTAL / template.length);
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const n = ++next;
      const body = Buffer.from(template);
      for (const i of at) body.write(hex(0xb16000 + n, 32), i, 'latin1');
      const s = await post(agent, `${endpoint}/v1/traces`, body, 'application/json', retries);
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker()]);
  agent.destroy();
  return { requests: total, bytes: total * template.length, statuses, retries: retries.n, ms: performance.now() - t0 };
}

type BigResult = Awaited<ReturnType<typeof bigSender>>;

function bigSenderProcess(endpoint: string): Promise<BigResult> {
  const child = fork(__filename, ['--big-sender-child', endpoint], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: BigResult) => resolve(m));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`big sender exited with ${code}`))));
  });
}

async function loadPhase(): Promise<object> {
  const threads = Number(process.env.MEMORY_BENCH_THREADS ?? 1);
  // The extension's settings (collectorHost.ts): one decode worker, protobuf on it, V8's own heap growth.
  const limitHeapGrowth = process.env.MEMORY_BENCH_HEAP_GROWTH === 'limited';
  const series = process.argv.includes('--series');
  const { child, endpoint } = await startServer({ maxBytes: BUDGET, decodeThreads: threads, protobufOnWorkers: threads > 0, maxSpans: 10_000_000, maxTraces: 1_000_000, limitHeapGrowth, series });
  try {
    log(`small spans alone for ${SMALL_ALONE_MS / 1000} s…`);
    const aloneEnd = performance.now() + SMALL_ALONE_MS;
    const cpu0 = await cpuSeconds(child);
    const aloneT0 = performance.now();
    const alone = await smallSender(endpoint, 0, () => performance.now() > aloneEnd);
    const cpuAlone = ((await cpuSeconds(child)) - cpu0) / ((performance.now() - aloneT0) / 1000);
    const before = await memory(child);
    const cpu1 = await cpuSeconds(child);
    const togetherT0 = performance.now();
    log(`1 GiB of spans with 64 KiB attributes, small spans alongside…`);
    let bigDone = false;
    // The big sender is another program (its own process): in one process its 1 MiB bodies would
    // hold up the small sender's event loop, and the bench would measure itself.
    const [big, together] = await Promise.all([bigSenderProcess(endpoint).finally(() => (bigDone = true)), smallSender(endpoint, 1_000_000, () => bigDone)]);
    const cpuTogether = ((await cpuSeconds(child)) - cpu1) / ((performance.now() - togetherT0) / 1000);
    const during = await memory(child);
    if (series) log(['memory timeline (MiB), the small spans alone then the big sender:', ...[...before.series, ...during.series].map(sampleLine)].join('\n'));
    const alive = child.exitCode === null;
    return {
      budgetMiB: BUDGET / MiB,
      sentMiB: Math.round(big.bytes / MiB),
      bigRequests: big.requests,
      bigStatuses: big.statuses,
      bigRetriedAfter503: big.retries,
      limitHeapGrowth,
      inFlight: during.stats.budget ? { max: during.stats.budget.maxInFlightBytes, peak: during.stats.budget.peakInFlightBytes, busyRequests: during.stats.budget.busyRequests } : undefined,
      bigSeconds: +(big.ms / 1000).toFixed(1),
      peakRssMiB: Math.round(during.peakRss / MiB),
      rssGoalMiB: BUDGET / MiB + 150,
      // Where the peak went: V8 heap (live + not yet collected), Buffers/ArrayBuffers, the rest
      // (decode workers' heaps, native). V8's `external` keeps counting a buffer of large values
      // freed or handed back to its worker (detached) until it next sweeps array buffers, so
      // `other` can read low, even negative: the mappings below (mapAtPeak) are the measure.
      atPeakMiB: {
        heapTotal: Math.round(during.atPeak.heapTotal / MiB),
        heapUsed: Math.round(during.atPeak.heapUsed / MiB),
        external: Math.round(during.atPeak.external / MiB),
        arrayBuffers: Math.round(during.atPeak.arrayBuffers / MiB),
        other: Math.round((during.atPeak.rss - during.atPeak.heapTotal - during.atPeak.external) / MiB),
      },
      // The same peak by kind of mapping (/proc/self/smaps): malloc arenas (main and per thread),
      // V8 pages (main isolate and decode workers'), malloc's own large mmaps, code.
      mapAtPeak: during.mapAtPeak,
      spacesAtPeakMiB: during.spacesAtPeak,
      // After the small-span phase, before the big sender starts.
      mapBefore: before.mapNow,
      spacesBeforeMiB: before.spacesNow,
      // What the budget counted before the big sender: the small spans' stored form (heap).
      storedBeforeMiB: +(before.stats.bytes / MiB).toFixed(1),
      peakHeapTotalMiB: Math.round(during.peakHeap / MiB),
      peakExternalMiB: Math.round(during.peakExternal / MiB),
      rssBeforeMiB: Math.round(before.rss / MiB),
      storedMiB: +(during.stats.bytes / MiB).toFixed(1),
      evictedTraces: during.stats.evictedTraces,
      refusedSpans: during.stats.refusedSpans,
      eventLoopDelayMaxMs: +during.delayMaxMs.toFixed(1),
      eventLoopDelayP99Ms: +during.delayP99Ms.toFixed(1),
      eventLoopDelayMaxAloneMs: +before.delayMaxMs.toFixed(1),
      longestStoreSliceMs: +during.longestSliceMs.toFixed(1),
      // Full collections of the storing thread in each phase, the longest (incremental marking's
      // final pause, ms), and how many the garbage notice asked for (store/heapGarbage.ts).
      fullGcs: { alone: before.gcs.majorGcs, alongside: during.gcs.majorGcs, maxMsAlongside: +during.gcs.majorGcMaxMs.toFixed(1), nudgesAlone: before.gcs.nudges, nudgesAlongside: during.gcs.nudges },
      smallAloneSpansPerSec: Math.round(alone.spansPerSec),
      smallAlongsideSpansPerSec: Math.round(together.spansPerSec),
      smallAlongsideVsAlone: +(together.spansPerSec / alone.spansPerSec).toFixed(2),
      // "Keeps its rate" (issue 12): ≥ 0.8× alone. The collector's CPU (all its threads, in cores)
      // says how much of the 2 cores it had in each phase: the big sender's decode needs its share.
      smallAlongsideGoal: 0.8,
      collectorCpuCoresAlone: +cpuAlone.toFixed(2),
      collectorCpuCoresAlongside: +cpuTogether.toFixed(2),
      smallFailed: alone.failed + together.failed,
      alive,
    };
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send({ type: 'stop' });
    });
  }
}

async function main(): Promise<void> {
  const bigAt = process.argv.indexOf('--big-sender-child');
  if (bigAt >= 0) {
    const result = await bigSender(process.argv[bigAt + 1]!);
    process.send!(result, () => process.exit(0));
    return;
  }
  if (process.argv.includes('--overhead-child')) {
    process.stdout.write(JSON.stringify(overhead()));
    return;
  }
  log('measuring the fixed cost of a stored span…');
  const recordCost = await runOverheadChild();
  log(JSON.stringify(recordCost));
  if (process.argv.includes('--overhead')) return;
  if (process.argv.includes('--load')) {
    process.stdout.write(JSON.stringify(await loadPhase(), null, 1) + '\n');
    return;
  }
  const load = await loadPhase();
  log(JSON.stringify(load));
  const loadAverage = (await import('node:os')).loadavg()[0];
  const result = { loadAverage, recordCost, load };
  process.stdout.write(asJson ? JSON.stringify(result) + '\n' : JSON.stringify(result, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`memory bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
