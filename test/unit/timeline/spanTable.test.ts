import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch, PARENT_ELSEWHERE, PARENT_NONE } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { planRun, span, variedSpans } from './spanFixtures';

void test('reads fields in place: ids, names, attributes by key, events, statuses', () => {
  const spans = variedSpans();
  const t = new SpanTable(encodeSpanBatch(spans));
  const v = spans.findIndex((s) => s.spanId === 'v');
  assert.equal(t.spanId(v), 'v');
  assert.equal(t.name(v), 'v');
  assert.equal(t.status(v), 'error');
  assert.equal(t.statusMessage(v), 'boom');
  assert.equal(t.statusMessage(0), undefined);
  assert.deepEqual(t.attr(v, 'tags'), ['a', 'b']);
  assert.equal(t.attr(v, 't'), true);
  assert.equal(t.attr(v, 'f'), false);
  assert.equal(t.attr(v, 'neg'), -0.25);
  assert.equal(t.attr(v, 'ta'), undefined); // a prefix of a key is not the key
  assert.equal(t.attr(v, 'log.message'), undefined); // an event's attribute is not the span's
  assert.equal(t.hasEvent(v, 'exception'), true);
  assert.equal(t.hasEvent(0, 'exception'), false);
  const w = spans.length - 1;
  assert.equal(t.attr(w, 'constructor'), 'x');
  assert.equal(t.attr(w, 'toString'), undefined);
  assert.equal(t.lower(t.batch.name[0]!), 'plan demo');
});

void test('a repeated key (only a hand-made batch has one): the first one counts, in lookups and in the whole span', () => {
  const b = encodeSpanBatch([span('s', undefined, 0, 1, { k: 'first', other: 1 })]);
  b.attrKey[1] = b.attrKey[0]!; // both entries now named k
  b.attrType[1] = 0;
  b.attrValue[1] = b.name[0]!; // the string 's'
  assert.ok(isSpanBatch(b));
  const t = new SpanTable(b);
  assert.equal(t.attr(0, 'k'), 'first');
  assert.deepEqual(t.span(0).attributes, { k: 'first' });
});

void test('two batches as one: every span of both, field for field, still a valid batch', () => {
  const a = variedSpans();
  const b = [
    span('late', 'v', 7, 8, { k: 'new string', tags: ['z'] }, { events: [{ name: 'log', timeMs: 7.5, attributes: { 'log.message': 'later' } }] }),
    span('root', undefined, 0, 120, { 'instrument_first.kind': 'plan' }, { name: 'plan demo (updated)' }),
  ];
  for (const [x, y] of [
    [a, b],
    [b, a],
    [[], a],
    [a, []],
  ] as const) {
    const joined = concatBatches(encodeSpanBatch(x), encodeSpanBatch(y));
    assert.ok(isSpanBatch(joined));
    const t = new SpanTable(joined);
    assert.deepEqual(
      Array.from({ length: t.size }, (_, i) => t.span(i)),
      [...x, ...y].map((s) => new SpanTable(encodeSpanBatch([s])).span(0)),
    );
  }
});

void test('parents in the other batch are found by their id, parents in the same batch keep their position', () => {
  const a = encodeSpanBatch([span('orphan', 'late-parent', 5, 6), span('root', undefined, 0, 10)]);
  const b = encodeSpanBatch([span('late-parent', 'root', 4, 8), span('child', 'late-parent', 1, 2)]);
  const joined = concatBatches(a, b);
  const t = new SpanTable(joined);
  assert.deepEqual(Array.from(joined.parent), [PARENT_ELSEWHERE, PARENT_NONE, PARENT_ELSEWHERE, 2]);
  assert.equal(t.parentSpanId(0), 'late-parent');
  assert.equal(t.parentSpanId(3), 'late-parent');
  const tree = buildSpanTree(t);
  assert.equal(tree.parent[tree.byId.get('orphan')!], tree.byId.get('late-parent'));
  assert.equal(tree.orphan(tree.byId.get('orphan')!), false);
  assert.deepEqual(tree.children(tree.byId.get('root')!).map((i) => tree.spanId(i)), ['late-parent']);
  assert.deepEqual(tree.children(tree.byId.get('late-parent')!).map((i) => tree.spanId(i)), ['child', 'orphan']);
});

void test('a live update: the newer version of a span replaces the older one in the tree', () => {
  const first = planRun().filter((s) => s.spanId !== 'b.call');
  const update = [planRun().find((s) => s.spanId === 'b.call')!, span('p2', 'root', 91, 99.5, { 'instrument_first.kind': 'pass' }, { name: 'pass 2 (again)' })];
  const t = buildSpanTree(new SpanTable(concatBatches(encodeSpanBatch(first), encodeSpanBatch(update))));
  assert.equal(t.size, 8);
  assert.equal(t.name(t.byId.get('p2')!), 'pass 2 (again)');
  assert.equal(t.spanEndMs[t.byId.get('p2')!], 99.5);
  assert.equal(t.parent[t.byId.get('b.call')!], t.byId.get('b'));
});
