import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBaseline, parseBaseline, serializeBaseline, type Baseline } from '../../../src/baseline/baseline';
import { checkAgainst, compareShape } from '../../../src/baseline/compare';
import { junitReport, jsonReport, sarifReport, textReport, type PlanCheckResult } from '../../../src/baseline/checkReport';
import type { PlanRunSummary, StepSummary } from '../../../src/summary/runSummary';

function step(key: string, durationMs: number, calls: Array<[string, string, number, number?]>, extra: Partial<StepSummary> = {}): StepSummary {
  const path = key.slice(0, key.lastIndexOf('#'));
  return {
    procedureId: path.split('/').pop()!,
    procedureType: '',
    failed: false,
    path,
    occurrence: Number(key.slice(key.lastIndexOf('#') + 1)),
    key,
    depth: path.split('/').length - 1,
    pass: 1,
    spanId: Math.random().toString(16).slice(2),
    startMs: 0,
    durationMs,
    selfMs: durationMs,
    status: 'unset',
    errors: 0,
    calls: calls.map(([service, operation, count, errors]) => ({ service, operation, label: `${service} ${operation}`, count, errors: errors ?? 0, durationMs: 1 })),
    filepath: '/repo/plans/cluster.ts',
    lineno: 42,
    ...extra,
  };
}

/** A create-cluster-like run; `scale` stretches every duration; `fault` drops RegisterTargets. */
function run(scale = 1, options: { fault?: boolean; extraStep?: boolean; status?: 'error'; outcome?: string } = {}): PlanRunSummary {
  const steps = [
    step('create_instances#0', 300 * scale, [['EC2', 'RunInstances', 1]]),
    step('create_instances/wait_for_instances#0', 570 * scale, [['EC2', 'DescribeInstances', 1]]),
    step('register_cluster_node_to_lb#0', (options.fault ? 150 : 300) * scale, [
      ['EC2', 'DescribeInstances', 1],
      ['ELBv2', 'DescribeTargetGroups', 1],
      ...(options.fault ? [] : ([['ELBv2', 'RegisterTargets', 1]] as Array<[string, string, number]>)),
    ], options.fault ? {} : { pinned: { 'elbv2.registered_targets': 3 } }),
  ];
  if (options.status) steps[0]!.status = options.status;
  if (options.extraStep) steps.splice(2, 0, step('additionalMarkUp#0', 4500 * scale, [['pricing', 'GetMarkUp', 1]]));
  const total = steps.reduce((t, s) => t + s.durationMs, 0);
  return {
    traceId: 'x',
    plan: 'create-cluster',
    outcome: options.outcome ?? 'converged',
    startMs: 0,
    durationMs: total,
    spanCount: 10,
    errorCount: 0,
    passes: [
      { pass: 1, startMs: 0, durationMs: total, status: 'unset', steps },
      { pass: 2, startMs: total, durationMs: 0, status: 'unset', steps: [] },
    ],
  };
}

const meta = { planFile: 'cluster.ts', exportName: 'default', pin: ['elbv2.registered_targets'], rule: { tolerance: 0.25, slackMs: 10 } };
const base = (): Baseline => buildBaseline([run(1), run(1.02), run(0.98), run(1.01), run(0.99)], meta);

test('baseline: shape and envelopes from N runs, diff-friendly and stable text', () => {
  const b = base();
  assert.equal(b.runs, 5);
  assert.deepEqual(b.duration, { minMs: 1146.6, medianMs: 1170, maxMs: 1193.4 });
  const reg = b.passes[0]!.steps[2]!;
  assert.deepEqual(reg.calls, { 'EC2 DescribeInstances': 1, 'ELBv2 DescribeTargetGroups': 1, 'ELBv2 RegisterTargets': 1 });
  assert.deepEqual(reg.pinned, { 'elbv2.registered_targets': 3 });
  assert.deepEqual(reg.duration, { minMs: 294, medianMs: 300, maxMs: 306 });
  const text = serializeBaseline(b);
  assert.equal(text, serializeBaseline(buildBaseline([run(1), run(1.02), run(0.98), run(1.01), run(0.99)], meta)));
  assert.ok(text.endsWith('}\n'));
  assert.match(text, /\n {12}"ELBv2 RegisterTargets": 1\n/, 'one call per line');
  assert.deepEqual(parseBaseline(text), b);
});

