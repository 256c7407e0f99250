// The views read run summaries, computed once per trace version: a summary is reused, not
// recomputed; a re-sent span recomputes it; the figures the lenses, hovers, coverage and the
// compare draw from summaries equal those the collector's span queries give on the sample runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SpanStore, type Collector } from '../../../src/collector';
import { recordSource } from '../../../src/collector/store/queries/recordSource';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { Env } from '../../../src/protocol/envVars';
import { SummaryCache } from '../../../src/summary/summaryCache';
import { diffSummaries } from '../../../src/summary/summaryDiff';
import { procedureLensText } from '../../../src/views/format';
import { StatsIndex, documentLensModel } from '../../../src/views/lensModel';
import { callCounts } from '../../../src/views/procedureHoverModel';
import { callCountsOf, procedureStatsFromSummaries } from '../../../src/summary/procedureStats';
import { executedInLatestRuns, indexRuns } from '../../../src/views/procedureRuns';
import { scanPlanSource } from '../../../src/views/planScan';
import { jsonRequest, planRun, spanIdOf, traceIdOf, withCollector, type SpanSpec } from '../collector/helpers';

const exec = promisify(execFile);

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'sample-workspace'))) dir = dirname(dir);
  return dir;
}

function cacheOver(store: SpanStore): SummaryCache {
  return new SummaryCache({
    version: (id) => store.entry(id)?.version,
    complete: (id) => store.entry(id)?.finished ?? false,
    spans: (id) => recordSource(store.records(id)),
  });
}

async function runSample(c: Collector, endpoint: string, file: string, exportName: string | undefined, runKind: 'run' | 'debug'): Promise<string> {
  const root = repoRoot();
  const args = [join(root, 'dist', 'cli.js'), 'run', join('plans', file), '--endpoint', endpoint, '--json', '--log', 'none'];
  if (exportName) args.push('--export', exportName);
  const { stdout } = await exec(process.execPath, args, { cwd: join(root, 'sample-workspace'), env: { ...process.env, SAMPLE_TIME_SCALE: '0.02', [Env.runKind]: runKind } });
  c.store.flushChanges();
  return (JSON.parse(stdout) as { traceId: string }).traceId;
}

