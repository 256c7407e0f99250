import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');
const WS = resolve('sample-workspace');


function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return runNode([CLI, ...args], { cwd: WS, env: { SAMPLE_TIME_SCALE: '0.01', INSTRUMENT_FIRST_LOG_FORMAT: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '', NO_COLOR: '1', ...env } });
}

test('run: create-cluster converges in two passes and prints its waterfall', async () => {
  const r = await cli(['run', 'plans/create-cluster.ts']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^trace [0-9a-f]{32}$/m);
  // the runtime that ran it: this checkout's package, named relative to the plan's folder
  const version = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version;
  assert.match(r.stdout, new RegExp(`^runtime instrument-first ${version.replace(/\./g, '\\.')} \\(\\.\\.\\)$`, 'm'));
  for (const name of ['create_security_group', 'configure_ingress', 'create_instances', 'wait_for_instances', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets']) {
    assert.ok(r.stdout.includes(name), `waterfall shows ${name}`);
  }
  assert.match(r.stdout, /pass 2 · converged/);
  assert.match(r.stdout, /✔ converged after 2 passes · 7 steps/);
});

test('run: the waterfall fits COLUMNS when stdout is no terminal (VS Code sets it for its Debug Console), 110 columns without', async () => {
  const widest = (text: string): number => Math.max(...text.split('\n').filter((l) => /ms|µs| s$/.test(l)).map((l) => [...l].length));
  const narrow = await cli(['run', 'plans/create-cluster.ts'], { COLUMNS: '90' });
  assert.equal(narrow.code, 0, narrow.stderr);
  assert.ok(widest(narrow.stdout) <= 90, `widest line ${widest(narrow.stdout)} of 90`);
  const plain = await cli(['run', 'plans/create-cluster.ts'], { COLUMNS: '' });
  assert.ok(widest(plain.stdout) > 90 && widest(plain.stdout) <= 110, `widest line ${widest(plain.stdout)}`);
});

test('run --json: the faulty run converges too, with one ELBv2 call fewer (seen in the trace, not the verdict)', async () => {
  const r = await cli(['run', 'plans/create-cluster.ts', '--export', 'createClusterFaulty', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(out.outcome, 'converged');
  assert.equal(out.passes, 2);
  assert.equal(out.export, 'createClusterFaulty');
  assert.deepEqual(out.spans, { produced: 18, delivered: 18, dropped: 0 });
});

test('run: a missing file, a syntax error, no plan exported, an unknown export → one clear line, exit 1', async () => {
  const missing = await cli(['run', 'plans/nope.ts']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'instrument-first: ./plans/nope.ts: no such file');

  const syntax = await cli(['run', 'broken/syntax-error.ts']);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stderr.trim(), /^instrument-first: \.\/broken\/syntax-error\.ts:8:\d+: syntax error: /);
  assert.equal(syntax.stderr.trim().split('\n').length, 1, 'no stack without --verbose');

  const none = await cli(['run', 'broken/no-plan.ts']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /broken\/no-plan\.ts: no plan exported \(a plan has a string name and a create\(\) method\)/);

  const unknown = await cli(['run', 'plans/checkout.ts', '--export', 'checkoutRelease9']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no export named "checkoutRelease9"; plans exported: checkoutRelease2, default/);
});

test('run: create() throwing and a step throwing name the file and line, exit 1', async () => {
  const c = await cli(['run', 'broken/create-throws.ts']);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /^instrument-first: \.\/broken\/create-throws\.ts:7: create\(\) of plan "create-throws" failed in pass 1: inventory service unreachable \(trace [0-9a-f]{32}\)$/m);
  assert.match(c.stdout, /✗ failed in pass 1/);

  const s = await cli(['run', 'broken/step-throws.ts']);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /broken\/step-throws\.ts:11: step "failing-step" of plan "step-throws" failed in pass 1: quota exceeded/);
  assert.match(s.stdout, /✗ failing-step/);
  assert.doesNotMatch(s.stderr, /at .*\(/, 'no stack');
  const verbose = await cli(['run', 'broken/step-throws.ts', '--verbose']);
  assert.match(verbose.stdout, /at .*step-throws\.ts:11/);
});

test('run: a plan that never converges exits 3 naming the step it still returns', async () => {
  const r = await cli(['run', 'broken/never-converges.ts', '--max-passes', '3']);
  assert.equal(r.code, 3);
  assert.match(r.stdout, /did not converge after 3 passes/);
  assert.match(r.stdout, /still returned: retry-forever/);
});

test('run: usage errors exit 2', async () => {
  assert.equal((await cli(['run'])).code, 2);
  assert.equal((await cli(['run', 'a.ts', '--max-passes', 'zero'])).code, 2);
  assert.equal((await cli(['frobnicate'])).code, 2);
});

test('run: Ctrl-C cancels the run, flushes its spans and exits 130', async () => {
  const child = spawn(process.execPath, [CLI, 'run', 'plans/create-cluster.ts', '--json'], {
    cwd: WS,
    env: { ...process.env, SAMPLE_TIME_SCALE: '1', INSTRUMENT_FIRST_LOG_FORMAT: 'json', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  // The first log line comes from create() of pass 1: the run, and its SIGINT handler, are live.
  child.stderr.once('data', () => setTimeout(() => child.kill('SIGINT'), 100));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 130);
  const out = JSON.parse(stdout) as { outcome: string; spans: { produced: number; delivered: number } };
  assert.equal(out.outcome, 'cancelled');
  assert.ok(out.spans.produced > 0);
  assert.equal(out.spans.delivered, out.spans.produced);
});

test('run: inside VS Code the trace id is followed by a link that opens the run', async () => {
  const r = await cli(['run', 'plans/checkout.ts'], { INSTRUMENT_FIRST_TRACE_LINK: 'vscode://instrument-first.instrument-first/trace/{traceId}' });
  assert.equal(r.code, 0, r.stderr);
  const id = /^trace ([0-9a-f]{32})$/m.exec(r.stdout)![1];
  assert.match(r.stdout, new RegExp(`^open in VS Code: vscode://instrument-first\\.instrument-first/trace/${id}$`, 'm'));
  const plain = await cli(['run', 'plans/checkout.ts']);
  assert.doesNotMatch(plain.stdout, /open in VS Code/);
});
