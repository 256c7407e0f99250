import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { looksLikePlanFile, scanPlanSource } from '../../../src/views/planScan';

const read = (p: string) => readFileSync(resolve('sample-workspace', p), 'utf8');

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle));
}

test('create-cluster: two plan exports and every procedure class', () => {
  const text = read('plans/create-cluster.ts');
  const scan = scanPlanSource(text);
  assert.deepEqual(
    scan.plans.map((p) => [p.exportName, p.line]),
    [
      ['default', lineOf(text, 'const createCluster: Plan')],
      ['createClusterFaulty', lineOf(text, 'export const createClusterFaulty')],
    ],
  );
  assert.ok(scan.plans.every((p) => p.nameHints.includes('create-cluster')));
  const classes = scan.procedures.map((p) => p.key);
  assert.deepEqual(classes, ['CreateSecurityGroup', 'ConfigureIngress', 'ConfigureEgress', 'CreateInstances', 'WaitForInstances', 'CreateLoadBalancer', 'RegisterClusterNodeToLb']);
  const reg = scan.procedures.find((p) => p.key === 'RegisterClusterNodeToLb')!;
  assert.equal(reg.id, 'register_cluster_node_to_lb');
  assert.equal(reg.line, lineOf(text, 'class RegisterClusterNodeToLb'));
  assert.ok(!classes.includes('CreateClusterPlan'), 'the plan class is not a procedure');
  assert.deepEqual(scan.planClasses, [{ name: 'CreateClusterPlan', line: lineOf(text, 'class CreateClusterPlan implements Plan') }]);
});

test('checkout: plan name from `name:`, function procedures by id', () => {
  const text = read('plans/checkout.ts');
  const scan = scanPlanSource(text);
  assert.deepEqual(scan.plans.map((p) => p.exportName), ['default', 'checkoutRelease2']);
  assert.ok(scan.plans.every((p) => p.nameHints.includes('checkout')));
  const fn = scan.procedures.find((p) => p.kind === 'function');
  assert.deepEqual(fn && { key: fn.key, line: fn.line }, { key: 'additionalMarkUp', line: lineOf(text, "procedure('additionalMarkUp'") });
  assert.ok(scan.procedures.some((p) => p.key === 'BrowseCatalog' && p.id === 'browse'));
});

test('object-literal plans in one file, and files that are not plans', () => {
  const text = read('broken/step-throws.ts');
  const scan = scanPlanSource(text);
  assert.deepEqual(scan.plans.map((p) => p.exportName), ['default']);
  assert.deepEqual(scan.procedures.map((p) => p.key), ['ok-step', 'failing-step']);
  assert.equal(looksLikePlanFile('export const x = 1;'), false);
  assert.deepEqual(scanPlanSource('export const x = 1;\nexport default x;').plans, []);
});

test('plan() helper and `export default plan(…)`', () => {
  const src = "import { plan } from 'instrument-first';\nexport const a = plan('a', () => []);\nexport default plan('b', () => []);\n";
  const scan = scanPlanSource(src);
  assert.deepEqual(scan.plans.map((p) => [p.exportName, p.line, p.nameHints[0]]), [['a', 1, 'a'], ['default', 2, 'b']]);
});
