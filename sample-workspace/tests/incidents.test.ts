/**
 * Both incidents of the source articles as trace tests: nobody has to look at a trace to see them.
 * Run with `npx vitest run sample-workspace/tests` (any runner works: node:test, Jest, Mocha too).
 * The plans run in process, faster than life (SAMPLE_TIME_SCALE), with no collector.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { expectTrace, runPlan, type PlanRun } from 'instrument-first/testing';
import createCluster, { createClusterFaulty } from '../plans/create-cluster';
import checkout, { checkoutRelease2 } from '../plans/checkout';

process.env.SAMPLE_TIME_SCALE ??= '0.05';

const ELBV2_CALLS = 'step[procedure.id="register_cluster_node_to_lb"] > span[rpc.service="ELBv2"]';

describe('create-cluster: register_cluster_node_to_lb must make both ELBv2 calls', () => {
  let good: PlanRun;
  let faulty: PlanRun;
  beforeAll(async () => {
    [good, faulty] = await Promise.all([runPlan(createCluster, { maxPasses: 5 }), runPlan(createClusterFaulty, { maxPasses: 5 })]);
  });

  test('the good run registers the nodes', () => {
    expectTrace(good)
      .toConverge()
      .toHave(ELBV2_CALLS, 2)
      .toHave('step[procedure.id="register_cluster_node_to_lb"] > call[rpc.method=RegisterTargets]', 1)
      .toHaveAttribute('step[procedure.id="register_cluster_node_to_lb"]', 'elbv2.registered_targets', 3);
  });

  test('the faulty run "converges" but never calls RegisterTargets: the trace test says so', () => {
    expect(faulty.outcome).toBe('converged');
    expect(faulty.trace.find(ELBV2_CALLS)).toHaveLength(1);
    // What the failure of `expectTrace(faulty).toHave(ELBV2_CALLS, 2)` reads like in a test report:
    expect(() => expectTrace(faulty).toHave(ELBV2_CALLS, 2)).toThrowError(/expected 2 spans matching[\s\S]*got 1[\s\S]*in step register_cluster_node_to_lb \(pass 1\)/);
  });
});

describe('checkout: release 2 adds additionalMarkUp and takes five times as long', () => {
  let release1: PlanRun;
  let release2: PlanRun;
  beforeAll(async () => {
    [release1, release2] = await Promise.all([runPlan(checkout), runPlan(checkoutRelease2)]);
  });

  test('release 1: four steps, no mark-up', () => {
    expectTrace(release1).toConverge().toHave('pass:first > step', 4).toHaveNo('step[procedure.id=additionalMarkUp]');
  });

  // Durations are asserted from below only: sleeps never end early, a busy machine only adds time.
  test('release 2: the new step is there, it takes over a second (scaled), and it is where the time goes', () => {
    const scale = Number(process.env.SAMPLE_TIME_SCALE);
    expectTrace(release2).toConverge().toHave('step[procedure.id=additionalMarkUp] > call[peer.service=pricing]', 1);
    expect(() => expectTrace(release2).toTakeAtMost('plan', 1000 * scale)).toThrowError(/to take at most/);
    const steps = release2.trace.summary.passes[0]!.steps;
    const slowest = [...steps].sort((a, b) => b.durationMs - a.durationMs)[0]!;
    expect(slowest.procedureId).toBe('additionalMarkUp');
  });
});
