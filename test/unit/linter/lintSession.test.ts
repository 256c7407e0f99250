import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LintSession } from '../../../src/linter/lintSession';
import { LintService } from '../../../src/linter/lintService';
import type { LintResultMap } from '../../../src/protocol/lintMessages';
import { isLintRequest, isLintWorkerMessage } from '../../../src/protocol/lintMessages';

// An in-memory workspace with a stub runtime: no disk, no tsconfig.
const RUNTIME = `export interface Span { setAttribute(k: string, v: string | number | boolean): this; addEvent(n: string): this; recordException(e: Error | string): void }
export interface Logger { info(m: string): void; error(m: string): void }
export interface PlanContext { readonly pass: number; readonly log: Logger }
export interface StepContext extends PlanContext { readonly span: Span; trace<T>(name: string, fn: (span: Span) => Promise<T> | T): Promise<T> }
export interface Procedure { readonly id: string; do(ctx: StepContext): Promise<Procedure[] | void> | Procedure[] | void }
export interface Plan { readonly name: string; create(ctx: PlanContext): Promise<Procedure[]> | Procedure[] }
export function procedure(id: string, run: (ctx: StepContext) => Promise<Procedure[] | void> | Procedure[] | void): Procedure { return { id, do: run }; }
`;
const STEPS = `import type { Plan, PlanContext, Procedure, StepContext } from 'instrument-first';
export class Loud implements Procedure { readonly id = 'loud'; do(ctx: StepContext): void { ctx.span.addEvent('x'); } }
export class Quiet implements Procedure { readonly id = 'quiet'; do(): void {} }
export class Unused implements Procedure { readonly id = 'unused'; do(ctx: StepContext): void { ctx.log.info('x'); } }
export class ThePlan implements Plan { readonly name = 'the-plan'; create(_ctx: PlanContext): Procedure[] { return [new Loud(), new Quiet()]; } }
`;

function memorySession(): LintSession {
  const s = new LintSession({
    roots: ['/ws/src'],
    files: { '/ws/runtime/index.ts': RUNTIME, '/ws/src/steps.ts': STEPS, '/ws/src/other.ts': `export const x = 1;\n` },
    compilerOptions: { baseUrl: '/ws', paths: { 'instrument-first': ['runtime/index.ts'] } },
  });
  s.analyseAll();
  return s;
}

test('only files under the roots are linted; the runtime is read but not reported on', () => {
  const s = memorySession();
  assert.equal(s.isLinted('/ws/src/steps.ts'), true);
  assert.equal(s.isLinted('/ws/runtime/index.ts'), false);
  assert.deepEqual(s.allFindings().map((f) => f.file), ['/ws/src/other.ts', '/ws/src/steps.ts']);
  assert.deepEqual(s.findings('/ws/src/steps.ts').findings.map((f) => f.rule), ['uninstrumented-procedure']);
});

test('exclude globs keep files out of the lint', () => {
  const s = new LintSession({ roots: ['/ws/src'], exclude: ['**/gen/**', 'skip-*.ts'], files: { '/ws/src/gen/a.ts': 'export {};', '/ws/src/skip-b.ts': 'export {};', '/ws/src/c.ts': 'export {};' } });
  s.analyseAll();
  assert.deepEqual(s.allFindings().map((f) => f.file), ['/ws/src/c.ts']);
});

test('incremental re-analysis: an edit changes only that file, keeps the version, and updates index and coverage', () => {
  const s = memorySession();
  const fixedQuiet = STEPS.replace(`do(): void {}`, `do(ctx: StepContext): void { ctx.log.info('now loud'); }`);
  const r = s.updateFile('/ws/src/steps.ts', fixedQuiet, 7);
  assert.equal(r.version, 7);
  assert.deepEqual(r.findings, []);
  assert.equal(s.coverage().workspace.instrumented, 3);

  const added = s.updateFile('/ws/src/new.ts', `import type { Procedure } from 'instrument-first';\nexport const n: Procedure = { id: 'n', do() {} };\n`, 1);
  assert.equal(added.findings.length, 1);
  assert.ok(s.index().procedures.some((p) => p.file === '/ws/src/new.ts' && p.kind === 'object-literal'));

  // closing a file that does not exist on disk drops it
  assert.deepEqual(s.closeFile('/ws/src/new.ts').findings, []);
  assert.ok(!s.index().procedures.some((p) => p.file === '/ws/src/new.ts'));
});

test('coverage: per plan and workspace, found / instrumented / executed in the last run', () => {
  const s = memorySession();
  const c = s.coverage({ ids: ['loud'], types: ['Unused'] });
  assert.deepEqual(c.workspace, { found: 3, instrumented: 2, executed: 2 });
  assert.equal(c.plans.length, 1);
  const plan = c.plans[0]!;
  assert.equal(plan.planName, 'the-plan');
  assert.deepEqual({ found: plan.found, instrumented: plan.instrumented, executed: plan.executed }, { found: 2, instrumented: 1, executed: 1 });
  assert.deepEqual(c.procedures.filter((p) => !p.instrumented).map((p) => p.id), ['quiet']);
  assert.equal(s.coverage().workspace.executed, undefined);
});

test('setConfig re-analyses with new severities', () => {
  const s = memorySession();
  s.setConfig({ severity: { 'uninstrumented-procedure': 'error' } });
  assert.deepEqual(s.flatFindings().map((f) => f.severity), ['error']);
  assert.throws(() => s.setConfig({ severity: { 'no-such-rule': 'error' } as never }), /unknown rule/);
});

test('the lint service answers typed requests and reports errors as {ok: false}', () => {
  const service = new LintService();
  const early = service.handle({ id: 1, type: 'getIndex' });
  assert.deepEqual(early, { id: 1, ok: false, error: 'lint worker: not initialised (send "init" first)' });
  assert.equal(isLintWorkerMessage(early), true);
  assert.equal(isLintRequest({ id: 2, type: 'updateFile', file: 'a.ts' }), false, 'text and version are required');
  assert.equal(isLintRequest({ id: 2, type: 'bogus' }), false);
  assert.equal(isLintRequest({ id: 3, type: 'getCoverage' }), true);
});

test('results are structured-clone safe (they cross the worker boundary)', () => {
  const s = memorySession();
  const payload: [LintResultMap['getIndex'], LintResultMap['getAllFindings'], LintResultMap['getCoverage']] = [s.index(), s.allFindings(), s.coverage()];
  assert.deepEqual(structuredClone(payload), payload);
});
