// The store's bounds: a budget in bytes measured on the stored spans, eviction of whole traces
// (finished least recently first, unfinished last), a trace that outgrows its share cut itself
// (never the rest), idle completion, re-sent ids, and what the sender and the user are told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import { stringBytes, valueBytes, RECORD_OVERHEAD } from '../../../src/collector/store/storedBytes';
import { ROW_COLUMN_BYTES } from '../../../src/collector/store/spanChunk';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { protoRequest, protoSpan } from './protoWriter';
import { jsonRequest, planRun, postTraces, spanIdOf, traceIdOf, T0, withCollector, type SpanSpec } from './helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { SLAB_VALUE_OVERHEAD } from '../../../src/collector/store/textSlabs';

const span = (trace: number, id: number, extra: Partial<SpanSpec> = {}): SpanSpec => ({
  traceId: traceIdOf(trace),
  spanId: spanIdOf(id),
  parentSpanId: spanIdOf(999_999),
  name: `s${id}`,
  startMs: T0 + id,
  endMs: T0 + id + 1,
  ...extra,
});
const root = (trace: number, id: number, extra: Partial<SpanSpec> = {}): SpanSpec => ({ ...span(trace, id, extra), parentSpanId: undefined });

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('stored bytes follow the fields: strings by length (two bytes beyond Latin-1), nested values without recursion', () => {
  assert.equal(stringBytes(''), 0);
  assert.equal(stringBytes('a'.repeat(1000)), 1016);
  assert.equal(stringBytes('é'.repeat(1000)), 1016, 'Latin-1 is one byte a character');
  assert.equal(stringBytes('€'.repeat(1000)), 2016);
  let deep: unknown = 'leaf';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.ok(valueBytes(deep) > 200_000 * 48, 'every level is counted');
  const small = new SpanStore();
  importOtlpJson(small, jsonRequest([root(1, 1)]));
  const big = new SpanStore();
  // 200 kB: below the decoders' cap per value.
  importOtlpJson(big, jsonRequest([root(1, 1, { attributes: { body: 'x'.repeat(200_000) } })]));
  const diff = big.stats().bytes - small.stats().bytes;
  // Held off the heap, in a slab (textSlabs.ts): its bytes and its objects' fixed cost.
  assert.ok(diff >= 200_000 + SLAB_VALUE_OVERHEAD && diff < 200_200 + SLAB_VALUE_OVERHEAD, `a 200 kB attribute costs ~200 kB, got ${diff}`);
  assert.ok(small.stats().bytes >= RECORD_OVERHEAD);
});

