import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectorStatusText, formatCount, procedureLensText, runOutcomeText, type ProcedureStatsLike, type RunLike } from '../../../src/views/format';

const stats = (over: Partial<ProcedureStatsLike> = {}): ProcedureStatsLike => ({
  procedureId: 'pay',
  procedureType: 'Pay',
  count: 14,
  errors: 1,
  lastMs: 412.3,
  lastRunCount: 2,
  p50Ms: 300,
  p95Ms: 530.2,
  runs: 12,
  recent: [],
  ...over,
});

const run = (over: Partial<RunLike> = {}): RunLike => ({
  traceId: 'a'.repeat(32),
  plan: 'create-cluster',
  startMs: 0,
  durationMs: 3140,
  passes: 2,
  status: 'converged',
  spanCount: 40,
  errorCount: 0,
  ...over,
});

test('procedure lens: last duration, count in last run, p95 over runs, errors', () => {
  assert.equal(procedureLensText(stats()), '412 ms · ×2 last run · p95 530 ms over 12 runs · 1 error');
  assert.equal(procedureLensText(stats({ lastRunCount: 1, runs: 1, errors: 0 })), '412 ms');
  assert.equal(procedureLensText(stats({ lastRunCount: 0, errors: 3 })), 'not in last run · p95 530 ms over 12 runs · 3 errors');
});

test('plan lens: outcome, passes and duration', () => {
  assert.equal(runOutcomeText(run()), 'converged in 2 passes · 3.14 s');
  assert.equal(runOutcomeText(run({ passes: 1, status: 'failed', durationMs: 40, errorCount: 1 })), 'failed in pass 1 · 40 ms · 1 error');
  assert.equal(runOutcomeText(run({ passes: 10, status: 'not_converged' })), 'did not converge after 10 passes · 3.14 s');
  assert.equal(runOutcomeText(run({ passes: 0, status: 'running' })), 'running…');
  assert.equal(runOutcomeText(run({ passes: 2, status: 'running' })), 'running… pass 2');
});

test('status bar text counts spans, runs and evictions', () => {
  assert.equal(formatCount(950), '950');
  assert.equal(formatCount(12_345), '12k');
  assert.equal(formatCount(1234), '1.2k');
  assert.equal(formatCount(2_500_000), '2.5M');
  assert.equal(collectorStatusText({ running: true, spans: 1234, runs: 1, evictedTraces: 0 }), '$(pulse) 1.2k spans · 1 run');
  assert.equal(collectorStatusText({ running: true, spans: 10, runs: 3, evictedTraces: 2 }), '$(pulse) 10 spans · 3 runs · 2 evicted');
  assert.equal(collectorStatusText({ running: false, spans: 0, runs: 0, evictedTraces: 0 }), '$(pulse) Instrument First');
});
