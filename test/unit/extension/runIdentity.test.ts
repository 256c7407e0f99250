import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRunOf, latestPerKey, runKey, runTitle, sameRunKey, samePath } from '../../../src/views/runIdentity';
import { runLabel, type RunLike } from '../../../src/views/format';
import { relativeInText, relativeToRoots } from '../../../src/timelineModel/workspacePaths';
import { rowMeaning } from '../../../src/timelineModel/compareModel';
import type { CompareRow } from '../../../src/protocol/timelineMessages';
import { spanHasError } from '../../../src/views/spanErrors';
import { executedInLatestRuns, indexRuns, procedureRunState } from '../../../src/views/procedureRuns';
import { callCounts, callLines, callLineText, comparableFigures, procedureAtLine } from '../../../src/views/procedureHoverModel';

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

test('"last run" is per plan: running checkout does not make create-cluster steps stale', () => {
  const full = (traceId: string, plan: string, startMs: number) =>
    ({ ...run({ traceId, plan, startMs, planFile: `plans/${plan}.ts`, exportName: 'default' }), kind: 'plan', serviceName: 's' }) as const;
  const runs = indexRuns([full('co2', 'checkout', 4), full('cc2', 'create-cluster', 3), full('co1', 'checkout', 2), full('cc1', 'create-cluster', 1)]);
  const rec = (...ids: string[]) => ({ recent: ids.map((traceId) => ({ traceId, durationMs: 1, status: 'ok' as const, startMs: 0 })) });
  assert.equal(procedureRunState(rec('cc2', 'cc1'), runs).kind, 'in-last-run');
  assert.equal(procedureRunState(rec('cc1'), runs).kind, 'not-in-last-run');
  assert.equal(procedureRunState(undefined, runs).kind, 'not-run');
  const executed = executedInLatestRuns(
    [
      { procedureId: 'create_security_group', procedureType: 'CreateSecurityGroup', ...rec('cc2') },
      { procedureId: 'charge', procedureType: 'Charge', ...rec('co2') },
      { procedureId: 'old', procedureType: 'Old', ...rec('co1') },
    ],
    runs,
  );
  assert.deepEqual(executed.ids.sort(), ['charge', 'create_security_group']);
});

test('hover: the class line, the id string and do() belong to their procedure; other lines do not', () => {
  const lines = ['class A implements Procedure {', "  readonly id = 'a';", '  private x = 1;', '  async do(ctx) {', '  }', '}', 'class B implements Procedure {', "  readonly id = 'b';"];
  const procs = [{ line: 0, key: 'A' }, { line: 6, key: 'B' }];
  assert.deepEqual([0, 1, 2, 3, 6, 7].map((l) => procedureAtLine(procs, lines, l)?.key), ['A', 'A', undefined, 'A', 'B', 'B']);
});

test('hover: calls per service and operation with their usual count over comparable runs', () => {
  const span = (spanId: string, parentSpanId: string | undefined, name: string, kind: string, procedureId?: string) => ({
    traceId: 't', spanId, ...(parentSpanId ? { parentSpanId } : {}), name, startMs: 0, endMs: 1, status: 'unset' as const, events: [],
    attributes: { 'instrument_first.kind': kind, ...(procedureId ? { 'procedure.id': procedureId } : {}) },
  });
  const runOf = (n: number) => [span('s', undefined, 'register', 'step', 'register'), ...Array.from({ length: n }, (_, i) => span(`c${i}`, 's', i === 0 ? 'ELBv2 DescribeTargetGroups' : 'ELBv2 RegisterTargets', 'call'))];
  assert.deepEqual([...callCounts(runOf(2), 'register')], [['ELBv2 DescribeTargetGroups', 1], ['ELBv2 RegisterTargets', 1]]);
  const lines = callLines(callCounts(runOf(1), 'register'), [callCounts(runOf(2), 'register'), callCounts(runOf(2), 'register')]);
  assert.deepEqual(lines.map(callLineText), ['ELBv2 × 1, usually × 2', 'ELBv2 DescribeTargetGroups × 1', 'ELBv2 RegisterTargets × 0, usually × 1']);
  // Figures over comparable runs only: the other export's run is left out.
  const r = (traceId: string, exportName: string) => [traceId, { ...run({ traceId, planFile: 'plans/c.ts', exportName }), kind: 'plan' as const, serviceName: 's' }] as const;
  const byId = new Map([r('t3', 'default'), r('t2', 'faulty'), r('t1', 'default')]);
  const rec = (traceId: string, durationMs: number) => ({ traceId, durationMs, status: 'ok' as const, startMs: 0 });
  const f = comparableFigures({ recent: [rec('t3', 10), rec('t2', 1000), rec('t1', 30)] }, byId);
  assert.deepEqual(f.traceIds, ['t3', 't1']);
  assert.equal(f.p95Ms, 30);
});
