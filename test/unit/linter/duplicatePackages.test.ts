import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LintSession } from '../../../src/linter/lintSession';

// The same package (name and version) installed twice under node_modules, as npm does when two
// dependencies pin it (vitest's @vitest/pretty-format in this repository): TypeScript reads one copy
// and makes the other a redirect to it. Re-linting after an edit must still work.
const RUNTIME = `export interface Span { addEvent(n: string): this }
export interface StepContext { readonly span: Span }
export interface Procedure { readonly id: string; do(ctx: StepContext): Promise<Procedure[] | void> | Procedure[] | void }
`;
const FMT = { 'package.json': JSON.stringify({ name: 'fmt', version: '1.0.0', types: 'index.d.ts' }), 'index.d.ts': `export interface Fmt { format(v: unknown): string }\nexport declare function fmt(): Fmt;\n` };
const dependant = (name: string) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', types: 'index.d.ts' }),
  [`node_modules/${name}/index.d.ts`]: `import type { Fmt } from 'fmt';\nexport declare function ${name}(): Fmt;\n`,
  [`node_modules/${name}/node_modules/fmt/package.json`]: FMT['package.json'],
  [`node_modules/${name}/node_modules/fmt/index.d.ts`]: FMT['index.d.ts'],
});
const STEPS = (body: string) => `import type { Procedure, StepContext } from 'instrument-first';
import { a } from 'a';
import { b } from 'b';
export class Format implements Procedure {
  readonly id = 'format';
  do(ctx: StepContext): void { ${body} a().format(b().format(1)); }
}
`;

function writeProject(dir: string): void {
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, noEmit: true, skipLibCheck: true, types: [], baseUrl: '.', paths: { 'instrument-first': ['runtime/index.ts'] } },
      include: ['src/**/*.ts', 'runtime/**/*.ts'],
    }),
    'runtime/index.ts': RUNTIME,
    'src/steps.ts': STEPS(''),
    ...dependant('a'),
    ...dependant('b'),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

test('two identical copies of a package: edits re-lint incrementally and findings follow the edit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-dup-'));
  try {
    writeProject(dir);
    const session = new LintSession({ roots: [join(dir, 'src')], tsConfigFilePath: join(dir, 'tsconfig.json') });
    session.analyseAll();
    const redirects = session.program().getSourceFiles().filter((sf) => (sf as { redirectInfo?: unknown }).redirectInfo);
    assert.equal(redirects.length, 1, 'the set-up must make TypeScript redirect one copy to the other');

    const file = join(dir, 'src/steps.ts');
    const before = session.findings(file).findings.map((f) => f.rule);
    assert.ok(before.length > 0, 'an uninstrumented step has a finding');

    // the incremental rebuild reuses the old program, redirect included
    const instrumented = session.updateFile(file, STEPS(`ctx.span.addEvent('formatting');`)).findings.map((f) => f.rule);
    assert.ok(instrumented.length < before.length, `the edit clears a finding: ${before} → ${instrumented}`);
    const sf = session.program().getSourceFile(file);
    assert.ok(sf);
    assert.deepEqual(session.program().getSemanticDiagnostics(sf).map((d) => d.messageText), [], 'both copies still type-check');

    // and back: the finding returns
    assert.deepEqual(session.updateFile(file, STEPS('')).findings.map((f) => f.rule), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
