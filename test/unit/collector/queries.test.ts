import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import { jsonRequest, planRun, spanIdOf, traceIdOf, T0 } from './helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';

function storeWithRuns(): SpanStore {
  const store = new SpanStore();
  // Five runs of "deploy": step `build` takes 10, 20, 30, 40, 100 ms; `test` fails in run 3.
  [10, 20, 30, 40, 100].forEach((d, i) => {
    importOtlpJson(store, jsonRequest(planRun(i + 1, 'deploy', [[['build', d, ['npm ci', 'tsc']], ['test', 5, [], i === 2]], []], i === 2 ? 'failed' : 'converged')));
  });
  importOtlpJson(store, jsonRequest(planRun(9, 'other', [[['build', 1000, []]]])));
  return store;
}

test('runs: newest first, with plan, status, passes, counts', () => {
  const runs = storeWithRuns().runs();
  assert.equal(runs.length, 6);
  assert.equal(runs[0]!.traceId, traceIdOf(9));
  assert.equal(runs[0]!.plan, 'other');
  const r3 = runs.find((r) => r.traceId === traceIdOf(3))!;
  assert.deepEqual({ status: r3.status, passes: r3.passes, errors: r3.errorCount, spans: r3.spanCount, d: r3.durationMs }, { status: 'failed', passes: 2, errors: 2, spans: 7, d: 35 });
});

test('procedure stats over the last N runs: count, errors, last, min, percentiles, recent', () => {
  const store = storeWithRuns();
  const all = store.procedureStats({ plan: 'deploy' });
  const build = all.find((s) => s.procedureId === 'build')!;
  assert.deepEqual(
    { count: build.count, runs: build.runs, min: build.minMs, p50: build.p50Ms, p95: build.p95Ms, p99: build.p99Ms, last: build.lastMs, lastRunCount: build.lastRunCount, type: build.procedureType, file: build.filepath },
    { count: 5, runs: 5, min: 10, p50: 30, p95: 100, p99: 100, last: 100, lastRunCount: 1, type: 'class', file: '/plans/deploy.ts' },
  );
  assert.deepEqual(build.recent.map((r) => r.durationMs), [100, 40, 30, 20, 10]);
  const testStats = all.find((s) => s.procedureId === 'test')!;
  assert.equal(testStats.errors, 1);
  assert.equal(testStats.recent.find((r) => r.traceId === traceIdOf(3))?.status, 'error');
  const last2 = store.procedureStats({ plan: 'deploy', lastRuns: 2 }).find((s) => s.procedureId === 'build')!;
  assert.deepEqual([last2.count, last2.minMs, last2.p50Ms], [2, 40, 40]);
  const everyPlan = store.procedureStats({}).find((s) => s.procedureId === 'build')!;
  assert.equal(everyPlan.lastMs, 1000);
  assert.equal(everyPlan.count, 6);
});

test('span search by name, attribute, status, minimum duration, trace', () => {
  const store = storeWithRuns();
  assert.equal(store.search({ name: 'TSC' }).spans.length, 5);
  assert.equal(store.search({ status: 'error' }).spans.length, 2);
  assert.equal(store.search({ attribute: 'procedure.id', attributeValue: 'test' }).spans.length, 5);
  assert.equal(store.search({ attribute: 'plan.pass', attributeValue: '2' }).spans.length, 5);
  assert.equal(store.search({ name: 'build', minDurationMs: 40 }).spans.length, 3);
  assert.equal(store.search({ traceId: traceIdOf(2), name: 'build' }).spans.length, 1);
  const limited = store.search({ limit: 3 });
  assert.equal(limited.spans.length, 3);
  assert.equal(limited.truncated, true);
});

test('tree: orphans and parent cycles become roots instead of vanishing or looping', () => {
  const store = new SpanStore();
  const t = traceIdOf(1);
  importOtlpJson(store, jsonRequest([
    { traceId: t, spanId: spanIdOf(1), parentSpanId: spanIdOf(2), name: 'a', startMs: T0, endMs: T0 + 1 },
    { traceId: t, spanId: spanIdOf(2), parentSpanId: spanIdOf(1), name: 'b', startMs: T0, endMs: T0 + 1 },
    { traceId: t, spanId: spanIdOf(3), parentSpanId: spanIdOf(3), name: 'self', startMs: T0, endMs: T0 + 1 },
    { traceId: t, spanId: spanIdOf(4), parentSpanId: spanIdOf(77), name: 'orphan', startMs: T0, endMs: T0 + 1 },
  ]));
  const tree = store.tree(t)!;
  const count = (nodes: typeof tree.roots): number => nodes.reduce((n, x) => n + 1 + count(x.children), 0);
  assert.equal(count(tree.roots), 4);
  assert.ok(tree.roots.every((r) => r.orphan));
});

test('diff: added and removed steps, call-count, status and duration changes, matched by id and pass', () => {
  const store = new SpanStore();
  importOtlpJson(store, jsonRequest(planRun(1, 'p', [[['a', 10, ['x', 'y']], ['b', 10, []], ['c', 10, []], ['c', 10, []]], []])));
  importOtlpJson(store, jsonRequest(planRun(2, 'p', [[['a', 10, ['x']], ['b', 50, [], true], ['c', 10, []], ['d', 10, []]], [['late', 1, []]]])));
  const d = store.diff(traceIdOf(1), traceIdOf(2))!;
  assert.deepEqual(d.added.map((s) => `${s.pass}:${s.procedureId}`), ['1:d', '2:late']);
  assert.deepEqual(d.removed.map((s) => `${s.pass}:${s.procedureId}#${s.occurrence}`), ['1:c#1']);
  const b = d.changed.find((s) => s.procedureId === 'b')!;
  assert.deepEqual(b.reasons, ['status', 'duration']);
  assert.deepEqual([b.durationMsA, b.durationMsB, b.statusA, b.statusB], [10, 50, 'unset', 'error']);
  const a = d.changed.find((s) => s.procedureId === 'a')!;
  assert.deepEqual(a.reasons, ['calls']);
  assert.deepEqual(a.calls, [{ name: 'y', countA: 1, countB: 0 }, { name: 'x', countA: 1, countB: 1 }]);
  assert.equal(d.unchangedCount, 1);
  assert.equal(d.durationDeltaMs, d.b.durationMs - d.a.durationMs);
  assert.equal(store.diff(traceIdOf(1), traceIdOf(99)), undefined);
});