test("sample runs: the editor's cached summaries give the collector's statistics, lens texts, coverage and compare; hover call counts equal those counted from spans", async () => {
  await withCollector({}, async (c, endpoint) => {
    const good1 = await runSample(c, endpoint, 'create-cluster.ts', undefined, 'run');
    const faulty = await runSample(c, endpoint, 'create-cluster.ts', 'createClusterFaulty', 'run');
    const debug = await runSample(c, endpoint, 'create-cluster.ts', undefined, 'debug');
    const good2 = await runSample(c, endpoint, 'create-cluster.ts', undefined, 'run');
    const co1 = await runSample(c, endpoint, 'checkout.ts', undefined, 'run');
    const co2 = await runSample(c, endpoint, 'checkout.ts', 'checkoutRelease2', 'run');
    const store = c.store;
    const cache = cacheOver(store);
    const runs = store.runs();
    // The collector's query and the editor's views share the aggregation; the editor reads summaries
    // through its cache (by trace version), the collector computes them afresh: they must agree.
    for (const query of [{}, { excludeDebug: true }, { lastRuns: 2 }, { plan: 'checkout' }]) {
      const fromSummaries = procedureStatsFromSummaries(runs, (id) => cache.get(id), query);
      assert.deepEqual(fromSummaries, store.procedureStats(query), `statistics for ${JSON.stringify(query)}`);
    }
    // And the figures are the runs' own: four create-cluster runs (one debug), the register step once per run.
    const register = store.procedureStats({}).find((s) => s.procedureId === 'register_cluster_node_to_lb')!;
    assert.equal(register.runs, 4);
    assert.equal(register.count, 4);
    assert.equal(store.procedureStats({ plan: 'checkout' }).find((s) => s.procedureId === 'additionalMarkUp')?.runs, 1);
    // Debug runs left out: the debugged run is not among the register step's recent runs.
    const plain = procedureStatsFromSummaries(runs, (id) => cache.get(id), { excludeDebug: true }).find((s) => s.procedureId === 'register_cluster_node_to_lb')!;
    assert.ok(!plain.recent.some((r) => r.traceId === debug));
    assert.deepEqual(plain.recent.map((r) => r.traceId).sort(), [good1, faulty, good2].sort());

    // The lens texts of both sample plans, both ways.
    for (const file of ['create-cluster.ts', 'checkout.ts']) {
      const path = join(repoRoot(), 'sample-workspace', 'plans', file);
      const scan = scanPlanSource(readFileSync(path, 'utf8'));
      const texts = (index: StatsIndex) => documentLensModel(scan, path, index, runs).procedures.map((p) => (p.stats ? procedureLensText(p.stats) : 'not run'));
      const a = texts(new StatsIndex(procedureStatsFromSummaries(runs, (id) => cache.get(id), { excludeDebug: true })));
      const b = texts(new StatsIndex(store.procedureStats({ excludeDebug: true })));
      assert.deepEqual(a, b, file);
      assert.ok(a.some((t) => t !== 'not run'), `${file}: some procedure ran`);
    }

    // Hover: calls per service operation below each procedure, from summaries and from spans.
    for (const id of [good1, faulty, co1, co2]) {
      const summary = cache.get(id)!;
      const ids = new Set(summary.passes.flatMap((p) => p.steps.map((s) => s.procedureId)));
      for (const pid of ids) assert.deepEqual(callCountsOf(summary, pid), callCounts(store.trace(id), pid), `${pid} in ${id}`);
    }
    const faultyCalls = callCountsOf(cache.get(faulty)!, 'register_cluster_node_to_lb');
    const goodCalls = callCountsOf(cache.get(good1)!, 'register_cluster_node_to_lb');
    assert.equal(goodCalls.get('ELBv2 RegisterTargets'), 1);
    assert.equal(faultyCalls.get('ELBv2 RegisterTargets') ?? 0, 0);

    // Coverage's "executed": same procedures either way.
    const index = indexRuns(runs);
    assert.deepEqual(executedInLatestRuns(procedureStatsFromSummaries(runs, (id) => cache.get(id)), index), executedInLatestRuns(store.procedureStats({}), index));

    // The compare: the same steps added, removed and changed, with the same call counts.
    const shape = (d: NonNullable<ReturnType<SpanStore['diff']>>) => ({
      added: d.added.map((s) => [s.pass, s.procedureId, s.occurrence, s.calls]),
      removed: d.removed.map((s) => [s.pass, s.procedureId, s.occurrence, s.calls]),
      changed: d.changed.map((s) => [s.pass, s.procedureId, s.occurrence, s.reasons.filter((r) => r !== 'duration'), s.calls, s.statusA, s.statusB]).filter((x) => (x[3] as string[]).length),
      delta: d.durationDeltaMs,
    });
    for (const [a, b] of [[good1, faulty], [co1, co2], [good1, good2]] as const) {
      const fromSummaries = diffSummaries(cache.get(a)!, cache.get(b)!, store.run(a)!, store.run(b)!);
      assert.deepEqual(shape(fromSummaries), shape(store.diff(a, b)!), `${a}..${b}`);
    }
    const incident2 = diffSummaries(cache.get(co1)!, cache.get(co2)!, store.run(co1)!, store.run(co2)!);
    assert.ok(incident2.added.some((s) => s.procedureId === 'additionalMarkUp'));
  });
});

test('a summary is computed once per trace version and reused by every read', () => {
  const store = new SpanStore();
  importOtlpJson(store, jsonRequest(planRun(1, 'deploy', [[['build', 10, ['npm ci', 'tsc']], ['test', 5, []]], []])));
  importOtlpJson(store, jsonRequest(planRun(2, 'deploy', [[['build', 20, ['npm ci']], ['test', 5, []]], []])));
  const cache = cacheOver(store);
  assert.deepEqual(cache.changed([traceIdOf(1), traceIdOf(2)]), [traceIdOf(1), traceIdOf(2)], 'both complete: summarised when told');
  assert.equal(cache.computed, 2);
  const first = cache.get(traceIdOf(1));
  for (let i = 0; i < 5; i++) procedureStatsFromSummaries(store.runs(), (id) => cache.get(id));
  assert.equal(cache.computed, 2, 'statistics read five times: no summary computed again');
  assert.equal(cache.get(traceIdOf(1)), first, 'the same object');
  assert.deepEqual(cache.changed([traceIdOf(1)]), [], 'told again without a change: nothing recomputed');
  assert.ok(cache.reused >= 11);
});

