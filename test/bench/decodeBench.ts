// Decoder microbenchmark (issue 12, the ingest-rate goals): the decoders' CPU per span, in one
// thread of one process, over the bodies bench:collector sends (test/bench/collector/bodies.ts,
// made by the official OTel serializers; 512 spans × 10 attributes, a new tag per body), against
// `JSON.parse` of the same bodies measured in the same run. Cases, alternated window by window so
// that a slow spell of a shared machine falls on all of them:
//  - `JSON.parse`: the body's bytes to a string, parsed (the reference; what a receiver must do);
//  - `json index`: the OTLP/JSON scanner as a decode worker runs it (`indexForPost`, and the
//    dictionary's additions taken, as the worker posts them);
//  - `proto index`: the protobuf reader as a decode worker runs it (`indexForPost`);
//  - `proto rows`: the protobuf body decoded in place on the storing thread, up to the rows the
//    store appends (`decodeOtlpProtoRows`: index into scratch arrays, checked; the store's part is
//    not included).
// Per case: CPU of the whole process per span (V8's garbage-collector helper threads included,
// as they share the cores with everything else) and wall time per span; ratios against JSON.parse.
// Run: npm run bench:decode [-- --ms 300 --windows 7 --json]
import { decodeOtlpProtoRows } from '../../src/collector/ingest/otlpProtoDecoder';
import { indexForPost } from '../../src/collector/ingest/workerIndex';
import type { IndexScratch } from '../../src/collector/ingest/spanIndex';
import { DecodeContext } from '../../src/collector/store/decodedBatch';
import { jsonBody, makeTemplates, protoBody, SPANS_PER_BODY } from './collector/bodies';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ms = arg('--ms', 300);
const windows = Math.max(1, arg('--windows', 7));
const asJson = process.argv.includes('--json');

const BODIES = 64;
const t = makeTemplates(8);
const json = Array.from({ length: BODIES }, (_, i) => jsonBody(t, 500_000 + i));
const proto = Array.from({ length: BODIES }, (_, i) => protoBody(t, 500_000 + i));
// A worker's context lives as long as the worker: one per case, kept across bodies.
const jsonCtx = new DecodeContext();
const protoCtx = new DecodeContext();
const rowsCtx = new DecodeContext();
const jsonScratch: IndexScratch = {};
const protoScratch: IndexScratch = {};

const cases: [string, (i: number) => unknown][] = [
  ['JSON.parse', (i) => JSON.parse(json[i]!.toString('utf8'))],
  [
    'json index',
    (i) => {
      const ix = indexForPost('json', json[i]!, jsonCtx, jsonScratch);
      if (!ix || ix.spans.length === 0) throw new Error('the scanner left its fast path on a bench body');
      jsonCtx.dict.takeAdditions();
      return ix;
    },
  ],
  [
    'proto index',
    (i) => {
      const ix = indexForPost('proto', proto[i]!, protoCtx, protoScratch);
      protoCtx.dict.takeAdditions();
      return ix;
    },
  ],
  ['proto rows', (i) => decodeOtlpProtoRows(proto[i]!, rowsCtx)],
];

// --only <name>: one case and the reference (without it: --no-ref), e.g. under a profiler.
const only = process.argv.indexOf('--only');
if (only >= 0) cases.splice(0, cases.length, ...cases.filter(([n], i) => (i === 0 && !process.argv.includes('--no-ref')) || n === process.argv[only + 1]));

interface Reading {
  cpuNs: number;
  wallNs: number;
}

function window(fn: (i: number) => unknown): Reading {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) fn(n++ % BODIES);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const spans = n * SPANS_PER_BODY;
  return { cpuNs: ((c.user + c.system) * 1000) / spans, wallNs: (wall * 1e6) / spans };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

// Warm up: every case compiled and its caches filled before the first window.
for (const [, fn] of cases) for (let i = 0; i < 2 * BODIES; i++) fn(i % BODIES);
const readings = new Map<string, Reading[]>(cases.map(([name]) => [name, []]));
for (let w = 0; w < windows; w++) for (const [name, fn] of cases) readings.get(name)!.push(window(fn));

/**
 * Heap bytes a case allocates per span (young objects and array buffers), read around a few bodies
 * between forced collections: only with --expose-gc (npm run bench:decode passes it), and exact only
 * when no scavenge runs in between (the script raises the young generation for that).
 */
function allocated(fn: (i: number) => unknown): { heap: number; buffers: number } | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  const bodies = 4;
  const kept: unknown[] = [];
  gc();
  const m0 = process.memoryUsage();
  for (let i = 0; i < bodies; i++) kept.push(fn(i));
  const m1 = process.memoryUsage();
  const spans = bodies * SPANS_PER_BODY;
  return { heap: Math.round((m1.heapUsed - m0.heapUsed) / spans), buffers: Math.round((m1.arrayBuffers - m0.arrayBuffers) / spans) };
}

const result: Record<string, { cpuNsPerSpan: number; wallNsPerSpan: number; vsJsonParseCpu: number; heapBytesPerSpan?: number; bufferBytesPerSpan?: number }> = {};
const ref = median(readings.get('JSON.parse')?.map((r) => r.cpuNs) ?? [NaN]);
for (const [name, rs] of readings) {
  const cpu = median(rs.map((r) => r.cpuNs));
  const alloc = allocated(cases.find(([n]) => n === name)![1]);
  result[name] = { cpuNsPerSpan: Math.round(cpu), wallNsPerSpan: Math.round(median(rs.map((r) => r.wallNs))), vsJsonParseCpu: Number((ref / cpu).toFixed(2)), heapBytesPerSpan: alloc?.heap, bufferBytesPerSpan: alloc?.buffers };
}
const jsonIx = result['json index']?.cpuNsPerSpan ?? NaN;
const summary = {
  cases: result,
  /** Speed of the JSON scanner over JSON.parse's (CPU): > 1 is faster. */
  jsonIndexVsJsonParse: Number((ref / jsonIx).toFixed(2)),
  /** Speed of the protobuf reader over the JSON scanner's (CPU). */
  protoIndexVsJsonIndex: Number((jsonIx / (result['proto index']?.cpuNsPerSpan ?? NaN)).toFixed(2)),
  windows,
  windowMs: ms,
};
if (asJson) process.stdout.write(JSON.stringify(summary) + '\n');
else {
  for (const [name, r] of Object.entries(result)) process.stdout.write(`${name.padEnd(12)} ${String(r.cpuNsPerSpan).padStart(6)} ns CPU/span  ${String(r.wallNsPerSpan).padStart(6)} ns wall/span  ${r.vsJsonParseCpu.toFixed(2)}× JSON.parse${r.heapBytesPerSpan === undefined ? '' : `  ${r.heapBytesPerSpan} B heap + ${r.bufferBytesPerSpan} B buffers allocated/span`}\n`);
  process.stdout.write(`json index vs JSON.parse: ${summary.jsonIndexVsJsonParse}×   proto index vs json index: ${summary.protoIndexVsJsonIndex}×   (median of ${windows} windows of ${ms} ms, CPU of the process)\n`);
}