test('check: the faulty run names the step, the pass and the missing call', () => {
  const out = checkAgainst(base(), [run(1, { fault: true }), run(1, { fault: true }), run(1, { fault: true })]);
  assert.equal(out.passed, false);
  const messages = out.differences.map((d) => d.message);
  assert.deepEqual(messages, [
    'pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0',
    'pass 1 · register_cluster_node_to_lb: elbv2.registered_targets: expected 3, got (absent)',
  ]);
  assert.equal(out.differences[0]!.seenIn, 3);
  assert.equal(out.differences[0]!.lineno, 42);
  const row = out.compare.find((r) => r.step === 'register_cluster_node_to_lb')!;
  assert.equal(row.change, 'changed');
  assert.deepEqual(row.calls.find((c) => c.name === 'ELBv2 RegisterTargets'), { name: 'ELBv2 RegisterTargets', expected: 1, actual: 0 });
});

test('check: a new step and the plan duration; status, outcome and passes changes', () => {
  const slow = checkAgainst(base(), [run(1, { extraStep: true }), run(1, { extraStep: true }), run(1, { extraStep: true })]);
  const kinds = slow.differences.map((d) => d.kind);
  assert.deepEqual(kinds, ['step-added', 'duration']);
  assert.equal(slow.differences[0]!.message, 'pass 1 · additionalMarkUp: new step (not in the baseline), calling pricing GetMarkUp');
  assert.match(slow.differences[1]!.message, /^plan: duration of create-cluster: the fastest of 3 runs took 5\.67 s, above the limit 1\.5 s \(baseline median 1\.17 s, max 1\.19 s\)$/);
  assert.deepEqual(slow.compare.map((r) => [r.step, r.change]), [
    ['create_instances', 'same'],
    ['create_instances/wait_for_instances', 'same'],
    ['additionalMarkUp', 'added'],
    ['register_cluster_node_to_lb', 'same'],
  ]);
  const failed = compareShape(base(), run(1, { status: 'error', outcome: 'failed' }));
  assert.deepEqual(failed.map((d) => d.message), ['plan: outcome: expected converged, got failed', 'pass 1 · create_instances: status: expected unset, got error']);
  const oneMore = run(1);
  oneMore.passes.push({ pass: 3, startMs: 0, durationMs: 0, status: 'unset', steps: [step('again#0', 1, [])] });
  assert.deepEqual(compareShape(base(), oneMore).map((d) => d.message), ['plan: expected 2 passes, got 3', 'pass 3 · again: new step (not in the baseline)']);
  const missing = run(1);
  missing.passes[0]!.steps.splice(1, 1);
  assert.deepEqual(compareShape(base(), missing).map((d) => d.message), ['pass 1 · create_instances/wait_for_instances: expected this step, it did not run']);
  const swapped = run(1);
  swapped.passes[0]!.steps.reverse();
  assert.match(compareShape(base(), swapped)[0]!.message, /^pass 1: steps ran in another order: expected create_instances, create_instances\/wait_for_instances, register_cluster_node_to_lb; got register_cluster_node_to_lb/);
});

test('check: a duration regresses only when the fastest checked run is above max × (1 + tolerance) + slack', () => {
  const b = base(); // plan max 1193.4 ms → limit 1193.4 × 1.25 + 10 = 1501.75 ms
  // One very slow run out of five (a GC pause, a busy CPU) does not fail the check.
  assert.equal(checkAgainst(b, [run(1), run(3), run(1.1), run(0.9), run(1.2)]).passed, true);
  // Every run 20 % slower than the slowest recorded one: within the tolerance.
  assert.equal(checkAgainst(b, [run(1.22), run(1.22), run(1.22)]).passed, true);
  // Three of five runs far beyond the limit, two normal: noise (a busy machine), not a regression.
  assert.equal(checkAgainst(b, [run(1), run(2), run(2), run(2), run(1)]).passed, true);
  // Every run beyond the limit: the plan and its steps regress.
  const out = checkAgainst(b, [run(1.4), run(1.5), run(1.5), run(1.5), run(1.4)]);
  assert.equal(out.passed, false);
  assert.ok(out.differences.every((d) => d.kind === 'duration'));
  assert.deepEqual(out.differences.map((d) => d.step ?? 'plan'), ['create_instances', 'create_instances/wait_for_instances', 'register_cluster_node_to_lb', 'plan']);
  assert.equal(out.duration.limitMs, 1193.4 * 1.25 + 10);
  // Faster is never a difference.
  assert.equal(checkAgainst(b, [run(0.1), run(0.1), run(0.1)]).passed, true);
  // A step whose runs are all tiny does not fail on noise thanks to the slack.
  const tiny = buildBaseline([run(0.001), run(0.001)], meta);
  assert.equal(checkAgainst(tiny, [run(0.005), run(0.005), run(0.005)]).passed, true);
});

