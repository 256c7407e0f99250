import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ts } from 'ts-morph';
import { LintSession } from '../../../src/linter/lintSession';
import { applyEdits } from '../../../src/linter/textEdits';
import type { LintConfigInput } from '../../../src/linter/lintConfig';
import type { Finding, FixKind, RuleId } from '../../../src/protocol/lintTypes';

/** test/fixtures/linter: above the compiled test (out/test/unit/linter), else below the working directory. */
function findFixtures(): string {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) {
    const candidate = join(d, 'test/fixtures/linter');
    if (existsSync(join(candidate, 'tsconfig.json'))) return candidate;
  }
  return resolve('test/fixtures/linter');
}
export const FIXTURES = findFixtures();
export const REPO = resolve(FIXTURES, '../../..');

/** A session over the fixture project; cases are added as editor overlays under cases/. */
export function fixtureSession(config?: LintConfigInput): LintSession {
  const s = new LintSession({ roots: [FIXTURES], tsConfigFilePath: join(FIXTURES, 'tsconfig.json'), config });
  s.analyseAll();
  return s;
}

let counter = 0;

/** Lints `text` as a new file of the session and returns its findings. */
export function lintText(session: LintSession, text: string, name = `case${++counter}`): { file: string; findings: Finding[] } {
  const file = join(FIXTURES, 'cases', `${name}.ts`);
  return { file, findings: session.updateFile(file, text).findings };
}

export function ofRule(findings: Finding[], rule: RuleId): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** Type errors of a file in the session's current program. */
export function typeErrors(session: LintSession, file: string): string[] {
  const program = session.program();
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`not in program: ${file}`);
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** Applies the finding's fix of `kind` to `text`, re-lints the result, and returns it with its type errors. */
export function applyFix(session: LintSession, file: string, text: string, finding: Finding, kind: FixKind): { text: string; errors: string[]; findings: Finding[] } {
  const fix = finding.fixes.find((f) => f.kind === kind);
  if (!fix) throw new Error(`no ${kind} fix on ${finding.rule}: ${finding.fixes.map((f) => f.kind).join(', ')}`);
  const fixed = applyEdits(text, fix.edits);
  const findings = session.updateFile(file, fixed).findings;
  return { text: fixed, errors: typeErrors(session, file), findings };
}
