import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, fixtureSession, lintText, ofRule, typeErrors } from './lintTestSession';

const session = fixtureSession();

/** Lints `text` (which must type-check), applies the first `rule` finding's `kind` fix, and checks the result. */
function fixAndCheck(name: string, text: string, rule: Parameters<typeof ofRule>[1], kind: Parameters<typeof applyFix>[4]): string {
  const { file, findings } = lintText(session, text, name);
  assert.deepEqual(typeErrors(session, file), [], 'the case itself type-checks');
  const finding = ofRule(findings, rule)[0];
  assert.ok(finding, `expected a ${rule} finding`);
  const fixed = applyFix(session, file, text, finding, kind);
  assert.deepEqual(fixed.errors, [], `fixed code type-checks:\n${fixed.text}`);
  assert.equal(ofRule(fixed.findings, rule).length, ofRule(findings, rule).length - 1, `the fix removes the finding:\n${fixed.text}`);
  return fixed.text;
}

test('add span attributes: from constructor inputs (and their primitive members) and awaited results', () => {
  const text = `import type { Procedure, StepContext } from 'instrument-first';
interface Cluster { name: string; size: number; ids: string[] }
declare function createGroup(name: string): Promise<{ GroupId: string; count: number }>;
export class CreateGroup implements Procedure {
  readonly id = 'create_group';
  constructor(private readonly cluster: Cluster, private readonly region: string) {}
  async do(ctx: StepContext): Promise<void> {
    const { GroupId } = await createGroup(this.cluster.name);
    void ctx;
    void GroupId;
  }
}
`;
  const fixed = fixAndCheck('fixInputs', text, 'uninstrumented-procedure', 'add-span-attributes');
  assert.match(fixed, /ctx\.span\.setAttributes\(\{ 'cluster\.name': this\.cluster\.name, 'cluster\.size': this\.cluster\.size, region: this\.region \}\);|'region': this\.region/);
  assert.match(fixed, /ctx\.span\.setAttribute\('result\.GroupId', GroupId\);/);
});

test('add span attributes: adds the ctx parameter and the StepContext import when do() takes none', () => {
  const text = `import type { Procedure } from 'instrument-first';
export class Quiet implements Procedure {
  readonly id = 'quiet';
  constructor(private readonly count: number) {}
  async do(): Promise<void> {
    await Promise.resolve(this.count);
  }
}
`;
  const fixed = fixAndCheck('fixNoCtx', text, 'uninstrumented-procedure', 'add-span-attributes');
  assert.match(fixed, /import type \{ Procedure, StepContext \} from 'instrument-first';/);
  assert.match(fixed, /async do\(ctx: StepContext\): Promise<void> \{\n    ctx\.span\.setAttributes\(\{ 'count': this\.count \}\);/);
});

test('add span attributes: a helper-made step with no inputs gets an event, and its callback a ctx parameter', () => {
  const text = `import { procedure } from 'instrument-first';
export const empty = procedure('empty', async () => {});
`;
  const fixed = fixAndCheck('fixHelper', text, 'uninstrumented-procedure', 'add-span-attributes');
  assert.match(fixed, /async \(ctx\) => \{\n  ctx\.span\.addEvent\('empty started'\);\n\}/);
});

test('wrap an external call in ctx.trace(…), also when do() has no ctx yet', () => {
  const withCtx = `import type { Procedure, StepContext } from 'instrument-first';
declare const cloud: { ec2: { runInstances(r: { n: number }): Promise<string[]> } };
export class Run implements Procedure {
  readonly id = 'run';
  async do(ctx: StepContext): Promise<void> {
    const ids = await cloud.ec2.runInstances({ n: 2 });
    ctx.span.setAttribute('count', ids.length);
  }
}
`;
  const fixed = fixAndCheck('fixWrap', withCtx, 'untraced-external-call', 'wrap-in-trace');
  assert.match(fixed, /const ids = await ctx\.trace\('ec2\.runInstances', \(\) => cloud\.ec2\.runInstances\(\{ n: 2 \}\)\);/);

  const noCtx = `import { type Procedure } from 'instrument-first';
declare const state: { cloud: { ec2: { authorizeEgress(r: { rule: string }): Promise<void> } } };
export class Egress implements Procedure {
  readonly id = 'egress';
  async do(): Promise<void> {
    await state.cloud.ec2.authorizeEgress({ rule: 'all' });
  }
}
`;
  const fixed2 = fixAndCheck('fixWrapNoCtx', noCtx, 'untraced-external-call', 'wrap-in-trace');
  assert.match(fixed2, /import \{ type Procedure, type StepContext \} from 'instrument-first';/);
  assert.match(fixed2, /await ctx\.trace\('ec2\.authorizeEgress', \(\) => state\.cloud\.ec2\.authorizeEgress\(\{ rule: 'all' \}\)\);/);
});

test('record the exception on the span: catch without binding, catch with binding, .catch handler', () => {
  const bare = `import type { Procedure, StepContext } from 'instrument-first';
export class Reg implements Procedure {
  readonly id = 'reg';
  async do(ctx: StepContext): Promise<void> {
    ctx.span.addEvent('start');
    try {
      await Promise.reject(new Error('no target group'));
    } catch {
      // retried later
    }
  }
}
`;
  const fixed = fixAndCheck('fixCatchBare', bare, 'swallowed-error', 'record-exception');
  assert.match(fixed, /\} catch \(error\) \{\n      ctx\.span\.recordException\(error instanceof Error \? error : String\(error\)\);\n      ctx\.span\.setStatus\(\{ code: 2 \/\* SpanStatusCode\.ERROR \*\/, message: String\(error\) \}\);\n      \/\/ retried later/);

  const bound = bare.replace('} catch {', '} catch (e) { console.log(e);').replace("'reg'", "'reg2'");
  fixAndCheck('fixCatchBound', bound, 'swallowed-error', 'record-exception');

  const handler = `import { procedure } from 'instrument-first';
export const h = procedure('h', async (ctx) => {
  ctx.span.addEvent('start');
  await Promise.reject(new Error('x')).catch(() => undefined);
  await Promise.reject(new Error('y')).catch((e) => {});
});
`;
  const fixed3 = fixAndCheck('fixHandler', handler, 'swallowed-error', 'record-exception');
  assert.match(fixed3, /\.catch\(\(error: unknown\) => \{ ctx\.span\.recordException\(error instanceof Error \? error : String\(error\)\); ctx\.span\.setStatus\(\{ code: 2 \/\* SpanStatusCode\.ERROR \*\/, message: String\(error\) \}\); return undefined; \}\)/);
});

test('add the ignore comment: the finding goes away and the code still type-checks', () => {
  const text = `import type { Procedure, StepContext } from 'instrument-first';
export class Later implements Procedure {
  readonly id = 'later';
  async do(ctx: StepContext): Promise<void> {
    ctx.span.addEvent('x');
    await fetch('https://example.invalid');
  }
}
`;
  const fixed = fixAndCheck('fixIgnore', text, 'untraced-external-call', 'add-ignore-comment');
  assert.match(fixed, /\n    \/\/ instrument-first-ignore untraced-external-call\n    await fetch/);
});
