import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LintConfigInput } from '../../../src/linter/lintConfig';
import { fixtureSession, lintText, ofRule } from './lintTestSession';

const session = fixtureSession();
/** Runs `fn` with other settings on the shared session (re-analysis is cheaper than a new session). */
function withConfig(config: LintConfigInput, fn: () => void): void {
  session.setConfig(config);
  try {
    fn();
  } finally {
    session.setConfig({});
  }
}

const HEAD = `import { procedure, type Plan, type PlanContext, type Procedure, type StepContext } from 'instrument-first';\n`;

test('uninstrumented-procedure: flags a do() that records nothing, with or without ctx', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `export class Quiet implements Procedure { readonly id = 'quiet'; async do(): Promise<void> { await Promise.resolve(); } }
export class Unused implements Procedure { readonly id = 'unused'; do(ctx: StepContext): void { void ctx.depth; } }
export const silent = procedure('silent', async () => undefined);`,
  );
  const flagged = ofRule(findings, 'uninstrumented-procedure');
  assert.equal(flagged.length, 3);
  assert.match(flagged[0]!.message, /quiet records nothing/);
  assert.equal(flagged[0]!.severity, 'warning');
});

test('uninstrumented-procedure: attributes, events, child spans, ctx.trace, logs, destructuring and delegation count', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `declare function traced(ctx: StepContext, name: string): Promise<void>;
export class A implements Procedure { readonly id = 'a'; do(ctx: StepContext): void { ctx.span.addEvent('x'); } }
export class B implements Procedure { readonly id = 'b'; async do(ctx: StepContext) { await ctx.trace('t', () => 1); } }
export class C implements Procedure { readonly id = 'c'; do({ log }: StepContext): void { log.warn('w'); } }
export class D implements Procedure { readonly id = 'd'; do(ctx: StepContext): void { const { span } = ctx; span.setAttributes({ a: 1 }); } }
export class E implements Procedure { readonly id = 'e'; async do(ctx: StepContext) { await traced(ctx, 'x'); } }
export class F implements Procedure { readonly id = 'f'; do(ctx: StepContext): void { ctx.tracer.startSpan('s').end(); } }`,
  );
  assert.deepEqual(ofRule(findings, 'uninstrumented-procedure'), []);
});

test('swallowed-error: empty catch, log-only catch and swallowing .catch handlers are flagged', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `export class S implements Procedure {
  readonly id = 's';
  async do(ctx: StepContext): Promise<void> {
    ctx.span.addEvent('start');
    try { await Promise.reject(new Error('x')); } catch { /* later */ }
    try { await Promise.reject(new Error('y')); } catch (e) { console.log(e); }
    await Promise.reject(new Error('z')).catch(() => undefined);
    await Promise.reject(new Error('w')).then(() => 1, (e) => { void e; });
  }
}`,
  );
  const flagged = ofRule(findings, 'swallowed-error');
  assert.equal(flagged.length, 4);
  assert.equal(flagged[0]!.severity, 'error');
  assert.match(flagged[0]!.message, /catch block neither rethrows nor records/);
  assert.match(flagged[2]!.message, /rejection handler/);
});

test('swallowed-error: rethrow, recordException, setStatus, log.error and reject are handling', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `export class H implements Procedure {
  readonly id = 'h';
  async do(ctx: StepContext): Promise<void> {
    try { await Promise.resolve(); } catch (e) { throw e; }
    try { await Promise.resolve(); } catch (e) { ctx.span.recordException(String(e)); }
    try { await Promise.resolve(); } catch { ctx.span.setStatus({ code: 2 }); }
    try { await Promise.resolve(); } catch (e) { ctx.log.error('failed', { e: String(e) }); }
    await Promise.resolve().catch((e: unknown) => Promise.reject(e));
    await Promise.resolve().catch((e: unknown) => { if (e) throw e; });
  }
}`,
  );
  assert.deepEqual(ofRule(findings, 'swallowed-error'), []);
});

test('swallowed-error: follows calls into project code (bounded depth) and reports at the call', () => {
  const code = HEAD + `import { registerAll, careful } from '../src/helpers';
export class R implements Procedure { readonly id = 'r'; async do(ctx: StepContext) { ctx.span.addEvent('x'); await registerAll(['a']); await careful('b'); } }`;
  const deep = ofRule(lintText(session, code).findings, 'swallowed-error');
  assert.equal(deep.length, 1);
  assert.match(deep[0]!.message, /calls registerOne, which swallows an error \(\.\.\/src\/helpers\.ts:5\)/);

  withConfig({ maxCallDepth: 1 }, () => {
    assert.deepEqual(ofRule(lintText(session, code).findings, 'swallowed-error'), [], 'registerOne is two calls deep');
  });
});

test('untraced-external-call: awaited fetch, SDK-style and imported-client calls outside a span', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `import * as https from 'node:https';
declare const cloud: { ec2: { runInstances(r: { n: number }): Promise<string[]> } };
declare const client: { send(cmd: string): Promise<unknown> };
export class X implements Procedure {
  readonly id = 'x';
  async do(ctx: StepContext): Promise<void> {
    ctx.span.addEvent('start');
    await fetch('https://example.invalid');
    const ids = await cloud.ec2.runInstances({ n: 1 });
    await client.send('cmd');
    https.get('https://example.invalid');
    ctx.span.setAttribute('n', ids.length);
  }
}`,
  );
  const flagged = ofRule(findings, 'untraced-external-call');
  assert.deepEqual(flagged.map((f) => f.message.match(/calls (\S+) outside/)?.[1]), ['fetch', 'ec2.runInstances', 'client.send', 'https.get']);
});

