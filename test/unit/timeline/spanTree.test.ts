import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ancestors, buildSpanTree, nodeLabel } from '../../../src/timelineModel/spanTree';
import { planRun, span } from './spanFixtures';

void test('pre-order with children by start, depth, subtree ends', () => {
  const t = buildSpanTree([...planRun()].reverse());
  assert.deepEqual(t.nodes.map((n) => n.span.spanId), ['root', 'p1', 'a', 'a1', 'a2', 'b', 'b.call', 'p2']);
  assert.deepEqual(t.nodes.map((n) => n.depth), [0, 1, 2, 3, 3, 2, 3, 1]);
  assert.equal(t.nodes[0]!.subtreeEnd, 8);
  assert.equal(t.nodes[2]!.subtreeEnd, 5);
  assert.deepEqual(t.roots, [0]);
  assert.equal(t.startMs, 0);
  assert.equal(t.endMs, 100);
  assert.deepEqual(ancestors(t, 3), [2, 1, 0]);
});

void test('kinds, errors, converged pass, labels', () => {
  const t = buildSpanTree(planRun());
  const byId = (id: string) => t.nodes[t.byId.get(id)!]!;
  assert.equal(byId('root').kind, 'plan');
  assert.equal(byId('b.call').kind, 'call');
  assert.equal(byId('b').error, true);
  assert.equal(t.errorCount, 1);
  assert.equal(byId('p2').converged, true);
  assert.equal(nodeLabel(byId('p2')), 'pass 2 · converged');
  assert.equal(nodeLabel(byId('root')), 'plan demo · converged');
  // A step's returned steps run after it ends: its extent covers them.
  assert.equal(byId('a').extentEndMs, 40);
  assert.equal(byId('a').totalMs, 8);
});

void test('self time subtracts the union of overlapping children, clipped to the span', () => {
  const t = buildSpanTree([
    span('p', undefined, 0, 100),
    span('c1', 'p', 10, 50),
    span('c2', 'p', 30, 60), // overlaps c1
    span('c3', 'p', 90, 120), // runs past the parent's end
  ]);
  assert.equal(t.nodes[0]!.selfMs, 100 - 50 - 10);
  assert.equal(t.nodes[0]!.extentEndMs, 120);
});

void test('other OTel traces: no kind attributes, orphans become roots, duplicates replace, cycles break', () => {
  const t = buildSpanTree([
    span('x', 'missing', 5, 6),
    span('y', undefined, 0, 10),
    span('y', undefined, 0, 12, {}, { name: 'y2' }),
    span('c1', 'c2', 1, 2),
    span('c2', 'c1', 1, 3),
  ]);
  assert.equal(t.nodes.length, 4);
  const x = t.nodes[t.byId.get('x')!]!;
  assert.equal(x.kind, 'span');
  assert.equal(x.orphan, true);
  assert.equal(t.nodes[t.byId.get('y')!]!.span.name, 'y2');
  assert.ok(t.byId.has('c1') && t.byId.has('c2'));
});

void test('an empty trace', () => {
  const t = buildSpanTree([]);
  assert.equal(t.nodes.length, 0);
  assert.equal(t.startMs, 0);
});

void test('deep nesting does not overflow the stack', () => {
  const spans = [span('s0', undefined, 0, 1)];
  for (let i = 1; i < 20000; i++) spans.push(span(`s${i}`, `s${i - 1}`, i, i + 1));
  const t = buildSpanTree(spans);
  assert.equal(t.nodes[19999]!.depth, 19999);
});
