import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { RunDiff, RunSummary } from '../../../src/protocol/collectorTypes';
import { presentDiff } from '../../../src/timelineModel/compareModel';

const run = (traceId: string, plan: string, durationMs: number): RunSummary => ({
  traceId,
  kind: 'plan',
  plan,
  startMs: 0,
  durationMs,
  passes: 2,
  status: 'converged',
  spanCount: 10,
  errorCount: 0,
  serviceName: 'demo',
});

void test('create-cluster incident: one ELBv2 call instead of two is the headline', () => {
  const diff: RunDiff = {
    a: run('good', 'create-cluster', 3000),
    b: run('bad', 'create-cluster', 2900),
    durationDeltaMs: -100,
    added: [],
    removed: [],
    changed: [
      { procedureId: 'wait_instances', pass: 1, occurrence: 0, durationMsA: 1000, durationMsB: 1100, calls: [], reasons: ['duration'] },
      {
        procedureId: 'register_cluster_node_to_lb',
        procedureType: 'RegisterNodes',
        pass: 1,
        occurrence: 0,
        spanIdA: 'a1',
        spanIdB: 'b1',
        durationMsA: 200,
        durationMsB: 100,
        statusA: 'ok',
        statusB: 'ok',
        calls: [
          { name: 'ELBv2 RegisterTargets', countA: 2, countB: 1 },
          { name: 'EC2 DescribeInstances', countA: 1, countB: 1 },
        ],
        reasons: ['calls', 'duration'],
      },
    ],
    unchangedCount: 5,
  };
  const v = presentDiff(diff);
  assert.equal(v.rows[0]!.procedureId, 'register_cluster_node_to_lb');
  assert.deepEqual(v.rows[0]!.calls, [{ name: 'ELBv2 RegisterTargets', countA: 2, countB: 1 }]);
  assert.equal(v.headline[1], 'register_cluster_node_to_lb (pass 1): ELBv2 calls 2 → 1 (ELBv2 RegisterTargets 2 → 1).');
  assert.deepEqual(v.rows[0]!.services, [{ name: 'ELBv2', countA: 2, countB: 1 }]);
  assert.match(v.headline[2]!, /1 step changed only in duration; most: wait_instances \+100 ms/);
  assert.equal(v.unchangedCount, 5);
});

void test('checkout incident: the added step and the slowdown are the headline', () => {
  const diff: RunDiff = {
    a: run('r1', 'checkout', 800),
    b: run('r2', 'checkout', 5600),
    durationDeltaMs: 4800,
    added: [{ procedureId: 'additionalMarkUp', pass: 1, occurrence: 0, spanIdB: 'x', durationMsB: 4700, calls: [{ name: 'pricing quote', countA: 0, countB: 3 }], reasons: [] }],
    removed: [{ procedureId: 'legacyDiscount', pass: 1, occurrence: 0, spanIdA: 'y', durationMsA: 5, calls: [], reasons: [] }],
    changed: [],
    unchangedCount: 4,
  };
  const v = presentDiff(diff);
  assert.equal(v.headline[0], 'B took 5.6 s vs 800 ms in A: +4.8 s (+600%).');
  assert.equal(v.headline[1], 'New step in B: additionalMarkUp (pass 1), 4.7 s, calls: pricing quote ×3.');
  assert.equal(v.headline[2], 'Step missing in B: legacyDiscount (pass 1).');
  assert.deepEqual(v.rows.map((r) => r.change), ['added', 'removed']);
});

void test('no differences', () => {
  const v = presentDiff({ a: run('a', 'p', 10), b: run('b', 'p', 10), durationDeltaMs: 0, added: [], removed: [], changed: [], unchangedCount: 3 });
  assert.equal(v.headline.at(-1), 'Same steps, same calls: no structural difference.');
});
