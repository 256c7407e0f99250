// The storing thread's work per span, on one thread, without HTTP: the collector bench's bodies are
// indexed once (as a decode worker does, with a dictionary of its own), then each round stores all
// of them into a fresh store (`indexRows` + `SpanStore.ingest`, what the collector's main thread
// does per body) and parses the same bodies with JSON.parse as the reference, in the same process,
// alternating. Prints ns per span (main thread) and CPU per span of the whole process (with V8's
// GC helper threads), the main thread's CPU per span (summed over the rounds), and the ratios. Deterministic enough to compare one change with another in
// seconds; the collector bench (bench:collector) is what decides the goals.
// argv: [rounds=9] [bodies=128].
import { makeTemplates, jsonBody, protoBody, SPANS_PER_BODY } from './collector/bodies';
import { DecodeContext } from '../../src/collector/store/decodedBatch';
import { SpanStore } from '../../src/collector/store/spanStore';
import { indexRows } from '../../src/collector/ingest/indexRows';
import type { SpanIndex } from '../../src/collector/ingest/spanIndex';
import { indexOtlpJson } from '../../src/collector/ingest/otlpJsonScanner';
import { indexOtlpProto, decodeOtlpProtoRows } from '../../src/collector/ingest/otlpProtoDecoder';
import { printRows, round } from './benchTable';
import { readFileSync } from 'node:fs';

const rounds = Math.max(1, Number(process.argv[2] ?? 9));
const bodyCount = Math.max(1, Number(process.argv[3] ?? 128));
const spans = bodyCount * SPANS_PER_BODY;

const t = makeTemplates(8);
const jsonBodies = Array.from({ length: bodyCount }, (_, i) => jsonBody(t, 500_000 + i));
const protoBodies = Array.from({ length: bodyCount }, (_, i) => protoBody(t, 500_000 + i));
const jsonTexts = jsonBodies.map((b) => b.toString('utf8'));

// The decode workers' side, done once: each kind with a context (dictionary) of its own.
const jsonCtx = new DecodeContext();
const protoCtx = new DecodeContext();
const jsonIndexes: SpanIndex[] = jsonBodies.map((b) => {
  const ix = indexOtlpJson(b, jsonCtx);
  if (!ix) throw new Error('bench body left the JSON fast path');
  return ix;
});
const protoIndexes: SpanIndex[] = protoBodies.map((b) => indexOtlpProto(b, protoCtx));

/** A store that keeps every span of a round (no eviction), as the collector bench's default does for its window. */
function freshStore(): SpanStore {
  return new SpanStore({ maxBytes: 1024 * 1024 * 1024, maxSpans: 4 * spans, maxTraces: 4 * bodyCount, idleMs: 0 });
}

function storeIndexes(indexes: SpanIndex[], bodies: Buffer[], ctx: DecodeContext): void {
  const store = freshStore();
  for (let i = 0; i < indexes.length; i++) {
    const r = store.ingest(indexRows(indexes[i]!, bodies[i]!, ctx.dict, store.decodeContext));
    if (r.acceptedSpans !== SPANS_PER_BODY) throw new Error(`stored ${r.acceptedSpans} of ${SPANS_PER_BODY}`);
  }
  store.dispose();
}

const cases: [string, () => void][] = [
  [
    'JSON.parse (reference)',
    () => {
      for (const s of jsonTexts) JSON.parse(s);
    },
  ],
  ['store a JSON index', () => storeIndexes(jsonIndexes, jsonBodies, jsonCtx)],
  ['store a protobuf index', () => storeIndexes(protoIndexes, protoBodies, protoCtx)],
  [
    'protobuf decoded in place + stored',
    () => {
      const store = freshStore();
      for (const b of protoBodies) store.ingest(decodeOtlpProtoRows(b, store.decodeContext));
      store.dispose();
    },
  ],
];

/** CPU ms of the main thread so far, from /proc (10 ms ticks: summed over all rounds); NaN elsewhere. */
function mainThreadMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

const wall = cases.map((): number[] => []);
const cpu = cases.map((): number[] => []);
const mainMs = cases.map(() => 0);
for (let r = 0; r < rounds + 2; r++) {
  cases.forEach(([, fn], k) => {
    const m0 = mainThreadMs();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    // Two rounds of warm-up (compiled code, the heap grown to its working size).
    if (r < 2) return;
    mainMs[k]! += mainThreadMs() - m0;
    wall[k]!.push((ms * 1e6) / spans);
    cpu[k]!.push(((c.user + c.system) * 1e3) / spans);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const w = wall.map(median);
const c = cpu.map(median);
const m = mainMs.map((ms) => (ms * 1e6) / (rounds * spans));
const rows: [string, string][] = cases.map(([name], k) => [name, `${round(w[k]!, 0)} ns/span wall, ${round(c[k]!, 0)} process CPU, ${round(m[k]!, 0)} main thread CPU`]);
rows.push(['JSON.parse ÷ store a JSON index', `${round(w[0]! / w[1]!)}× wall, ${round(c[0]! / c[1]!)}× process CPU, ${round(m[0]! / m[1]!)}× main thread CPU`]);
rows.push(['JSON.parse ÷ store a protobuf index', `${round(w[0]! / w[2]!)}× wall, ${round(c[0]! / c[2]!)}× process CPU, ${round(m[0]! / m[2]!)}× main thread CPU`]);
process.stdout.write(`${rounds} rounds of ${bodyCount} bodies × ${SPANS_PER_BODY} spans, medians (other processes share this machine's CPU)\n`);
printRows(rows);
