import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { allocateBatch, AttrKind, BatchStrings, encodeSpanBatch, type SpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import { ID_WORDS, PARENT_AT, SPAN_AT, TIME_WORDS } from '../../../src/protocol/spanColumns';
import { ID_WORDS as CHUNK_ID_WORDS, PARENT_AT as CHUNK_PARENT_AT, SPAN_AT as CHUNK_SPAN_AT } from '../../../src/collector/store/spanChunk';
import { SLAB_WORDS } from '../../../src/collector/store/spanRecord';
import type { SpanView } from '../../../src/protocol/spanView';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { planRun, variedSpans } from './spanFixtures';

void test('round trip: every span comes back field for field', () => {
  const spans = variedSpans();
  const b = encodeSpanBatch(spans);
  assert.ok(isSpanBatch(b));
  const t = new SpanTable(b);
  assert.equal(t.size, spans.length);
  spans.forEach((s, i) => {
    const expected: SpanView = { ...s, attributes: { ...s.attributes } };
    // JSON has no Infinity: inside arrays it travels as text.
    if (s.spanId === 'v') expected.attributes.odd = [1, 'Infinity'] as unknown as number[];
    assert.deepEqual(t.span(i), expected, s.spanId);
  });
  const w = t.span(spans.length - 1);
  assert.equal(Object.getPrototypeOf(w.attributes), Object.prototype);
  assert.deepEqual(Object.keys(w.attributes), Object.keys(spans.at(-1)!.attributes));
});

void test('equal strings are stored once', () => {
  const b = encodeSpanBatch(planRun());
  const strings = Array.from(b.textEnd, (end, k) => b.text.slice(k === 0 ? 0 : b.textEnd[k - 1], end));
  assert.equal(new Set(strings).size, strings.length);
});

void test('span attributes come first, then the events\' (the layout the check asks for)', () => {
  const b = encodeSpanBatch(variedSpans());
  const spanAttrs = b.attrFrom[b.attrFrom.length - 1]!;
  assert.equal(b.eventAttrFrom[0], spanAttrs);
  assert.equal(b.eventAttrFrom[b.eventAttrFrom.length - 1], b.attrKey.length);
});

/** A copy of the batch with one column changed. */
function broken(change: (b: SpanBatch) => void): SpanBatch {
  const b = encodeSpanBatch(variedSpans());
  const copy = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'boolean' ? v : (v as Uint32Array).slice()])) as unknown as SpanBatch;
  change(copy);
  return copy;
}

