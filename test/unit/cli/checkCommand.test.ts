import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');
const WS = resolve('sample-workspace');


function cli(args: string[], scale: string, cwd = WS): Promise<Ran> {
  return runNode([CLI, ...args], { cwd, env: { SAMPLE_TIME_SCALE: scale, OTEL_EXPORTER_OTLP_ENDPOINT: '', NO_COLOR: '1' } });
}

// The committed baselines were recorded at SAMPLE_TIME_SCALE=1; a faster world never regresses,
// so the shape checks run fast. The release-2 check runs at 0.25: even four times faster than
// life, the new step makes checkout slower than release 1 at full speed.
test('check: the good sample plans match their committed baselines', async () => {
  const r = await cli(['check', 'plans/create-cluster.ts', 'plans/checkout.ts', '--runs', '2'], '0.02');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^✔ create-cluster · plans\/create-cluster\.ts against plans\/create-cluster\.baseline\.json: matches \(2 runs/m);
  assert.match(r.stdout, /^✔ checkout · plans\/checkout\.ts against plans\/checkout\.baseline\.json: matches/m);
  assert.match(r.stdout, /^2 plans match their baselines$/m);
});

test('check: createClusterFaulty against the create-cluster baseline names the step and the missing RegisterTargets call', async () => {
  const r = await cli(['check', 'plans/create-cluster.ts', '--export', 'createClusterFaulty', '--baseline', 'plans/create-cluster.baseline.json', '--runs', '2'], '0.02');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^ {2}pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0$/m);
  assert.match(r.stdout, /~ register_cluster_node_to_lb .*ELBv2 RegisterTargets 1→0/);
});

test('check: checkoutRelease2 against the checkout baseline names additionalMarkUp and the duration', async () => {
  const r = await cli(['check', 'plans/checkout.ts', '--export', 'checkoutRelease2', '--baseline', 'plans/checkout.baseline.json', '--runs', '3'], '0.25');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^ {2}pass 1 · additionalMarkUp: new step \(not in the baseline\), calling pricing GetMarkUp$/m);
  assert.match(r.stdout, /^ {2}plan: duration of checkout: the fastest of 3 runs took [\d.]+ s, above the limit [\d.]+ m?s/m);
  assert.match(r.stdout, /\+ additionalMarkUp/);
});

