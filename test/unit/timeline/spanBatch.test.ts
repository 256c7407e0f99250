import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { AttrKind, encodeSpanBatch, isSpanBatch, type SpanBatch } from '../../../src/protocol/spanBatch';
import type { SpanView } from '../../../src/protocol/spanView';
import { SpanTable } from '../../../src/timelineModel/spanTable';
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
  assert.equal(b.traceId[0], b.traceId[7]);
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
  const copy = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? v : (v as Uint32Array).slice()])) as unknown as SpanBatch;
  change(copy);
  return copy;
}

void test('the check rejects every kind of broken batch', () => {
  const arrayAttr = (b: SpanBatch) => b.attrType.indexOf(AttrKind.array);
  const boolAttr = (b: SpanBatch) => b.attrType.indexOf(AttrKind.boolean);
  const cases: [string, (b: SpanBatch) => void][] = [
    ['text not a string', (b) => ((b as unknown as { text: number }).text = 1)],
    ['a plain array for a column', (b) => ((b as unknown as { startMs: number[] }).startMs = Array.from(b.startMs))],
    ['a column of the wrong type', (b) => ((b as unknown as { name: Int32Array }).name = Int32Array.from(b.name))],
    ['a column of the wrong length', (b) => (b.endMs = b.endMs.subarray(1))],
    ['a missing column', (b) => delete (b as Partial<SpanBatch>).eventTimeMs],
    ['a string ref past the table', (b) => (b.name[0] = b.textEnd.length)],
    ['an attribute key past the table', (b) => (b.attrKey[0] = b.textEnd.length + 5)],
    ['a parent ref below -1', (b) => (b.parentSpanId[0] = -2)],
    ['a status message ref past the table', (b) => (b.statusMessage[0] = b.textEnd.length)],
    ['a NaN start', (b) => (b.startMs[1] = NaN)],
    ['an infinite end', (b) => (b.endMs[1] = Infinity)],
    ['an infinite event time', (b) => (b.eventTimeMs[0] = -Infinity)],
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
