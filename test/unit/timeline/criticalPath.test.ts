import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { criticalPath, criticalTimeByNode } from '../../../src/timelineModel/criticalPath';
import { planRun, span, treeOf } from './spanFixtures';
import type { SpanView } from '../../../src/protocol/spanView';

function path(spans: SpanView[], root = 0) {
  const t = treeOf(spans);
  const p = criticalPath(t, root);
  return p.segments.map((s) => `${t.spanId(s.node)}:${s.startMs}-${s.endMs}`);
}

void test('sequential children: the path alternates between parent gaps and children', () => {
  assert.deepEqual(path([span('p', undefined, 0, 100), span('a', 'p', 10, 40), span('b', 'p', 50, 90)]), [
    'p:0-10',
    'a:10-40',
    'p:40-50',
    'b:50-90',
    'p:90-100',
  ]);
});

void test('concurrent children: the one finishing last wins; one entirely inside it is off the path', () => {
  // a and b run at once; b finishes last. c runs inside b's time.
  assert.deepEqual(path([span('p', undefined, 0, 100), span('a', 'p', 10, 60), span('b', 'p', 20, 80), span('c', 'p', 30, 50)]), [
    'p:0-10',
    'a:10-20',
    'b:20-80',
    'p:80-100',
  ]);
});

void test('overlapping children are clipped at the cursor', () => {
  // b [50,90] is last; a [10,70] overlaps it and counts only until b started.
  assert.deepEqual(path([span('p', undefined, 0, 100), span('a', 'p', 10, 70), span('b', 'p', 50, 90)]), ['p:0-10', 'a:10-50', 'b:50-90', 'p:90-100']);
});

void test('nested: the path descends into grandchildren', () => {
  assert.deepEqual(path([span('p', undefined, 0, 100), span('a', 'p', 0, 100), span('x', 'a', 20, 30), span('y', 'a', 25, 80)]), [
    'a:0-20',
    'x:20-25',
    'y:25-80',
    'a:80-100',
  ]);
});

void test('children outside the parent are clipped to its start; zero-length children are skipped', () => {
  assert.deepEqual(path([span('p', undefined, 10, 100), span('early', 'p', 0, 30), span('z', 'p', 60, 60)]), ['early:10-30', 'p:30-100']);
});

void test('equal ends: the child that started first takes the time', () => {
  assert.deepEqual(path([span('p', undefined, 0, 100), span('long', 'p', 10, 90), span('short', 'p', 50, 90)]), ['p:0-10', 'long:10-90', 'p:90-100']);
});

void test('a plan run: steps returned by a step (after it ended) are on the path through it', () => {
  const spans = planRun();
  const t = treeOf(spans);
  const p = criticalPath(t, 0);
  const names = [...p.nodes].map((i) => t.spanId(i)).sort();
  assert.deepEqual(names, ['a', 'a1', 'a2', 'b', 'b.call', 'p1', 'p2', 'root']);
  // The segments tile the run without overlap.
  let at = 0;
  for (const s of p.segments) {
    assert.equal(s.startMs, at);
    at = s.endMs;
  }
  assert.equal(at, 100);
  const byNode = criticalTimeByNode(p);
  assert.equal(byNode.get(t.byId.get('b.call')!), 30);
  // Of one pass only.
  const pass = criticalPath(t, t.byId.get('p1')!);
  assert.equal(pass.segments[0]!.startMs, 1);
  assert.equal(pass.segments.at(-1)!.endMs, 90); // the pass span's own end
  assert.ok(!pass.nodes.has(t.byId.get('p2')!));
});

void test('a wide fan-out of 100,000 children ends the path at the last child', () => {
  const spans = [span('p', undefined, 0, 200_000)];
  for (let i = 0; i < 100_000; i++) spans.push(span(`c${i}`, 'p', i * 2, i * 2 + 3));
  const t = treeOf(spans);
  // Speed is measured by npm run bench:timeline, not asserted here (machines are noisy).
  const p = criticalPath(t, 0);
  assert.equal(p.segments.at(-1)!.endMs, 200_001); // the last child runs past the parent's end
});
