import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixtureSession, FIXTURES, lintText } from './lintTestSession';

const session = fixtureSession();
const steps = join(FIXTURES, 'src/steps.ts');

test('index finds explicit, structural, helper-made and literal procedures, and no look-alike', () => {
  const procs = session.index().procedures.filter((p) => p.file === steps);
  const byName = new Map(procs.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['AddRule', 'CreateGroup', 'Register', 'Tagged', 'helperMade', 'literal']);
  assert.equal(byName.get('CreateGroup')!.kind, 'class-implements');
  assert.equal(byName.get('AddRule')!.kind, 'class-structural');
  assert.equal(byName.get('Tagged')!.kind, 'class-structural');
  assert.equal(byName.get('helperMade')!.kind, 'helper');
  assert.equal(byName.get('helperMade')!.typeName, 'function');
  assert.equal(byName.get('literal')!.kind, 'object-literal');
  for (const lookAlike of ['Doubler', 'notAStep', 'Task']) assert.ok(!byName.has(lookAlike), lookAlike);
});

test('ids are literal values or source expressions; ranges point at the declaration and do()', () => {
  const procs = session.index().procedures.filter((p) => p.file === steps);
  const create = procs.find((p) => p.name === 'CreateGroup')!;
  assert.equal(create.id.value, 'create_group');
  assert.equal(create.doRange.startLine, 7); // `async do(ctx…` on line 8
  assert.equal(create.declaration.startLine, 4);
  const rule = procs.find((p) => p.name === 'AddRule')!;
  assert.equal(rule.id.value, undefined);
  assert.equal(rule.id.text, '`add_rule_${name}`');
  assert.equal(procs.find((p) => p.name === 'helperMade')!.id.value, 'helper_made');
});

test('plans and what create() and do() can return', () => {
  const { plans, procedures } = session.index();
  const keyOf = (name: string): string => procedures.find((p) => p.name === name)!.key;
  const group = plans.find((p) => p.planName.value === 'group')!;
  assert.equal(group.kind, 'class-implements');
  assert.deepEqual([...group.returns].sort(), [keyOf('CreateGroup'), keyOf('Register'), keyOf('helperMade')].sort());
  const literalPlan = plans.find((p) => p.planName.value === 'literal-plan')!;
  assert.equal(literalPlan.kind, 'helper');
  assert.deepEqual([...literalPlan.returns].sort(), [keyOf('Tagged'), keyOf('literal')].sort());
  assert.deepEqual(procedures.find((p) => p.name === 'CreateGroup')!.returns, [keyOf('AddRule')]);
});

test('a class with do(x: number) and an id, or an object with a numeric id, is not a procedure even with other members', () => {
  const { findings } = lintText(
    session,
    `export class Calc { readonly id = 'calc'; private n = 0; do(x: number): number { this.n += x; return this.n; } }
export const obj = { id: 'obj', do(x: { a: number }) { return x.a; } };`,
  );
  assert.deepEqual(findings, []);
  assert.equal(session.index().procedures.filter((p) => p.name === 'Calc' || p.name === 'obj').length, 0);
});

test('procedures made by a factory function and by a namespace import are indexed', () => {
  const { file } = lintText(
    session,
    `import * as rt from 'instrument-first';
export function makeStep(n: string): rt.Procedure {
  return rt.procedure('made-' + n, (ctx) => { ctx.span.setAttribute('n', n); });
}
export class Ns implements rt.Procedure { readonly id = 'ns'; do(ctx: rt.StepContext): void { ctx.log.info('x'); } }`,
  );
  const procs = session.index().procedures.filter((p) => p.file === file);
  assert.deepEqual(procs.map((p) => [p.name, p.kind]).sort(), [['Ns', 'class-implements'], ['makeStep', 'helper']]);
});