test('untraced-external-call: calls inside ctx.trace, startActiveSpan or a helper given ctx are traced; local calls are not external', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `declare const cloud: { ec2: { runInstances(r: { n: number }): Promise<string[]> } };
declare function cloudCall<T>(ctx: StepContext, name: string, fn: () => Promise<T>): Promise<T>;
async function local(): Promise<number> { return 1; }
export class Y implements Procedure {
  readonly id = 'y';
  async do(ctx: StepContext): Promise<void> {
    await ctx.trace('run', () => cloud.ec2.runInstances({ n: 1 }));
    await cloudCall(ctx, 'EC2 RunInstances', () => cloud.ec2.runInstances({ n: 2 }));
    await ctx.tracer.startActiveSpan('f', async (span) => { await fetch('https://example.invalid'); span.end(); });
    await local();
  }
}`,
  );
  assert.deepEqual(ofRule(findings, 'untraced-external-call'), []);
});

test('untraced-external-call: the call-signature list is configurable', () => {
  const code =
    HEAD +
    `declare const api: { billing: { charge(n: number): Promise<void> } };
export class Z implements Procedure { readonly id = 'z'; async do(ctx: StepContext) { ctx.span.addEvent('x'); await api.billing.charge(1); await fetch('x'); } }`;
  withConfig({ externalCalls: ['**.billing.*'] }, () => {
    const flagged = ofRule(lintText(session, code).findings, 'untraced-external-call');
    assert.deepEqual(flagged.map((f) => f.message.match(/calls (\S+) outside/)?.[1]), ['billing.charge']);
  });
});

test('unstable-step-id: time, randomness and counters in ids are flagged; literals and inputs are not', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `let n = 0;
export class T1 implements Procedure { readonly id = 'step-' + Date.now(); do(ctx: StepContext) { ctx.log.info('x'); } }
export class T2 implements Procedure { readonly id = \`step-\${Math.random()}\`; do(ctx: StepContext) { ctx.log.info('x'); } }
export class T3 implements Procedure { readonly id: string; constructor() { this.id = 'step-' + n++; } do(ctx: StepContext) { ctx.log.info('x'); } }
export const t4 = procedure(\`made-\${crypto.randomUUID()}\`, (ctx) => ctx.log.info('x'));
export class Ok1 implements Procedure { readonly id: string; constructor(name: string) { this.id = 'ok-' + name; } do(ctx: StepContext) { ctx.log.info('x'); } }
export const ok2 = procedure('ok-2', (ctx) => ctx.log.info('x'));`,
  );
  const flagged = ofRule(findings, 'unstable-step-id');
  assert.deepEqual(flagged.map((f) => f.message.match(/built from (.+?): /)?.[1]), ['Date.now()', 'Math.random()', 'a counter', 'crypto.randomUUID()']);
});

test('side-effect-in-create: awaited state-changing calls in create() are flagged; reads and step construction are not', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `import { writeFileSync } from 'node:fs';
declare const cloud: { ec2: { describeInstances(): Promise<string[]>; createSecurityGroup(n: string): Promise<void> } };
declare function createStep(n: string): Procedure;
export class P implements Plan {
  readonly name = 'p';
  async create(ctx: PlanContext): Promise<Procedure[]> {
    const running = await cloud.ec2.describeInstances();
    await cloud.ec2.createSecurityGroup('g');
    writeFileSync('/tmp/x', 'y');
    ctx.log.info('planned');
    return running.length ? [] : [createStep('a'), procedure('b', async (c) => { await cloud.ec2.createSecurityGroup('inside-a-step'); c.log.info('x'); })];
  }
}`,
  );
  const flagged = ofRule(findings, 'side-effect-in-create');
  assert.deepEqual(flagged.map((f) => f.message.match(/calls (\S+), which/)?.[1]), ['ec2.createSecurityGroup', 'writeFileSync']);
});

test('severity settings: off silences a rule, info changes its level', () => {
  withConfig({ severity: { 'uninstrumented-procedure': 'off', 'swallowed-error': 'info' } }, () => {
    const { findings } = lintText(
      session,
      HEAD + `export class Q implements Procedure { readonly id = 'q'; async do() { try { await Promise.resolve(); } catch { /* */ } } }`,
    );
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['swallowed-error', 'info']]);
  });
});

test('ignore comments: on the line above, trailing, above the procedure, for one rule or all', () => {
  const { findings } = lintText(
    session,
    HEAD +
      `// instrument-first-ignore uninstrumented-procedure
export class I1 implements Procedure { readonly id = 'i1'; async do() { await fetch('x'); } }
export class I2 implements Procedure {
  readonly id = 'i2';
  async do(ctx: StepContext) {
    ctx.span.addEvent('x');
    // instrument-first-ignore untraced-external-call
    await fetch('y');
    await fetch('z'); // instrument-first-ignore
    try { await fetch('w'); } catch { /* */ } // instrument-first-ignore swallowed-error, untraced-external-call
  }
}`,
  );
  // I1: uninstrumented ignored at the class, its fetch is still reported
  assert.deepEqual(findings.map((f) => f.rule), ['untraced-external-call']);
  assert.match(findings[0]!.message, /Procedure i1 calls fetch/);
});

test('every finding has an ignore-comment fix and a docs-linked rule id', () => {
  const { findings } = lintText(session, HEAD + `export class G implements Procedure { readonly id = 'g'; do() {} }`);
  assert.equal(findings.length, 1);
  assert.ok(findings[0]!.fixes.some((f) => f.kind === 'add-ignore-comment'));
});
