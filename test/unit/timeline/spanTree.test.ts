import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { ancestors, nodeLabel, type SpanTree } from '../../../src/timelineModel/spanTree';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { planRun, span, treeOf } from './spanFixtures';

const all = (t: SpanTree) => Array.from({ length: t.size }, (_, i) => i);

void test('pre-order with children by start, depth, subtree ends', () => {
  const t = treeOf([...planRun()].reverse());
  assert.deepEqual(all(t).map((i) => t.spanId(i)), ['root', 'p1', 'a', 'a1', 'a2', 'b', 'b.call', 'p2']);
  assert.deepEqual([...t.depth], [0, 1, 2, 3, 3, 2, 3, 1]);
  assert.deepEqual([...t.parent], [-1, 0, 1, 2, 2, 1, 5, 0]);
  assert.equal(t.subtreeEnd[0], 8);
  assert.equal(t.subtreeEnd[2], 5);
  assert.deepEqual(t.children(0), [1, 7]);
  assert.deepEqual(t.children(1), [2, 5]);
  assert.deepEqual(t.children(3), []);
  assert.equal(t.hasChildren(2), true);
  assert.equal(t.hasChildren(7), false);
  assert.deepEqual(t.roots, [0]);
  assert.equal(t.startMs, 0);
  assert.equal(t.endMs, 100);
  assert.deepEqual(ancestors(t, 3), [2, 1, 0]);
});

void test('kinds, errors, converged pass, labels', () => {
  const t = treeOf(planRun());
  const at = (id: string) => t.byId.get(id)!;
  assert.equal(t.kind(at('root')), 'plan');
  assert.equal(t.kind(at('p1')), 'pass');
  assert.equal(t.kind(at('a')), 'step');
  assert.equal(t.kind(at('b.call')), 'call');
  assert.equal(t.error(at('b')), true);
  assert.equal(t.error(at('a')), false);
  assert.equal(t.errorCount, 1);
  assert.equal(t.converged(at('p2')), true);
  assert.equal(t.converged(at('p1')), false);
  assert.equal(nodeLabel(t, at('p2')), 'pass 2 · converged');
  assert.equal(nodeLabel(t, at('root')), 'plan demo · converged');
  assert.equal(nodeLabel(t, at('b.call')), 'EC2 RunInstances');
  // A step's returned steps run after it ends: its extent covers them.
  assert.equal(t.extentEndMs[at('a')], 40);
  assert.equal(t.totalMs(at('a')), 8);
  assert.equal(t.attr(at('a'), 'procedure.type'), 'StepA');
  assert.equal(t.attr(at('a'), 'no.such.key'), undefined);
});

void test('an exception event marks an error; a kind that is not ours, or not a string, is a plain span', () => {
  const t = treeOf([
    span('e', undefined, 0, 1, {}, { events: [{ name: 'exception', timeMs: 0.5, attributes: {} }] }),
    span('k', undefined, 0, 1, { 'instrument_first.kind': 'plans' }),
    span('n', undefined, 0, 1, { 'instrument_first.kind': 1 }),
    span('c', undefined, 0, 1, { 'instrument_first.kind': 'pass', 'plan.pass.converged': 'true' }),
  ]);
  assert.equal(t.error(t.byId.get('e')!), true);
  assert.equal(t.kind(t.byId.get('k')!), 'span');
  assert.equal(t.kind(t.byId.get('n')!), 'span');
  assert.equal(t.converged(t.byId.get('c')!), false); // only the boolean true
});

void test('a kind attribute given twice (a hand-made batch): the first one counts, as in every lookup', () => {
  const b = encodeSpanBatch([span('s', undefined, 0, 1, { x: 'call', 'instrument_first.kind': 'step' })]);
  b.attrKey[0] = b.attrKey[1]!; // the first entry is a kind too, with the value 'call'
  assert.ok(isSpanBatch(b));
  const t = buildSpanTree(new SpanTable(b));
  assert.equal(t.kind(0), 'call');
  assert.equal(t.attr(0, 'instrument_first.kind'), 'call');
});