test('baseline record, check in every format, --update, and usage errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'if-baseline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(WS, 'plans'), join(dir, 'plans'), { recursive: true });
  cpSync(join(WS, 'cloud'), join(dir, 'cloud'), { recursive: true });
  cpSync(join(WS, 'shop'), join(dir, 'shop'), { recursive: true });
  rmSync(join(dir, 'plans', 'create-cluster.baseline.json'));
  rmSync(join(dir, 'plans', 'checkout.baseline.json'));

  const rec = await cli(['baseline', 'record', 'plans/create-cluster.ts', '--runs', '3', '--pin', 'ec2.instance_count'], '0.02', dir);
  assert.equal(rec.code, 0, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /^recorded plans\/create-cluster\.baseline\.json from 3 runs of create-cluster: outcome converged, 2 passes, 7 steps, 9 calls/m);
  const file = join(dir, 'plans', 'create-cluster.baseline.json');
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { pin: string[]; runs: number; passes: Array<{ steps: Array<{ key: string; filepath?: string; pinned?: object }> }> };
  assert.deepEqual(saved.pin, ['ec2.instance_count']);
  assert.equal(saved.passes[0]!.steps[3]!.key, 'create_instances#0');
  assert.deepEqual(saved.passes[0]!.steps[3]!.pinned, { 'ec2.instance_count': 3 });
  assert.equal(saved.passes[0]!.steps[0]!.filepath, 'create-cluster.ts', 'code locations relative to the baseline');

  const faulty = ['check', 'plans/create-cluster.ts', '--export', 'createClusterFaulty', '--baseline', 'plans/create-cluster.baseline.json', '--runs', '1'];
  const junit = await cli([...faulty, '--format', 'junit'], '0.02', dir);
  assert.equal(junit.code, 1);
  assert.match(junit.stdout, /<failure message="pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0" type="calls">/);
  const sarif = await cli([...faulty, '--format', 'sarif', '--out', join(dir, 'check.sarif')], '0.02', dir);
  assert.equal(sarif.code, 1);
  assert.equal(sarif.stdout, '');
  const log = JSON.parse(readFileSync(join(dir, 'check.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
  const loc = log.runs[0]!.results[0]!.locations[0]!.physicalLocation;
  assert.equal(loc.artifactLocation.uri, 'plans/create-cluster.ts');
  const source = readFileSync(join(dir, 'plans', 'create-cluster.ts'), 'utf8').split('\n');
  assert.match(source[loc.region.startLine - 1]!, /class RegisterClusterNodeToLb/, 'SARIF points at the step\'s code');
  const json = await cli([...faulty, '--format', 'json'], '0.02', dir);
  assert.equal((JSON.parse(json.stdout) as { passed: boolean }).passed, false);

  // --update from the faulty export: says what changed, then the faulty run matches.
  const again = [...faulty.slice(0, -1), '3'];
  const upd = await cli([...again, '--update'], '0.02', dir);
  assert.equal(upd.code, 0, upd.stdout + upd.stderr);
  assert.match(upd.stdout, /changed from the previous baseline:\n {2}pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0/);
  const after = await cli(again, '0.02', dir);
  assert.equal(after.code, 0, after.stdout);

  // Usage errors: exit 2 with one clear line.
  const usage: Array<[string[], RegExp]> = [
    [['check'], /expected at least one plan file/],
    [['check', 'plans/checkout.ts'], /no baseline at plans\/checkout\.baseline\.json: record one/],
    [['check', 'plans/create-cluster.ts', '--format', 'xml'], /--format must be one of text, json, junit, sarif/],
    [['check', 'plans/create-cluster.ts', '--runs', '0'], /--runs must be an integer from 1 to 1000/],
    [['check', 'plans/a.ts', 'plans/b.ts', '--baseline', 'x.json'], /give one plan file with it/],
    [['check', 'plans/create-cluster.ts', '--export', 'nope'], /no baseline at plans\/create-cluster\.nope\.baseline\.json/],
    [['check', 'plans/create-cluster.ts', '--export', 'nope', '--baseline', 'plans/create-cluster.baseline.json'], /no export named "nope"/],
    [['baseline', 'remember', 'plans/checkout.ts'], /expected "record <plan-file>"/],
    [['check', 'plans/create-cluster.ts', '--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  writeFileSync(join(dir, 'plans', 'broken.baseline.json'), '{"format": "instrument-first-baseline@1", "plan": 3}');
  usage.push([['check', 'plans/create-cluster.ts', '--baseline', 'plans/broken.baseline.json'], /plans\/broken\.baseline\.json: "plan" must be a string/]);
  for (const [args, message] of usage) {
    const r = await cli(args, '0.02', dir);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('baseline record refuses runs that disagree on their shape', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'if-flaky-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A module-level counter survives fresh loads only through globalThis: the second run differs.
  writeFileSync(
    join(dir, 'flaky.ts'),
    `import { procedure, type Plan } from 'instrument-first';
const g = globalThis as { flakyRuns?: number };
const run = (g.flakyRuns = (g.flakyRuns ?? 0) + 1);
const plan: Plan = { name: 'flaky', create: (c) => (c.pass === 1 ? [procedure(run === 2 ? 'other' : 'same', () => undefined)] : []) };
export default plan;
`,
  );
  const r = await cli(['baseline', 'record', 'flaky.ts', '--runs', '3'], '1', dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /run 2 differs in shape from run 1, so no baseline was written:\n {2}pass 1 · same: expected this step, it did not run\n {2}pass 1 · other: new step/);
});
