// The column encodings the store's chunks and the timeline batch share (protocol/spanColumns.ts):
// ids as words and times as nanosecond words, round trips at the extremes, and a stored span's
// ids and times reaching the page's table exactly (no float before the page lays spans out).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { decimalToWords } from '../../../src/collector/store/unixNano';
import { encodeSpanBatch, PARENT_ELSEWHERE, PARENT_NONE } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import { hexToWords, ID_WORDS, isSpanHex, isTraceHex, msRestToNanoWords, msToNanoWords, nanoWordsToDecimal, nanoWordsToMs, PARENT_AT, SPAN_AT, TIME_WORDS, TRACE_AT, wordsToHex } from '../../../src/protocol/spanColumns';
import { parseHostToWebview } from '../../../src/protocol/timelineMessages';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';

const EXTREME_NS = ['0', '1', '999999', '1000000', '4294967295', '4294967296', '1763000000123456789', '9223372036854775807', '9223372036854775808', '18446744073709551615'];
const EXTREME_SPAN_IDS = ['0000000000000000', '0000000000000001', '00000000ffffffff', '7fffffffffffffff', '8000000000000000', 'ffffffffffffffff'];
const EXTREME_TRACE_IDS = ['00000000000000000000000000000001', '80000000000000000000000000000000', 'ffffffffffffffffffffffffffffffff', '4bf92f3577b34da6a3ce929d0e0e4736'];

void test('nanosecond words: decimal → words → decimal is exact at every extreme; beyond 2^64 - 1 is refused', () => {
  const w = new Uint32Array(2);
  for (const ns of EXTREME_NS) {
    assert.ok(decimalToWords(ns, w, 0), ns);
    assert.equal(nanoWordsToDecimal(w[0]!, w[1]!), ns);
    const ms = Math.floor(Number(BigInt(ns) / 1_000_000n));
    const rest = Number(BigInt(ns) % 1_000_000n);
    const v = new Uint32Array(2);
    assert.ok(msRestToNanoWords(ms, rest, v, 0));
    assert.deepEqual(v, w, `${ns} from ms and rest`);
  }
  assert.equal(msRestToNanoWords(18446744073709, 551616, w, 0), false);
  // Milliseconds, one rounding: 19 digits keep their nanoseconds in the words, not in the double.
  assert.ok(decimalToWords('1763000000123456789', w, 0));
  assert.equal(nanoWordsToMs(w[0]!, w[1]!), 1763000000123.456789);
});

void test('milliseconds to words (hand-made batches): epoch times come back as the same double; what is no time is 0', () => {
  const w = new Uint32Array(2);
  for (const ms of [0, 1000.000001, 1763000000123.4568, 1763000000000, 1.5, 2 ** 40 + 0.25]) {
    msToNanoWords(ms, w, 0);
    assert.equal(nanoWordsToMs(w[0]!, w[1]!), ms, String(ms));
  }
  for (const bad of [-1, NaN, Infinity, -Infinity, 1e300]) {
    msToNanoWords(bad, w, 0);
    assert.deepEqual([w[0], w[1]], [0, 0], String(bad));
  }
});

void test('id words: hex → words → hex at every extreme; only lowercase hex of the id\'s length is words', () => {
  const w = new Uint32Array(4);
  for (const id of EXTREME_SPAN_IDS) {
    assert.ok(isSpanHex(id));
    hexToWords(id, w, 0);
    assert.equal(wordsToHex(w, 0, 2), id);
  }
  for (const id of EXTREME_TRACE_IDS) {
    assert.ok(isTraceHex(id));
    hexToWords(id, w, 0);
    assert.equal(wordsToHex(w, 0, 4), id);
  }
  for (const odd of ['', 'FFFFFFFFFFFFFFFF', 'ffffffffffffffff0', 'fffffffffffffff', 'gggggggggggggggg', ' fffffffffffffff']) assert.equal(isSpanHex(odd), false, odd);
});