test('a re-sent span of a completed trace recomputes its summary (last write wins); a deleted trace is forgotten', () => {
  const store = new SpanStore();
  const spans = planRun(1, 'deploy', [[['build', 10, ['npm ci']], ['test', 5, []]], []]);
  importOtlpJson(store, jsonRequest(spans));
  const cache = cacheOver(store);
  const before = cache.get(traceIdOf(1))!;
  const build = (s: typeof before) => s.passes[0]!.steps.find((x) => x.procedureId === 'build')!;
  assert.equal(build(before).durationMs, 10);
  assert.equal(build(before).failed, false);
  // The build step re-sent: longer and failed.
  const resent: SpanSpec = { ...spans.find((s) => s.name === 'build')!, endMs: spans.find((s) => s.name === 'build')!.startMs + 25, status: 2 };
  importOtlpJson(store, jsonRequest([resent]));
  assert.deepEqual(cache.changed([traceIdOf(1)]), [traceIdOf(1)], 'recomputed when told of the change');
  const after = cache.get(traceIdOf(1))!;
  assert.notEqual(after, before);
  assert.equal(build(after).durationMs, 25);
  assert.equal(build(after).failed, true);
  const stats = procedureStatsFromSummaries(store.runs(), (id) => cache.get(id)).find((s) => s.procedureId === 'build')!;
  assert.deepEqual([stats.lastMs, stats.errors], [25, 1]);
  assert.deepEqual(stats, store.procedureStats({}).find((s) => s.procedureId === 'build'));
  store.deleteTrace(traceIdOf(1));
  assert.deepEqual(cache.changed([traceIdOf(1)]), []);
  assert.equal(cache.get(traceIdOf(1)), undefined);
  assert.equal(cache.size, 0);
});

test('a run still in flight (no root, no running pass span): its finished steps count, re-summarised at most once per interval', () => {
  const store = new SpanStore();
  const spans = planRun(1, 'deploy', [[['build', 10, ['npm ci']], ['test', 5, []]], [['lint', 3, []]], []]);
  // Pass 1 finished (its span arrived), pass 2 running: its step `lint` arrived without its pass.
  const partial = spans.filter((s) => s.name !== 'plan deploy' && s.name !== 'pass 2' && s.name !== 'pass 3');
  importOtlpJson(store, jsonRequest(partial));
  let now = 0;
  const cache = new SummaryCache(
    { version: (id) => store.entry(id)?.version, complete: (id) => store.entry(id)?.finished ?? false, spans: (id) => recordSource(store.records(id)) },
    { runningIntervalMs: 100, now: () => now },
  );
  assert.deepEqual(cache.changed([traceIdOf(1)]), [], 'not complete: not summarised eagerly');
  const preview = cache.get(traceIdOf(1))!;
  assert.deepEqual(preview.passes.map((p) => [p.pass, p.steps.map((s) => s.procedureId)]), [[1, ['build', 'test']], [2, ['lint']]]);
  const stats = procedureStatsFromSummaries(store.runs(), (id) => cache.get(id));
  assert.deepEqual(stats.map((s) => [s.procedureId, s.count]), store.procedureStats({}).map((s) => [s.procedureId, s.count]));
  // More spans arrive: within the interval the preview stands, after it it is recomputed.
  importOtlpJson(store, jsonRequest([{ ...spans.find((s) => s.name === 'lint')!, spanId: spanIdOf(99_999), startMs: spans.find((s) => s.name === 'lint')!.endMs }]));
  assert.equal(cache.get(traceIdOf(1)), preview);
  now = 150;
  assert.equal(cache.get(traceIdOf(1))!.passes[1]!.steps.length, 2);
  // The root arrives: complete, summarised at once whatever the interval.
  importOtlpJson(store, jsonRequest(spans.filter((s) => !partial.includes(s))));
  assert.deepEqual(cache.changed([traceIdOf(1)]), [traceIdOf(1)]);
  assert.equal(cache.get(traceIdOf(1))!.outcome, 'converged');
});
