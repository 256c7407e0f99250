import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { NO_FILTER } from '../../../src/timelineModel/rowFilter';
import { buildRows, memoizeRows, rowOf } from '../../../src/timelineModel/rows';
import type { SpanTree } from '../../../src/timelineModel/spanTree';
import { planRun, treeOf } from './spanFixtures';

const ids = (t: SpanTree, rows: Int32Array) => [...rows].map((i) => t.spanId(i));

void test('all rows when nothing is collapsed or filtered', () => {
  const t = treeOf(planRun());
  const m = buildRows(t, new Set(), NO_FILTER);
  assert.equal(m.rows.length, 8);
  assert.equal(m.filtered, false);
});

void test('a collapsed pass hides its subtree', () => {
  const t = treeOf(planRun());
  const m = buildRows(t, new Set(['p1']), NO_FILTER);
  assert.deepEqual(ids(t, m.rows), ['root', 'p1', 'p2']);
  assert.equal(rowOf(m, t.byId.get('p2')!), 2);
  assert.equal(rowOf(m, t.byId.get('a')!), -1);
});

void test('name filter keeps matches and their ancestors', () => {
  const t = treeOf(planRun());
  const m = buildRows(t, new Set(), { text: 'A2', errorsOnly: false, minDurationMs: 0 });
  assert.deepEqual(ids(t, m.rows), ['root', 'p1', 'a', 'a2']);
  assert.equal(m.matchCount, 1);
  assert.equal(m.match[t.byId.get('a2')!], 1);
  assert.equal(m.match[t.byId.get('a')!], 0);
});

void test('attribute, errors-only and minimum-duration filters', () => {
  const t = treeOf(planRun());
  assert.deepEqual(ids(t, buildRows(t, new Set(), { text: 'rpc.service=ec2', errorsOnly: false, minDurationMs: 0 }).rows), ['root', 'p1', 'b', 'b.call']);
  assert.deepEqual(ids(t, buildRows(t, new Set(), { text: 'procedure.type=', errorsOnly: true, minDurationMs: 0 }).rows), ['root', 'p1', 'b']);
  assert.deepEqual(ids(t, buildRows(t, new Set(), { text: '', errorsOnly: false, minDurationMs: 19 }).rows), ['root', 'p1', 'a', 'a1', 'b', 'b.call']);
  assert.equal(buildRows(t, new Set(), { text: 'nothing-like-this', errorsOnly: false, minDurationMs: 0 }).rows.length, 0);
});

void test('memoized: same inputs give the same object, a new collapse version recomputes', () => {
  const t = treeOf(planRun());
  const rows = memoizeRows();
  const c = new Set<string>();
  const a = rows(t, c, 1, NO_FILTER);
  assert.equal(rows(t, c, 1, { ...NO_FILTER }), a);
  c.add('p1');
  const b = rows(t, c, 2, NO_FILTER);
  assert.notEqual(b, a);
  assert.equal(b.rows.length, 3);
});

void test('100k spans: rows built and filtered by text', () => {
  const spans = planRun();
  for (let i = 0; i < 100_000; i++) spans.push({ ...spans[6]!, spanId: `c${i}`, parentSpanId: 'b', startMs: 50 + i / 10000, endMs: 51 + i / 10000, name: `call ${i}` });
  const t = treeOf(spans);
  const m = buildRows(t, new Set(), { text: 'call 9999', errorsOnly: false, minDurationMs: 0 });
  assert.equal(m.matchCount, 19); // 'call' and '9999': 9999, x9999, 9999x
});
