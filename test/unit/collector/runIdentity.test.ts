import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { withCollector } from './helpers';
import type { Collector } from '../../../src/collector';
import { Env } from '../../../src/protocol/envVars';
import { Attr } from '../../../src/protocol/attributes';

const exec = promisify(execFile);

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'sample-workspace'))) dir = dirname(dir);
  return dir;
}

/** The real CLI, launched as the extension launches it: a launch id and a run kind in the environment. */
async function runSample(c: Collector, endpoint: string, file: string, exportName: string | undefined, env: Record<string, string>): Promise<string> {
  const root = repoRoot();
  const args = [join(root, 'dist', 'cli.js'), 'run', join('plans', file), '--endpoint', endpoint, '--json', '--log', 'none'];
  if (exportName) args.push('--export', exportName);
  const { stdout } = await exec(process.execPath, args, { cwd: join(root, 'sample-workspace'), env: { ...process.env, SAMPLE_TIME_SCALE: '0.02', ...env } });
  c.store.flushChanges();
  return (JSON.parse(stdout) as { traceId: string }).traceId;
}

test('a run carries its plan file, export, run kind and launch id; two exports of one plan name are told apart', async () => {
  await withCollector({}, async (c, endpoint) => {
    const good = await runSample(c, endpoint, 'create-cluster.ts', undefined, { [Env.sessionId]: 'launch-1', [Env.runKind]: 'run' });
    const bad = await runSample(c, endpoint, 'create-cluster.ts', 'createClusterFaulty', { [Env.sessionId]: 'launch-2', [Env.runKind]: 'debug' });
    const a = c.store.run(good)!;
    const b = c.store.run(bad)!;
    assert.equal(a.plan, b.plan, 'both exports share the plan name');
    assert.deepEqual([a.planFile, a.exportName, a.runKind, a.launchId], ['plans/create-cluster.ts', 'default', 'run', 'launch-1']);
    assert.deepEqual([b.planFile, b.exportName, b.runKind, b.launchId], ['plans/create-cluster.ts', 'createClusterFaulty', 'debug', 'launch-2']);
    // Debugged runs stay out of statistics when asked: only the plain run is counted.
    const all = c.store.procedureStats({}).find((s) => s.procedureId === 'register_cluster_node_to_lb')!;
    const plain = c.store.procedureStats({ excludeDebug: true }).find((s) => s.procedureId === 'register_cluster_node_to_lb')!;
    assert.equal(all.runs, 2);
    assert.equal(plain.runs, 1);
    assert.deepEqual(plain.recent.map((r) => r.traceId), [good]);
  });
});

test('a call made through a helper records the step\'s line that called it (code.lineno), not the step\'s class line', async () => {
  await withCollector({}, async (c, endpoint) => {
    const id = await runSample(c, endpoint, 'create-cluster.ts', undefined, {});
    const calls = c.store.trace(id).filter((s) => s.attributes[Attr.kind] === 'call' && String(s.name).startsWith('ELBv2'));
    assert.ok(calls.length > 0);
    // sample-workspace/plans/create-cluster.ts: CreateLoadBalancer on line 80, DescribeTargetGroups 97, RegisterTargets 101 (via cloudCall()).
    const lineOf = (op: string) => calls.filter((s) => String(s.name).includes(op)).map((s) => [String(s.attributes[Attr.codeFilepath]).replace(/\\/g, '/').replace(/.*\/sample-workspace\//, ''), s.attributes[Attr.codeLineno]]);
    assert.deepEqual(lineOf('CreateLoadBalancer')[0], ['plans/create-cluster.ts', 80]);
    assert.deepEqual(lineOf('DescribeTargetGroups')[0], ['plans/create-cluster.ts', 97]);
    assert.deepEqual(lineOf('RegisterTargets')[0], ['plans/create-cluster.ts', 101]);
  });
});
