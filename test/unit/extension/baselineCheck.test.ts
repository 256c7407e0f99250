import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckReport, readBaselineEntry } from '../../../src/views/baselineCheck';

test('baseline check report: differences become messages at the step code, relative paths resolved', () => {
  const stdout = JSON.stringify({
    passed: false,
    plans: [
      {
        plan: 'create-cluster',
        traceIds: ['a', 'b'],
        outcome: {
          passed: false,
          runs: 3,
          differences: [
            { message: 'pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0', expected: '1', actual: '0', filepath: 'plans/create-cluster.ts', lineno: 90, seenIn: 3 },
            { message: 'plan: duration …', expected: '≤ 1 s', actual: '2 s', seenIn: 2 },
          ],
        },
      },
    ],
  });
  const r = parseCheckReport(stdout, '/ws', '/ws/plans/create-cluster.ts');
  assert.equal(r.passed, false);
  assert.deepEqual(r.traceIds, ['a', 'b']);
  assert.deepEqual(r.messages[0], { message: 'pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0', expected: '1', actual: '0', file: '/ws/plans/create-cluster.ts', line: 89 });
  assert.deepEqual(r.messages[1], { message: 'plan: duration … (in 2 of 3 runs)', expected: '≤ 1 s', actual: '2 s', file: '/ws/plans/create-cluster.ts', line: 0 });
  assert.throws(() => parseCheckReport('instrument-first: no baseline at x', '/ws', '/p'), /no baseline at x/);
  assert.throws(() => parseCheckReport('{"plans": []}', '/ws', '/p'), /no plan in it/);
});

test('baseline entries: the plan file resolves beside the baseline; other JSON is not a baseline', () => {
  assert.deepEqual(readBaselineEntry('{"format":"instrument-first-baseline@1","plan":"p","planFile":"p.ts","export":"x"}', '/ws/plans/p.x.baseline.json'), { plan: 'p', planFile: '/ws/plans/p.ts', exportName: 'x' });
  assert.equal(readBaselineEntry('{"plan":"p"}', '/a.baseline.json'), undefined);
  assert.equal(readBaselineEntry('not json', '/a.baseline.json'), undefined);
});