void test('the check rejects every kind of broken batch', () => {
  const arrayAttr = (b: SpanBatch) => b.attrType.indexOf(AttrKind.array);
  const boolAttr = (b: SpanBatch) => b.attrType.indexOf(AttrKind.boolean);
  const cases: [string, (b: SpanBatch) => void][] = [
    ['text not a string', (b) => ((b as unknown as { text: number }).text = 1)],
    ['a plain array for a column', (b) => ((b as unknown as { times: number[] }).times = Array.from(b.times))],
    ['a column of the wrong type', (b) => ((b as unknown as { name: Int32Array }).name = Int32Array.from(b.name))],
    ['a column of the wrong length', (b) => (b.times = b.times.subarray(1))],
    ['an id column of the wrong length', (b) => (b.ids = b.ids.subarray(8))],
    ['a missing column', (b) => delete (b as Partial<SpanBatch>).eventTimes],
    ['event times of the wrong length', (b) => (b.eventTimes = b.eventTimes.subarray(1))],
    ['a string ref past the table', (b) => (b.name[0] = b.textEnd.length)],
    ['an attribute key past the table', (b) => (b.attrKey[0] = b.textEnd.length + 5)],
    ['a parent below -2', (b) => (b.parent[0] = -3)],
    ['a parent past the spans', (b) => (b.parent[0] = b.parent.length)],
    ['odd id rows past the spans', (b) => (b.oddIdRows[0] = b.parent.length)],
    ['odd id rows not ascending', (b) => (b.oddIdRows[1] = b.oddIdRows[0]!)],
    ['an odd id text ref past the table', (b) => (b.oddIdText[1] = b.textEnd.length)],
    ['odd id texts not three a row', (b) => (b.oddIdText = b.oddIdText.subarray(1))],
    ['a status message ref past the table', (b) => (b.statusMessage[0] = b.textEnd.length)],
    ['an unknown status', (b) => (b.status[0] = 3)],
    ['an unknown attribute type', (b) => (b.attrType[0] = 9)],
    ['a boolean that is not 0/1', (b) => (b.attrValue[boolAttr(b)] = 2)],
    ['a number index past the numbers', (b) => (b.attrValue[b.attrType.indexOf(AttrKind.number)] = b.numbers.length)],
    ['numbers not a Float64Array', (b) => ((b as unknown as { numbers: number[] }).numbers = [1])],
    ['a string value ref past the table', (b) => (b.attrValue[0] = b.textEnd.length)],
    ['an array that is not JSON', (b) => ((b.attrType[arrayAttr(b)] = AttrKind.array), (b.attrValue[arrayAttr(b)] = b.name[0]!))],
    ['an array of objects', (b) => {
      const text = '[{"a":1}]';
      b.text += text;
      b.textEnd = Uint32Array.from([...b.textEnd, b.text.length]);
      b.attrValue[arrayAttr(b)] = b.textEnd.length - 1;
    }],
    ['string ends past the text', (b) => (b.textEnd[b.textEnd.length - 1] = b.text.length + 1)],
    ['string ends descending', (b) => (b.textEnd[1] = 0)],
    ['attribute ranges descending', (b) => (b.attrFrom[2] = b.attrFrom[1]! - 1)],
    ['attribute ranges not starting at 0', (b) => (b.attrFrom[0] = 1)],
    ['no summary flag', (b) => delete (b as Partial<SpanBatch>).summary],
    ['event ranges not reaching the end', (b) => (b.eventFrom[b.eventFrom.length - 1] = 0)],
    ['event attributes not after the span attributes', (b) => (b.eventAttrFrom[0] = 0)],
  ];
  for (const [what, change] of cases) assert.equal(isSpanBatch(broken(change)), false, what);
  assert.equal(isSpanBatch(broken(() => undefined)), true, 'an unchanged copy passes');
  assert.equal(isSpanBatch(null), false);
  assert.equal(isSpanBatch(planRun()), false);
});

void test('an empty batch is valid', () => {
  const b = encodeSpanBatch([]);
  assert.ok(isSpanBatch(b));
  assert.equal(new SpanTable(b).size, 0);
});