void test('stored spans with extreme ids and times reach the page exactly: words copied, parents by position, hex only when read', () => {
  const trace = EXTREME_TRACE_IDS[2]!;
  // OTLP refuses an all-zero span id: the others.
  const ids = EXTREME_SPAN_IDS.slice(1);
  const spans = ids.map((id, i) => ({
    traceId: trace,
    spanId: id,
    ...(i === 0 ? {} : { parentSpanId: ids[i - 1] }),
    name: `s${i}`,
    startTimeUnixNano: EXTREME_NS[i + 1]!, // a start of 0 is refused
    endTimeUnixNano: EXTREME_NS[i + 5]!,
  }));
  // And one whose parent is remote (no span of the trace).
  spans.push({ traceId: trace, spanId: '1234567890abcdef', parentSpanId: 'fedcba0987654321', name: 'remote child', startTimeUnixNano: '5', endTimeUnixNano: '6' });
  const store = new SpanStore({ maxSpans: 1000 });
  store.ingest(decodeOtlpJsonBytes(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] })), store.decodeContext));
  const got = store.batchSince(trace)!.batch;
  const msg = parseHostToWebview(structuredClone({ type: 'showRun', traceId: trace, title: 't', spans: got, live: false }));
  assert.ok(msg && msg.type === 'showRun');
  const b = msg.spans;
  const t = new SpanTable(b);
  assert.equal(t.size, spans.length);
  const row = (id: string) => Array.from({ length: t.size }, (_, r) => t.spanId(r)).indexOf(id);
  spans.forEach((s) => {
    const r = row(s.spanId);
    assert.ok(r >= 0, s.spanId);
    assert.equal(t.traceId(r), trace);
    assert.equal(wordsToHex(b.ids, r * ID_WORDS + TRACE_AT, 4), trace);
    assert.equal(wordsToHex(b.ids, r * ID_WORDS + SPAN_AT, 2), s.spanId);
    assert.equal(t.parentSpanId(r), s.parentSpanId);
    if (s.parentSpanId) assert.equal(wordsToHex(b.ids, r * ID_WORDS + PARENT_AT, 2), s.parentSpanId);
    assert.equal(nanoWordsToDecimal(b.times[r * TIME_WORDS]!, b.times[r * TIME_WORDS + 1]!), s.startTimeUnixNano, `${s.spanId} start`);
    assert.equal(nanoWordsToDecimal(b.times[r * TIME_WORDS + 2]!, b.times[r * TIME_WORDS + 3]!), s.endTimeUnixNano, `${s.spanId} end`);
  });
  for (let i = 1; i < ids.length; i++) assert.equal(b.parent[row(ids[i]!)], row(ids[i - 1]!));
  assert.equal(b.parent[row(ids[0]!)], PARENT_NONE);
  assert.equal(b.parent[row('1234567890abcdef')], PARENT_ELSEWHERE);
  assert.equal(b.text.includes(ids[4]!), false, 'no id text in the batch');
  const tree = buildSpanTree(t);
  assert.equal(tree.orphan(tree.byId.get('1234567890abcdef')!), true);
  assert.equal(tree.spanId(tree.parent[tree.byId.get('ffffffffffffffff')!]!), '8000000000000000');
});

void test('odd ids (not hex) travel as text beside the words: found, shown and linked by their text', () => {
  const views = [
    { traceId: 'trace-Not-Hex', spanId: 'ROOT', name: 'r', startMs: 1, endMs: 9, status: 'unset' as const, attributes: {}, events: [] },
    { traceId: 'trace-Not-Hex', spanId: '00000000000000aa', parentSpanId: 'ROOT', name: 'c', startMs: 2, endMs: 3, status: 'unset' as const, attributes: {}, events: [] },
    { traceId: 'trace-Not-Hex', spanId: 'leaf', parentSpanId: '00000000000000aa', name: 'l', startMs: 2, endMs: 3, status: 'unset' as const, attributes: {}, events: [] },
  ];
  const b = encodeSpanBatch(views);
  assert.ok(isSpanBatch(b));
  assert.deepEqual(Array.from(b.oddIdRows), [0, 1, 2]);
  const t = new SpanTable(b);
  views.forEach((v, r) => assert.deepEqual(t.span(r), v));
  const tree = buildSpanTree(t);
  assert.equal(tree.roots.length, 1);
  assert.equal(tree.spanId(tree.parent[tree.byId.get('leaf')!]!), '00000000000000aa');
  assert.equal(tree.spanId(tree.parent[tree.byId.get('00000000000000aa')!]!), 'ROOT');
});