test('with --max-spans 1000, 10 spans of A then 1,500 of B in one request keep A whole and B cut at its share', async () => {
  await withCollector({ maxSpans: 1000, decodeThreads: 0 }, async (c, endpoint) => {
    const spans = [root(1, 1), ...Array.from({ length: 9 }, (_, i) => span(1, i + 2, { parentSpanId: spanIdOf(1) }))];
    for (let i = 0; i < 1500; i++) spans.push(span(2, 10_000 + i));
    const res = await postTraces(endpoint, jsonRequest(spans));
    assert.equal(res.status, 200);
    const partial = JSON.parse(res.text).partialSuccess;
    assert.equal(partial.rejectedSpans, '1000');
    assert.match(partial.errorMessage, /refused for the collector's memory bounds/);
    assert.match(partial.errorMessage, new RegExp(`trace ${traceIdOf(2)} reached its limit of 500 spans`));
    assert.equal(c.store.run(traceIdOf(1))?.spanCount, 10);
    assert.equal(c.store.run(traceIdOf(2))?.spanCount, 500);
    assert.equal(c.store.run(traceIdOf(2))?.refusedSpans, 1000);
    const st = c.store.stats();
    assert.deepEqual([st.spans, st.traces, st.refusedSpans, st.evictedTraces], [510, 2, 1000, 0]);
    // The oldest spans of B are the ones kept.
    assert.ok(c.store.entry(traceIdOf(2))!.has(spanIdOf(10_000)));
    assert.ok(!c.store.entry(traceIdOf(2))!.has(spanIdOf(11_499)));
  });
});

test('one trace bigger than the budget is cut (newest spans refused, told in JSON and protobuf); earlier traces stay', async () => {
  const losses: string[] = [];
  await withCollector({ maxBytes: 1024 * 1024, decodeThreads: 0, onFirstLoss: (m) => losses.push(m) }, async (c, endpoint) => {
    const earlier = planRun(1, 'deploy', [[['build', 10, ['npm ci']]], []]);
    assert.equal((await postTraces(endpoint, jsonRequest(earlier))).status, 200);
    const before = c.store.trace(traceIdOf(1));
    const big = Array.from({ length: 20 }, (_, i) => span(2, 100 + i, { attributes: { response: `${i}`.padEnd(100_000, 'r') } }));
    const res = await postTraces(endpoint, jsonRequest(big));
    assert.equal(res.status, 200);
    const partial = JSON.parse(res.text).partialSuccess;
    const refused = Number(partial.rejectedSpans);
    assert.ok(refused >= 14 && refused <= 16, `about 6 of 20 100 KB spans fit in 512 KiB, refused ${refused}`);
    assert.match(partial.errorMessage, /reached its limit of 524288 bytes/);
    assert.deepEqual(c.store.trace(traceIdOf(1)), before, 'the earlier trace is intact');
    const st = c.store.stats();
    assert.ok(st.bytes <= st.maxBytes);
    assert.equal(st.refusedSpans, refused);
    assert.equal(st.evictedTraces, 0);
    // The same as protobuf: the answer is an ExportTraceServiceResponse with partial_success.
    const body = protoRequest(big.map((s) => protoSpan({ ...s, traceId: traceIdOf(3) })));
    assert.equal(decodeOtlpProto(body, c.store.decodeContext).spans.length, 20);
    const pres = await postTraces(endpoint, body, 'application/x-protobuf');
    assert.equal(pres.status, 200);
    assert.equal(pres.body[0], 0x0a, 'field 1 (partial_success), length-delimited');
    assert.match(pres.body.toString('latin1'), /refused for the collector's memory bounds/);
    assert.deepEqual(c.store.trace(traceIdOf(1)), before);
  });
  assert.equal(losses.filter((m) => m.includes('refused')).length, 1, 'one line the first time, not one per request');
});

test('eviction order: finished traces least recently finished first, unfinished ones last', () => {
  const clock = manualClock();
  const evicted: string[] = [];
  const store = new SpanStore({ maxTraces: 4, idleMs: 0, clock: clock.now });
  store.onDidChange(() => {});
  const ids = () => store.runs().map((r) => r.traceId).sort();
  importOtlpJson(store, jsonRequest([span(1, 1)])); // unfinished, oldest
  importOtlpJson(store, jsonRequest([root(2, 2)])); // finished first
  importOtlpJson(store, jsonRequest([root(3, 3)])); // finished second
  importOtlpJson(store, jsonRequest([span(3, 4, { parentSpanId: spanIdOf(3) })])); // late span: 3 is now the most recently finished
  importOtlpJson(store, jsonRequest([root(4, 5)]));
  for (const n of [5, 6, 7]) {
    const before = new Set(ids());
    importOtlpJson(store, jsonRequest([root(n, 10 + n)]));
    evicted.push(...[...before].filter((id) => !ids().includes(id)));
  }
  assert.deepEqual(evicted, [traceIdOf(2), traceIdOf(3), traceIdOf(4)], 'finished, least recently finished first');
  assert.ok(ids().includes(traceIdOf(1)), 'the unfinished trace goes last');
  importOtlpJson(store, jsonRequest([root(8, 20)]));
  assert.ok(ids().includes(traceIdOf(1)));
  assert.equal(store.stats().evictedUnfinished, 0);
  // Only unfinished traces left: the oldest of them goes.
  const onlyRunning = new SpanStore({ maxTraces: 2, idleMs: 0 });
  for (const n of [1, 2, 3]) importOtlpJson(onlyRunning, jsonRequest([span(n, n)]));
  assert.deepEqual(onlyRunning.runs().map((r) => r.traceId).sort(), [traceIdOf(2), traceIdOf(3)]);
  assert.equal(onlyRunning.stats().evictedUnfinished, 1);
  store.dispose();
  onlyRunning.dispose();
});

test('eviction by bytes: many 100 KB traces keep the store within its budget, newest kept', () => {
  const store = new SpanStore({ maxBytes: 2 * 1024 * 1024 });
  for (let n = 1; n <= 200; n++) importOtlpJson(store, jsonRequest([root(n, n, { attributes: { body: `${n}`.padEnd(100_000, '.') } })]));
  const st = store.stats();
  assert.ok(st.bytes <= st.maxBytes, `${st.bytes} <= ${st.maxBytes}`);
  assert.ok(st.traces >= 18 && st.traces <= 21, `~20 traces of 100 KB in 2 MiB, got ${st.traces}`);
  assert.equal(st.evictedTraces, 200 - st.traces);
  assert.ok(store.run(traceIdOf(200)), 'the newest is kept');
  assert.equal(store.run(traceIdOf(1)), undefined);
  assert.ok(st.evictedBytes > 180 * 100_000);
});

test('a trace without its root finishes after the idle time; late spans update it; plan runs wait longer', () => {
  const clock = manualClock();
  const store = new SpanStore({ idleMs: 5000, clock: clock.now });
  importOtlpJson(store, jsonRequest([span(1, 1, { name: 'GET /a' }), span(1, 2, { parentSpanId: spanIdOf(1) })]));
  const plan = planRun(2, 'deploy', [[['build', 10, ['npm ci']]], []]);
  plan.pop(); // its root never comes
  importOtlpJson(store, jsonRequest(plan));
  assert.equal(store.run(traceIdOf(1))?.status, 'running');
  clock.advance(4999);
  store.checkIdle();
  assert.equal(store.run(traceIdOf(1))?.status, 'running');
  clock.advance(1);
  store.checkIdle();
  assert.equal(store.run(traceIdOf(1))?.status, 'converged');
  assert.equal(store.run(traceIdOf(1))?.finishedBy, 'idle');
  assert.equal(store.run(traceIdOf(2))?.status, 'running', 'a plan run waits 12 times as long');
  clock.advance(55_000);
  store.checkIdle();
  assert.equal(store.run(traceIdOf(2))?.status, 'incomplete');
  // A late span updates the finished trace.
  importOtlpJson(store, jsonRequest([span(1, 3, { parentSpanId: spanIdOf(1), status: 2 })]));
  const late = store.run(traceIdOf(1))!;
  assert.deepEqual([late.spanCount, late.status, late.errorCount], [3, 'failed', 1]);
  // The plan's root after all: its outcome replaces "incomplete".
  importOtlpJson(store, jsonRequest(planRun(2, 'deploy', [[['build', 10, ['npm ci']]], []]).slice(-1)));
  assert.equal(store.run(traceIdOf(2))?.status, 'converged');
  store.dispose();
});

test('the idle timer finishes traces by itself', async () => {
  const store = new SpanStore({ idleMs: 30, changeIntervalMs: 5 });
  let runsChanged = 0;
  store.onDidChange((e) => (runsChanged += e.runsChanged ? 1 : 0));
  importOtlpJson(store, jsonRequest([span(1, 1)]));
  for (let i = 0; i < 100 && store.run(traceIdOf(1))?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(store.run(traceIdOf(1))?.status, 'converged');
  store.flushChanges();
  assert.ok(runsChanged >= 2, 'appearing and finishing are both run changes');
  store.dispose();
});

test('an evicted unfinished trace does not come back as "converged" with only its late spans', () => {
  const store = new SpanStore({ maxTraces: 1, idleMs: 0 });
  importOtlpJson(store, jsonRequest([span(1, 1), span(1, 2)]));
  importOtlpJson(store, jsonRequest([root(2, 3)]));
  assert.equal(store.run(traceIdOf(1)), undefined);
  const r = importOtlpJson(store, jsonRequest([root(1, 4)]));
  assert.equal(r.refusedSpans, 1);
  assert.match(r.refusedReason, /was evicted earlier/);
  assert.equal(store.run(traceIdOf(1)), undefined);
  assert.equal(store.stats().refusedSpans, 1);
});

test('a re-sent span id: last write wins and the summary is computed again', () => {
  const clock = manualClock();
  const store = new SpanStore({ idleMs: 1000, clock: clock.now });
  importOtlpJson(store, jsonRequest([root(1, 1, { name: 'old root' }), span(1, 2, { parentSpanId: spanIdOf(1), name: 'child' })]));
  assert.deepEqual([store.run(traceIdOf(1))?.plan, store.run(traceIdOf(1))?.status], ['old root', 'converged']);
  // The root again, now with a parent elsewhere: no local root any more.
  importOtlpJson(store, jsonRequest([span(1, 1, { name: 'renamed', parentSpanId: spanIdOf(77) })]));
  let run = store.run(traceIdOf(1))!;
  assert.notEqual(run.plan, 'old root');
  assert.equal(run.status, 'running');
  assert.equal(run.spanCount, 2);
  assert.equal(store.tree(traceIdOf(1))!.roots[0]!.name, 'renamed');
  clock.advance(1000);
  store.checkIdle();
  run = store.run(traceIdOf(1))!;
  assert.equal(run.status, 'converged');
  // An error span re-sent without the error.
  importOtlpJson(store, jsonRequest([span(1, 2, { parentSpanId: spanIdOf(1), status: 2 })]));
  assert.equal(store.run(traceIdOf(1))?.errorCount, 1);
  importOtlpJson(store, jsonRequest([span(1, 2, { parentSpanId: spanIdOf(1), name: 'child v3', startMs: T0 - 50 })]));
  run = store.run(traceIdOf(1))!;
  assert.deepEqual([run.errorCount, run.status, run.spanCount, run.startMs], [0, 'converged', 2, T0 - 50]);
  // Bytes follow the replacement: a re-sent span does not count twice. (The replaced rows are
  // room in the store's chunks until a chunk is compacted: at most one small chunk's worth.)
  const bytes = store.stats().bytes;
  const entryBytes = store.entry(traceIdOf(1))!.bytes;
  for (let i = 0; i < 100; i++) importOtlpJson(store, jsonRequest([span(1, 2, { parentSpanId: spanIdOf(1), name: 'child v3', startMs: T0 - 50 })]));
  assert.ok(Math.abs(store.stats().bytes - bytes) <= 64 * ROW_COLUMN_BYTES, `${store.stats().bytes} against ${bytes}`);
  assert.equal(store.entry(traceIdOf(1))!.bytes, entryBytes);
  store.dispose();
});

test('re-sending a whole large trace costs one rescan, not one per span', () => {
  const store = new SpanStore();
  const spans = Array.from({ length: 50_000 }, (_, i) => span(1, i + 1, { parentSpanId: i === 0 ? undefined : spanIdOf(i) }));
  const body = jsonRequest(spans);
  importOtlpJson(store, body);
  importOtlpJson(store, body);
  assert.equal(store.run(traceIdOf(1))?.spanCount, 50_000);
  assert.equal(store.run(traceIdOf(1))?.status, 'converged');
});