/** Spans with every value kind OTLP has, links with attributes and trace state, kind and flags. */
function fidelitySpans(): SpanView[] {
  const t = '4bf92f3577b34da6a3ce929d0e0e4736';
  return [
    {
      traceId: t,
      spanId: '00f067aa0ba902b7',
      name: 'root',
      startMs: 1000.000001,
      endMs: 2000,
      status: 'ok',
      kind: 2,
      traceState: 'congo=t61rcWkgMzE',
      flags: 0x301,
      attributes: {
        big: { kind: 'int', value: '9223372036854775807' },
        whole: { kind: 'double', value: '3' },
        negZero: { kind: 'double', value: '-0' },
        nan: { kind: 'double', value: 'NaN' },
        raw: { kind: 'bytes', base64: 'AQL/' },
        nested: { kind: 'kvlist', keys: ['__proto__', 'list'], values: ['x', { kind: 'array', values: ['a', { kind: 'empty' }, 'b'] }] },
        nothing: { kind: 'empty' },
        cut: { kind: 'truncated', value: 'abc', length: 10_000_000 },
      },
      events: [{ name: 'e', timeMs: 1500, attributes: { n: 1 } }],
      links: [
        { traceId: t, spanId: 'b7ad6b7169203331', traceState: 'rojo=1', flags: 1, attributes: { 'link.kind': 'follows', deep: { kind: 'array', values: [1, 'two'] } } },
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b8', attributes: {} },
      ],
    },
    { traceId: t, spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7', name: 'child', startMs: 1100, endMs: 1200, status: 'unset', attributes: { s: 'v' }, events: [] },
  ];
}

void test('every OTLP value kind, links, kind, trace state and flags cross in the batch and come back', () => {
  const spans = fidelitySpans();
  const b = encodeSpanBatch(spans);
  assert.ok(isSpanBatch(b));
  const t = new SpanTable(b);
  spans.forEach((s, i) => assert.deepEqual(t.span(i), s, s.spanId));
  // Entries: span attributes, then events', then links'.
  assert.equal(b.linkAttrFrom[0], b.eventAttrFrom[b.eventAttrFrom.length - 1]);
  assert.deepEqual(Array.from(b.attrType.subarray(0, 8)), [AttrKind.int, AttrKind.double, AttrKind.double, AttrKind.double, AttrKind.bytes, AttrKind.structure, AttrKind.empty, AttrKind.truncated]);
  // Joined with another batch (live updates), everything still points where it should.
  const joined = concatBatches(encodeSpanBatch(planRun()), b);
  assert.ok(isSpanBatch(joined));
  const jt = new SpanTable(joined);
  const offset = planRun().length;
  spans.forEach((s, i) => assert.deepEqual(jt.span(offset + i), s, `joined ${s.spanId}`));
  const back = concatBatches(b, encodeSpanBatch(planRun()));
  assert.ok(isSpanBatch(back));
  spans.forEach((s, i) => assert.deepEqual(new SpanTable(back).span(i), s, `joined first ${s.spanId}`));
});

void test('hand-made batches with bad links or structures are refused', () => {
  const good = encodeSpanBatch(fidelitySpans());
  const copy = (): SpanBatch => structuredClone(good);
  const bad1 = copy();
  bad1.linkSpanId[0] = 99_999;
  assert.equal(isSpanBatch(bad1), false);
  const bad2 = copy();
  bad2.linkFrom[1] = 7;
  assert.equal(isSpanBatch(bad2), false);
  const bad3 = copy();
  bad3.attrType[0] = AttrKind.structure;
  assert.equal(isSpanBatch(bad3), false);
  const bad4 = copy();
  bad4.attrType[0] = AttrKind.truncated;
  bad4.attrValue[0] = bad4.numbers.length - 1;
  assert.equal(isSpanBatch(bad4), false);
});

void test('string table: strings across several joined chunks (empty, non-ASCII, one chunk exactly, one more) come back one by one, and the batch is valid', () => {
  // The table joins its text 8,192 strings at a time: counts around that and well past it.
  for (const count of [0, 1, 8191, 8192, 8193, 20_000]) {
    const strings = Array.from({ length: count }, (_, k) => (k % 97 === 0 ? '' : k % 13 === 0 ? `ünï ${k} ✓` : `s${k.toString(36)}`));
    const t = new BatchStrings();
    t.reserve(count >> 1);
    const refs = strings.map((s) => t.add(s));
    assert.deepEqual(refs, strings.map((_, k) => k), 'refs in order');
    const b = t.finish(allocateBatch(0, 0, 0, 0));
    assert.ok(isSpanBatch(b), `${count}: a valid batch`);
    assert.equal(b.text, strings.join(''));
    assert.equal(b.textEnd.length, count);
    strings.forEach((s, k) => assert.equal(b.text.slice(k === 0 ? 0 : b.textEnd[k - 1], b.textEnd[k]), s));
  }
});

void test('one encoding on both sides: the store\'s chunk rows and the batch lay out ids and times alike', () => {
  assert.equal(CHUNK_ID_WORDS, ID_WORDS);
  assert.equal(CHUNK_SPAN_AT, SPAN_AT);
  assert.equal(CHUNK_PARENT_AT, PARENT_AT);
  assert.equal(SLAB_WORDS, TIME_WORDS);
});