test('baseline files: hostile or wrong input gives one clear error', () => {
  const good = JSON.parse(serializeBaseline(base())) as Record<string, unknown>;
  const cases: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['[]', /expected a JSON object/],
    [JSON.stringify({ ...good, format: 'other@9' }), /format is "other@9"/],
    [JSON.stringify({ ...good, runs: 0 }), /"runs" must be a positive number/],
    [JSON.stringify({ ...good, duration: { minMs: -1, medianMs: 1, maxMs: 2 } }), /"duration" must have/],
    [JSON.stringify({ ...good, rule: { tolerance: -1, slackMs: 0 } }), /"rule"/],
    [JSON.stringify({ ...good, passes: [{ pass: 1, steps: [{ key: 'a#0', status: 'weird', calls: {}, duration: good.duration }] }] }), /passes\[0\]\.steps\[0\]\.status/],
    [JSON.stringify({ ...good, passes: [{ pass: 1, steps: [{ key: 'a#0', status: 'ok', calls: { x: 1.5 }, duration: good.duration }] }] }), /calls must map call names to counts/],
    [JSON.stringify({ ...good, pin: [1] }), /"pin"/],
    ['['.repeat(100_000), /not JSON|expected a JSON object/],
  ];
  for (const [text, error] of cases) assert.throws(() => parseBaseline(text, 'b.json'), (e: Error) => error.test(e.message) && e.message.startsWith('b.json: '), text.slice(0, 60));
});

function results(): PlanCheckResult[] {
  return [
    { planFile: 'plans/cluster.ts', exportName: 'createClusterFaulty', baselineFile: 'plans/cluster.baseline.json', plan: 'create-cluster <&>', outcome: checkAgainst(base(), [run(1, { fault: true })]), traceIds: ['t1'] },
    { planFile: 'plans/ok.ts', exportName: 'default', baselineFile: 'plans/ok.baseline.json', plan: 'ok', outcome: checkAgainst(base(), [run(1)]), traceIds: ['t2'] },
  ];
}

test('reports: text names step, pass, expected and seen, then the compare; JSON, JUnit and SARIF carry the same', () => {
  const text = textReport(results());
  assert.match(text, /^✗ create-cluster <&> · plans\/cluster\.ts \(createClusterFaulty\) against plans\/cluster\.baseline\.json: 2 differences \(1 run\)$/m);
  assert.match(text, /^ {2}pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0$/m);
  assert.match(text, /compare with the baseline/);
  assert.match(text, /~ register_cluster_node_to_lb .*ELBv2 RegisterTargets 1→0/);
  assert.match(text, /^✔ ok · plans\/ok\.ts against plans\/ok\.baseline\.json: matches/m);
  assert.match(text, /^1 of 2 plans differs from its baseline$/m);
  const json = JSON.parse(jsonReport(results())) as { passed: boolean; plans: PlanCheckResult[] };
  assert.equal(json.passed, false);
  assert.equal(json.plans[0]!.outcome.differences.length, 2);
  const junit = junitReport(results());
  assert.match(junit, /<testsuites name="instrument-first check" tests="\d+" failures="1">/);
  assert.match(junit, /<testsuite name="create-cluster &lt;&amp;&gt; \(plans\/cluster\.ts createClusterFaulty\)"/);
  assert.match(junit, /<testcase classname="plans\/cluster\.ts" name="pass 1 · register_cluster_node_to_lb"><failure message="pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0" type="calls">/);
  assert.equal((junit.match(/<testcase /g) ?? []).length, 8);
  const sarif = JSON.parse(sarifReport(results(), '/repo')) as { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
  assert.equal(sarif.version, '2.1.0');
  const r0 = sarif.runs[0]!.results[0]!;
  assert.equal(r0.ruleId, 'baseline/calls');
  assert.equal(r0.locations[0]!.physicalLocation.artifactLocation.uri, 'plans/cluster.ts');
  assert.equal(r0.locations[0]!.physicalLocation.region!.startLine, 42);
});
