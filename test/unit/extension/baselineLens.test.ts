import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBaseline, type Baseline } from '../../../src/baseline/baseline';
import { BASELINE_PSEUDO_TRACE_ID, baselineRunDiff } from '../../../src/baseline/baselineDiff';
import { checkAgainst } from '../../../src/baseline/compare';
import type { RunSummary } from '../../../src/protocol/collectorTypes';
import type { PlanRunSummary, StepSummary } from '../../../src/summary/runSummary';
import { presentDiff } from '../../../src/timelineModel/compareModel';
import { autoCheckDifferences, baselineLensText, baselineLensTooltip, placeDifferences } from '../../../src/views/baselineLens';

// The steps' classes as a plan file has them: `code.lineno` is the class line (1-based).
const PLAN_TEXT = [
  "import { plan } from 'instrument-first';", // 1
  '', // 2
  'class CreateInstances implements Procedure {', // 3
  "  readonly id = 'create_instances';", // 4
  '  async do(ctx: StepContext): Promise<void> {', // 5
  '  }', // 6
  '}', // 7
  'class RegisterClusterNodeToLb implements Procedure {', // 8
  "  readonly id = 'register_cluster_node_to_lb';", // 9
  '', // 10
  '  override async do(ctx: StepContext) {', // 11
  '  }', // 12
  '}', // 13
  'export default plan({ name: "create-cluster" });', // 14
].join('\n');

function step(key: string, durationMs: number, lineno: number, calls: Array<[string, string, number]>, extra: Partial<StepSummary> = {}): StepSummary {
  const path = key.slice(0, key.lastIndexOf('#'));
  return {
    procedureId: path.split('/').pop()!,
    procedureType: '',
    failed: false,
    path,
    occurrence: Number(key.slice(key.lastIndexOf('#') + 1)),
    key,
    depth: 0,
    pass: 1,
    spanId: `span-${key}`,
    startMs: 0,
    durationMs,
    selfMs: durationMs,
    status: 'unset',
    errors: 0,
    calls: calls.map(([service, operation, count]) => ({ service, operation, label: `${service} ${operation}`, count, errors: 0, durationMs: 1 })),
    filepath: 'cluster.ts',
    lineno,
    ...extra,
  };
}

function run(scale = 1, o: { fault?: boolean; extraStep?: boolean } = {}): PlanRunSummary {
  const steps = [
    step('create_instances#0', 300 * scale, 3, [['EC2', 'RunInstances', 1]]),
    step('register_cluster_node_to_lb#0', 300 * scale, 8, [['ELBv2', 'DescribeTargetGroups', 1], ...(o.fault ? [] : ([['ELBv2', 'RegisterTargets', 1]] as Array<[string, string, number]>))]),
  ];
  if (o.extraStep) steps.push(step('additionalMarkUp#0', 50 * scale, 0, [], { filepath: '/elsewhere/markup.ts', lineno: 20 }));
  const total = steps.reduce((t, s) => t + s.durationMs, 0);
  return { traceId: 't', plan: 'create-cluster', outcome: 'converged', startMs: 0, durationMs: total, spanCount: 8, errorCount: 0, passes: [{ pass: 1, startMs: 0, durationMs: total, status: 'unset', steps }] };
}

const base = (): Baseline => buildBaseline([run(1), run(1.02), run(0.98)], { planFile: 'cluster.ts', exportName: 'default', pin: [], rule: { tolerance: 0.25, slackMs: 10 } });
const runInfo: RunSummary = { traceId: 'ab'.repeat(16), kind: 'plan', plan: 'create-cluster', startMs: 1, durationMs: 450, passes: 1, status: 'converged', spanCount: 8, errorCount: 0, serviceName: 'sample' };

test('lens text: a tick when the run matches, else the number of differences', () => {
  assert.equal(baselineLensText(0), 'baseline ✓');
  assert.equal(baselineLensText(1), 'baseline: 1 difference');
  assert.equal(baselineLensText(3), 'baseline: 3 differences');
});

