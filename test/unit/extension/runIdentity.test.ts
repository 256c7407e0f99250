import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRunOf, latestPerKey, runKey, runTitle, sameRunKey, samePath } from '../../../src/views/runIdentity';
import { runLabel, type RunLike } from '../../../src/views/format';
import { relativeInText, relativeToRoots } from '../../../src/timelineModel/workspacePaths';
import { rowMeaning } from '../../../src/timelineModel/compareModel';
import type { CompareRow } from '../../../src/protocol/timelineMessages';
import { spanHasError } from '../../../src/views/spanErrors';

const run = (over: Partial<RunLike>): RunLike => ({ traceId: 't', plan: 'create-cluster', startMs: 1, durationMs: 10, passes: 2, status: 'converged', spanCount: 5, errorCount: 0, ...over });

test('runs are keyed and labelled by plan file and export; debug runs are marked', () => {
  const a = run({ planFile: 'plans/create-cluster.ts', exportName: 'default' });
  const b = run({ planFile: 'plans/create-cluster.ts', exportName: 'createClusterFaulty', runKind: 'debug' });
  assert.notEqual(runKey(a), runKey(b));
  assert.equal(sameRunKey(a, run({ planFile: 'plans\\create-cluster.ts', exportName: 'default' })), true);
  assert.equal(runTitle(a), 'create-cluster');
  assert.equal(runTitle(b), 'create-cluster · createClusterFaulty');
  assert.deepEqual(runLabel(b), { label: 'create-cluster · createClusterFaulty', description: 'debug · converged in 2 passes · 10 ms' });
  // Unstamped runs (other tools) fall back to the plan name.
  assert.equal(runKey(run({})), 'plan:create-cluster');
});

test('a stamped run belongs to its file and export only; unstamped ones by plan name', () => {
  const r = run({ planFile: 'plans/create-cluster.ts', exportName: 'createClusterFaulty' });
  assert.equal(isRunOf(r, '/ws/plans/create-cluster.ts', 'createClusterFaulty', []), true);
  assert.equal(isRunOf(r, '/ws/plans/create-cluster.ts', 'default', ['create-cluster']), false);
  assert.equal(isRunOf(r, '/ws/plans/other.ts', 'createClusterFaulty', []), false);
  assert.equal(isRunOf(run({}), '/ws/x.ts', 'default', ['create-cluster']), true);
  assert.equal(samePath('C:\\ws\\plans\\a.ts', 'c:/ws/plans/a.ts'), true);
});

test('the latest run per plan and export', () => {
  const runs = [
    run({ traceId: 'c2', plan: 'checkout', startMs: 5, planFile: 'plans/checkout.ts' }),
    run({ traceId: 'k1', startMs: 4, planFile: 'plans/create-cluster.ts' }),
    run({ traceId: 'c1', plan: 'checkout', startMs: 3, planFile: 'plans/checkout.ts' }),
  ];
  const latest = latestPerKey(runs);
  assert.deepEqual([...latest.values()].map((r) => r.traceId).sort(), ['c2', 'k1']);
});

test('paths under a workspace folder are shown relative; others as they are', () => {
  assert.equal(relativeToRoots('/home/me/ws/plans/a.ts', ['/home/me/ws']), 'plans/a.ts');
  assert.equal(relativeToRoots('/home/me/wsx/a.ts', ['/home/me/ws']), '/home/me/wsx/a.ts');
  assert.equal(relativeToRoots('/a/b/c.ts', ['/a', '/a/b']), 'c.ts');
  assert.equal(relativeInText('Error\n    at X (/home/me/ws/plans/a.ts:3:1)', ['/home/me/ws']), 'Error\n    at X (plans/a.ts:3:1)');
});

test('compare colours by meaning: fewer calls or a new error is worse even when faster', () => {
  const base: CompareRow = { change: 'changed', procedureId: 'register', pass: 1, occurrence: 0, calls: [], services: [], reasons: [], durationMsA: 300, durationMsB: 150 };
  assert.equal(rowMeaning({ ...base, calls: [{ name: 'ELBv2 RegisterTargets', countA: 1, countB: 0 }] }), 'worse');
  assert.equal(rowMeaning({ ...base, statusA: 'ok', statusB: 'error' }), 'worse');
  assert.equal(rowMeaning(base), 'neutral', 'faster alone is not better, and not green');
  assert.equal(rowMeaning({ ...base, durationMsB: 900 }), 'slower');
});

test('one notion of error: status ERROR or an exception event', () => {
  assert.equal(spanHasError({ status: 'unset', events: [{ name: 'exception', timeMs: 1, attributes: {} }] }), true);
  assert.equal(spanHasError({ status: 'error', events: [] }), true);
  assert.equal(spanHasError({ status: 'ok', events: [{ name: 'log', timeMs: 1, attributes: {} }] }), false);
});