void test('self time subtracts the union of overlapping children, clipped to the span', () => {
  const t = treeOf([
    span('p', undefined, 0, 100),
    span('c1', 'p', 10, 50),
    span('c2', 'p', 30, 60), // overlaps c1
    span('c3', 'p', 90, 120), // runs past the parent's end
  ]);
  assert.equal(t.selfMs[0], 100 - 50 - 10);
  assert.equal(t.selfMs[1], 40);
  assert.equal(t.extentEndMs[0], 120);
});

void test('other OTel traces: no kind attributes, orphans become roots, duplicates replace, cycles break', () => {
  const t = treeOf([
    span('x', 'missing', 5, 6),
    span('y', undefined, 0, 10),
    span('y', undefined, 0, 12, {}, { name: 'y2' }),
    span('c1', 'c2', 1, 2),
    span('c2', 'c1', 1, 3),
    span('e', '', 20, 21), // an empty parent id: a root, not an orphan
  ]);
  assert.equal(t.size, 5);
  const x = t.byId.get('x')!;
  assert.equal(t.kind(x), 'span');
  assert.equal(t.orphan(x), true);
  assert.equal(t.orphan(t.byId.get('e')!), false);
  assert.equal(t.name(t.byId.get('y')!), 'y2');
  assert.equal(t.spanEndMs[t.byId.get('y')!], 12);
  assert.ok(t.byId.has('c1') && t.byId.has('c2'));
  assert.equal(t.byId.has('missing'), false);
  // The cycle is broken at the first span met: one of the two is the other's parent.
  const c1 = t.byId.get('c1')!;
  const c2 = t.byId.get('c2')!;
  assert.ok(t.parent[c1] === c2 || t.parent[c2] === c1);
});

void test('a parent cycle with further children, and roots out of order: every span once, parents kept', () => {
  const t = treeOf([
    span('late-root', undefined, 50, 60),
    span('c1', 'c2', 1, 2),
    span('d', 'c2', 3, 4), // a sibling of c1 under c2
    span('c2', 'c1', 1, 3),
    span('e', 'c1', 2, 2.5),
    span('early-root', undefined, 0, 10),
    span('kid', 'early-root', 1, 2),
  ]);
  assert.equal(t.size, 7);
  assert.deepEqual(t.roots.map((i) => t.spanId(i)), ['early-root', 'late-root', 'c1']);
  assert.deepEqual(all(t).map((i) => t.spanId(i)), ['early-root', 'kid', 'late-root', 'c1', 'c2', 'd', 'e']);
  const at = (id: string) => t.byId.get(id)!;
  assert.equal(t.parent[at('c2')], at('c1'));
  assert.equal(t.parent[at('d')], at('c2'));
  assert.equal(t.parent[at('e')], at('c1'));
  assert.equal(t.subtreeEnd[at('c1')], 7);
  assert.deepEqual(t.children(at('c2')), [at('d')]);
});

void test('siblings with equal start and end are ordered by name', () => {
  const t = treeOf([span('p', undefined, 0, 10), span('b', 'p', 1, 2, {}, { name: 'zeta' }), span('a', 'p', 1, 2, {}, { name: 'alpha' })]);
  assert.deepEqual(t.children(0).map((i) => t.name(i)), ['alpha', 'zeta']);
});

void test('an empty trace', () => {
  const t = treeOf([]);
  assert.equal(t.size, 0);
  assert.equal(t.startMs, 0);
  assert.deepEqual(t.roots, []);
});

void test('deep nesting does not overflow the stack', () => {
  const spans = [span('s0', undefined, 0, 1)];
  for (let i = 1; i < 20000; i++) spans.push(span(`s${i}`, `s${i - 1}`, i, i + 1));
  const t = treeOf(spans);
  assert.equal(t.depth[19999], 19999);
  assert.equal(t.subtreeEnd[0], 20000);
});