test('automatic check compares shape only: a 3× slower run of the same shape passes, the faulty one names the missing call', () => {
  const b = base();
  assert.deepEqual(autoCheckDifferences(b, run(3)), []);
  // The Test Explorer's check (several runs, duration rule) does fail that slow run: the
  // automatic one leaves durations to it on purpose.
  assert.equal(checkAgainst(b, [run(3), run(3), run(3)]).passed, false);
  const faulty = autoCheckDifferences(b, run(1, { fault: true }));
  assert.deepEqual(faulty.map((d) => d.message), ['pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0']);
  const tip = baselineLensTooltip('/repo/plans/cluster.baseline.json', faulty);
  assert.match(tip, /cluster\.baseline\.json: shape only \(steps, calls, statuses, pinned attributes\)/);
  assert.match(tip, /Durations are not judged on a single run/);
  assert.match(tip, /• pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0/);
});

test('differences → diagnostics: at the step class\'s do() line, files relative to the baseline, plan-level ones at the plan', () => {
  const b = base();
  const diffs = autoCheckDifferences(b, { ...run(1, { fault: true, extraStep: true }), outcome: 'failed' });
  const read: string[] = [];
  const placed = placeDifferences(diffs, {
    baselineFile: '/repo/plans/cluster.baseline.json',
    planFile: '/repo/plans/cluster.ts',
    planLine: 13,
    textOf: (f) => {
      read.push(f);
      return f === '/repo/plans/cluster.ts' ? PLAN_TEXT : undefined;
    },
  });
  const by = (re: RegExp) => placed.find((p) => re.test(p.message))!;
  const missing = by(/RegisterTargets/);
  assert.equal(missing.file, '/repo/plans/cluster.ts');
  assert.equal(missing.line, 10, 'the do() of RegisterClusterNodeToLb (0-based), not its class line');
  assert.equal(missing.expected, '1');
  assert.equal(missing.actual, '0');
  assert.match(missing.message, /^baseline: pass 1 · register_cluster_node_to_lb: /);
  const outcome = by(/outcome/);
  assert.deepEqual([outcome.file, outcome.line], ['/repo/plans/cluster.ts', 13]);
  // A step only the run has, in a file that cannot be read: its class line as recorded.
  const added = by(/additionalMarkUp/);
  assert.deepEqual([added.file, added.line], ['/elsewhere/markup.ts', 19]);
  assert.deepEqual(read.sort(), ['/elsewhere/markup.ts', '/repo/plans/cluster.ts'], 'each file read once');
});

test('compare with the baseline: a pseudo-run labelled baseline as A, the run as B, the missing call and a new step as rows', () => {
  const diff = baselineRunDiff(base(), 'plans/cluster.baseline.json', run(1, { fault: true, extraStep: true }), runInfo);
  assert.equal(diff.a.traceId, BASELINE_PSEUDO_TRACE_ID);
  assert.match(diff.a.plan, /^baseline: create-cluster \(plans\/cluster\.baseline\.json, median of 3 runs\)$/);
  assert.equal(diff.b, runInfo);
  assert.deepEqual(diff.added.map((d) => [d.procedureId, d.spanIdB]), [['additionalMarkUp', 'span-additionalMarkUp#0']]);
  assert.equal(diff.removed.length, 0);
  assert.equal(diff.unchangedCount, 1);
  const changed = diff.changed[0]!;
  assert.equal(changed.procedureId, 'register_cluster_node_to_lb');
  assert.deepEqual(changed.reasons, ['calls']);
  assert.deepEqual(changed.calls[0], { name: 'ELBv2 RegisterTargets', countA: 1, countB: 0 });
  assert.equal(changed.spanIdA, undefined, 'the baseline has no spans to open');
  const view = presentDiff(diff);
  assert.ok(view.headline.some((h) => h === 'register_cluster_node_to_lb (pass 1): ELBv2 calls 2 → 1 (ELBv2 RegisterTargets 1 → 0).'), view.headline.join('\n'));
  // Same shape, 3× slower: durations beyond the limit are shown as changed (the view explains, the lens does not judge).
  const slow = baselineRunDiff(base(), 'b.json', run(3), runInfo);
  assert.deepEqual(slow.changed.map((d) => d.reasons), [['duration'], ['duration']]);
});
