import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsIndex, mergeStats, runForPlan, samePath } from '../../../src/views/lensModel';
import type { ProcedureStatsLike, RunLike } from '../../../src/views/format';
import { missingFromScan, proceduresFromIndex } from '../../../src/views/lintIndex';

const s = (over: Partial<ProcedureStatsLike>): ProcedureStatsLike => ({
  procedureId: 'x',
  procedureType: 'X',
  count: 1,
  errors: 0,
  lastMs: 10,
  lastRunCount: 1,
  p50Ms: 10,
  p95Ms: 10,
  runs: 1,
  recent: [{ traceId: 't1', durationMs: 10, status: 'ok', startMs: 1 }],
  ...over,
});
const r = (traceId: string, plan: string, startMs: number): RunLike => ({ traceId, plan, startMs, durationMs: 1, passes: 2, status: 'converged', spanCount: 1, errorCount: 0 });

test('class procedures match by type and file; function procedures by id', () => {
  const idx = new StatsIndex([
    s({ procedureId: 'pay', procedureType: 'Pay', filepath: '/ws/plans/checkout.ts' }),
    s({ procedureId: 'pay', procedureType: 'Pay', filepath: '/other/shop.ts', lastMs: 99 }),
    s({ procedureId: 'additionalMarkUp', procedureType: 'function' }),
  ]);
  assert.equal(idx.forProcedure({ kind: 'class', key: 'Pay', line: 0 }, '/ws/plans/checkout.ts')?.lastMs, 10);
  assert.equal(idx.forProcedure({ kind: 'function', key: 'additionalMarkUp', line: 0 }, '/ws/plans/checkout.ts')?.procedureId, 'additionalMarkUp');
  assert.equal(idx.forProcedure({ kind: 'class', key: 'Ship', line: 0 }, '/ws/plans/checkout.ts'), undefined);
  // Without code.filepath the type alone decides; with an id literal, the id is a fallback.
  assert.ok(idx.forProcedure({ kind: 'class', key: 'Renamed', line: 0, id: 'additionalMarkUp' }, '/a.ts'));
});

test('instances of one class with different ids merge into one line', () => {
  const m = mergeStats([
    s({ procedureId: 'wait-1', count: 2, lastRunCount: 1, recent: [{ traceId: 't2', durationMs: 5, status: 'ok', startMs: 2 }] }),
    s({ procedureId: 'wait-2', count: 3, errors: 1, lastRunCount: 2, p95Ms: 40, recent: [{ traceId: 't2', durationMs: 7, status: 'error', startMs: 2 }, { traceId: 't1', durationMs: 1, status: 'ok', startMs: 1 }] }),
  ])!;
  assert.equal(m.count, 5);
  assert.equal(m.errors, 1);
  assert.equal(m.lastRunCount, 3);
  assert.equal(m.p95Ms, 40);
  assert.equal(m.runs, 2);
  assert.deepEqual(m.recent.map((x) => [x.traceId, x.durationMs, x.status]), [['t2', 12, 'error'], ['t1', 1, 'ok']]);
});

test('a plan lens shows the newest run stamped with its file and export, or unstamped with its name', () => {
  const stamped = (id: string, start: number, exportName: string) => ({ ...r(id, 'create-cluster', start), planFile: 'plans/create-cluster.ts', exportName });
  const runs = [stamped('a', 1, 'default'), stamped('b', 3, 'createClusterFaulty'), r('c', 'checkout', 4), r('d', 'create-cluster', 2)];
  const plan = { exportName: 'default', line: 0, nameHints: ['create-cluster'] };
  const file = '/ws/plans/create-cluster.ts';
  // b is a run of the other export: never shown here; d (unstamped, from another tool) is newer than a.
  assert.equal(runForPlan(plan, runs, file)?.traceId, 'd');
  assert.equal(runForPlan({ ...plan, exportName: 'createClusterFaulty' }, runs, file)?.traceId, 'b');
  assert.equal(runForPlan(plan, runs.filter((x) => x.traceId !== 'd'), file)?.traceId, 'a');
  // A stamped run of another file with the same plan name is not this file's.
  assert.equal(runForPlan(plan, [stamped('e', 9, 'default')], '/ws/other/create-cluster-copy.ts'), undefined);
  assert.equal(runForPlan({ ...plan, nameHints: [] }, [r('d', 'create-cluster', 2)], file), undefined);
});

test('samePath tolerates relative code.filepath and Windows separators', () => {
  assert.ok(samePath('/ws/plans/a.ts', '/ws/plans/a.ts'));
  assert.ok(samePath('plans/a.ts', '/ws/plans/a.ts'));
  assert.ok(samePath('C:\\ws\\plans\\a.ts', 'c:/ws/plans/a.ts'));
  assert.ok(!samePath('/ws/plans/a.ts', '/ws/plans/b.ts'));
});

test('the linter index maps to procedures: classes by type name, helpers by id; it only adds what the scan missed', () => {
  const range = (line: number) => ({ start: 0, end: 1, startLine: line, startColumn: 0, endLine: line, endColumn: 1 });
  const index = {
    plans: [],
    procedures: [
      { key: 'f#Pay', kind: 'class-implements' as const, name: 'Pay', typeName: 'Pay', id: { text: "'pay'", value: 'pay' }, file: 'f', declaration: range(3), doRange: range(5), returns: [] },
      { key: 'f@9', kind: 'helper' as const, typeName: 'function', id: { text: "'markup'", value: 'markup' }, file: 'f', declaration: range(9), doRange: range(9), returns: [] },
      { key: 'f#Lit', kind: 'object-literal' as const, name: 'lit', typeName: 'object', id: { text: 'x' }, file: 'f', declaration: range(12), doRange: range(12), returns: [] },
    ],
  };
  const coverage = { workspace: { found: 3, instrumented: 2 }, plans: [], procedures: [{ key: 'f#Pay', typeName: 'Pay', id: 'pay', file: 'f', line: 3, instrumented: false }] };
  const out = proceduresFromIndex(index, coverage);
  assert.deepEqual(out.map((p) => [p.procedure.kind, p.procedure.key, p.procedure.line, p.instrumented]), [
    ['class', 'Pay', 3, false],
    ['function', 'markup', 9, undefined],
    ['function', 'lit', 12, undefined],
  ]);
  assert.deepEqual(missingFromScan(out, [{ kind: 'class', key: 'Pay', line: 3 }]).map((p) => p.key), ['markup', 'lit']);
});
