import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { withCollector } from './helpers';
import { recordSource } from '../../../src/collector/store/queries/recordSource';
import { summarizeRun } from '../../../src/summary/runSummary';
import { buildBaseline } from '../../../src/baseline/baseline';
import { compareShape } from '../../../src/baseline/compare';
import { runPlan } from '../../../src/testing/runPlan';
import { loadFreshPlan } from '../../../src/cli/freshPlan';

const exec = promisify(execFile);
const WS = resolve('sample-workspace');

// The same plan summarised twice by one function: once from spans that travelled through the
// official OTLP/HTTP exporter into the collector's store (records), once in process (span views).
test('a run summary is the same shape whether its spans came over OTLP into the collector or stayed in process', async () => {
  process.env.SAMPLE_TIME_SCALE = '0.02';
  await withCollector({}, async (c, endpoint) => {
    for (const exportName of ['default', 'createClusterFaulty']) {
      const { stdout } = await exec(process.execPath, [resolve('dist/cli.js'), 'run', 'plans/create-cluster.ts', '--export', exportName, '--endpoint', endpoint, '--json', '--log', 'none'], {
        cwd: WS,
        env: { ...process.env, SAMPLE_TIME_SCALE: '0.02' },
      });
      const traceId = (JSON.parse(stdout) as { traceId: string }).traceId;
      c.store.flushChanges();
      const entry = c.store.entry(traceId)!;
      const fromCollector = summarizeRun(recordSource(entry.spans()), { pin: ['elbv2.registered_targets'] });
      assert.equal(fromCollector.traceId, traceId);
      const inProcess = (await runPlan(loadFreshPlan('plans/create-cluster.ts', exportName, WS).plan, { pin: ['elbv2.registered_targets'] })).trace.summary;
      const shape = buildBaseline([inProcess], { planFile: 'create-cluster.ts', exportName, pin: ['elbv2.registered_targets'] });
      assert.deepEqual(compareShape(shape, fromCollector), [], exportName);
      const reg = fromCollector.passes[0]!.steps.find((s) => s.procedureId === 'register_cluster_node_to_lb')!;
      assert.equal(reg.calls.filter((x) => x.service === 'ELBv2').reduce((n, x) => n + x.count, 0), exportName === 'default' ? 2 : 1);
    }
  });
});
