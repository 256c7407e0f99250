import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { withCollector } from './helpers';
import type { Collector } from '../../../src/collector';

const exec = promisify(execFile);

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'sample-workspace'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** Runs a sample plan with the real CLI (`node dist/cli.js run … --endpoint`) and returns its trace id. */
async function runSample(c: Collector, endpoint: string, file: string, exportName?: string): Promise<string> {
  const root = repoRoot();
  const cli = join(root, 'dist', 'cli.js');
  assert.ok(existsSync(cli), 'dist/cli.js is built by `node esbuild.mjs --tests` (npm run test:unit)');
  const args = [cli, 'run', join(root, 'sample-workspace', 'plans', file), '--endpoint', endpoint, '--json', '--log', 'none'];
  if (exportName) args.push('--export', exportName);
  const { stdout } = await exec(process.execPath, args, { cwd: root, env: { ...process.env, SAMPLE_TIME_SCALE: '0.02' } }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const result = JSON.parse(stdout) as { traceId: string };
  c.store.flushChanges();
  return result.traceId;
}

test('incident 1: the faulty create-cluster run makes one ELBv2 call instead of two in register_cluster_node_to_lb', async () => {
  await withCollector({}, async (c, endpoint) => {
    const good = await runSample(c, endpoint, 'create-cluster.ts');
    const bad = await runSample(c, endpoint, 'create-cluster.ts', 'createClusterFaulty');
    assert.equal(c.store.run(good)?.status, 'converged');
    assert.equal(c.store.run(bad)?.status, 'converged', 'the incident: the cloud reported no error');
    const d = c.store.diff(good, bad)!;
    const step = d.changed.find((s) => s.procedureId === 'register_cluster_node_to_lb');
    assert.ok(step, 'register_cluster_node_to_lb is listed as changed');
    assert.ok(step.reasons.includes('calls'));
    const elb = step.calls.filter((x) => x.name.startsWith('ELBv2'));
    const sum = (k: 'countA' | 'countB') => elb.reduce((n, x) => n + x[k], 0);
    assert.equal(sum('countA'), 2);
    assert.equal(sum('countB'), 1);
    assert.equal(d.changed[0]!.procedureId, 'register_cluster_node_to_lb', 'call-count changes come first');
    assert.equal(d.added.length + d.removed.length, 0);
  });
});

test('incident 2: checkout release 2 adds the step additionalMarkUp', async () => {
  await withCollector({}, async (c, endpoint) => {
    const r1 = await runSample(c, endpoint, 'checkout.ts');
    const r2 = await runSample(c, endpoint, 'checkout.ts', 'checkoutRelease2');
    const d = c.store.diff(r1, r2)!;
    assert.deepEqual(d.added.map((s) => s.procedureId), ['additionalMarkUp']);
    assert.equal(d.removed.length, 0);
    // Release 2 is slower by the new step, which waits for the pricing service (4.5 s × SAMPLE_TIME_SCALE
    // 0.02 = 90 ms; timers never fire early). The whole runs' delta is not asserted: under load the
    // other steps' noise can exceed it.
    assert.ok((d.added[0]!.durationMsB ?? 0) >= 89, `additionalMarkUp took ${d.added[0]!.durationMsB} ms`);
    assert.equal(d.durationDeltaMs, d.b.durationMs - d.a.durationMs);
    const stats = c.store.procedureStats({ plan: d.b.plan }).find((s) => s.procedureId === 'additionalMarkUp')!;
    assert.equal(stats.runs, 1);
  });
});
