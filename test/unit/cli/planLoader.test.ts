import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPlan, withClassRegistration } from '../../../src/cli/planLoader';
import { Scheduler } from '../../../src/runtime/scheduler';
import { createTracing } from '../../../src/runtime/tracing';
import { Attr } from '../../../src/protocol/attributes';

const WS = resolve('sample-workspace');

test('loadPlan picks the default or a named export, and two exports are two plans', () => {
  const good = loadPlan('plans/create-cluster.ts', undefined, WS);
  const faulty = loadPlan('plans/create-cluster.ts', 'createClusterFaulty', WS);
  assert.equal(good.exportName, 'default');
  assert.equal(good.plan.name, 'create-cluster');
  assert.equal(faulty.exportName, 'createClusterFaulty');
  assert.notEqual(good.plan, faulty.plan);
});

test('spans of procedures from non-exported classes carry code.filepath and the class line', async () => {
  process.env.SAMPLE_TIME_SCALE = '0.01';
  const loaded = loadPlan('plans/create-cluster.ts', undefined, WS);
  const tracing = createTracing({ endpoint: false, memory: true, env: {} });
  const result = await new Scheduler({ tracing, locate: loaded.locate }).execute(loaded.plan);
  assert.equal(result.outcome, 'converged');
  const source = readFileSync(loaded.file, 'utf8').split('\n');
  const step = tracing.memory!.views(result.traceId).find((s) => s.name === 'register_cluster_node_to_lb')!;
  assert.equal(step.attributes[Attr.codeFilepath], loaded.file);
  const line = step.attributes[Attr.codeLineno] as number;
  assert.match(source[line - 1]!, /^class RegisterClusterNodeToLb /);
});

test('class registration is inserted before the source map comment, one call per top-level class', () => {
  const src = 'export class A {}\nclass B {}\n  class Nested {}\n';
  const out = withClassRegistration('compiled;\n//# sourceMappingURL=data:xyz', src, '/x/f.ts');
  assert.ok(out.endsWith('//# sourceMappingURL=data:xyz'));
  assert.match(out, /registerClass\(A,"\/x\/f\.ts",1\)/);
  assert.match(out, /registerClass\(B,"\/x\/f\.ts",2\)/);
  assert.doesNotMatch(out, /Nested/);
  assert.equal(withClassRegistration('code', 'const x = 1;', '/f.ts'), 'code');
});
