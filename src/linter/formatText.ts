import { relative } from 'node:path';
import type { CoverageReport, Finding, PlanCoverage } from '../protocol/lintTypes';

/** `path:line:col  severity  message  rule`, grouped by file, with a summary line. */
export function formatFindingsText(findings: readonly Finding[], baseDir: string): string {
  const lines: string[] = [];
  let file = '';
  for (const f of findings) {
    if (f.file !== file) {
      if (file) lines.push('');
      file = f.file;
      lines.push(relative(baseDir, f.file));
    }
    const pos = `${f.range.startLine + 1}:${f.range.startColumn + 1}`;
    lines.push(`  ${pos.padEnd(8)} ${f.severity.padEnd(7)} ${f.message}  ${f.rule}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const infos = findings.length - errors - warnings;
  if (lines.length) lines.push('');
  lines.push(`${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''})`);
  return lines.join('\n') + '\n';
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${Math.round((100 * n) / d)}%`);

export function formatCoverageText(c: CoverageReport, baseDir: string): string {
  const exec = c.workspace.executed !== undefined;
  const rows: [string, { found: number; instrumented: number; executed?: number }][] = [
    ...c.plans.map((p): [string, PlanCoverage] => [`${p.planName} (${relative(baseDir, p.file)})`, p]),
    ['workspace', c.workspace],
  ];
  const width = Math.max(4, ...rows.map(([name]) => name.length));
  const cells = (name: string, found: string, inst: string, ex: string): string =>
    `  ${name.padEnd(width)}  ${found.padStart(5)}  ${inst.padStart(12)}${exec ? `  ${ex.padStart(11)}` : ''}`;
  const out = ['Observability coverage', cells('plan', 'found', 'instrumented', 'executed')];
  for (const [name, k] of rows) {
    out.push(cells(name, String(k.found), `${k.instrumented} (${pct(k.instrumented, k.found)})`, `${k.executed ?? 0} (${pct(k.executed ?? 0, k.found)})`));
  }
  const missing = c.procedures.filter((p) => !p.instrumented);
  if (missing.length) {
    out.push('  not instrumented:');
    for (const p of missing) out.push(`    ${p.id} (${p.typeName}) ${relative(baseDir, p.file)}:${p.line + 1}`);
  }
  return out.join('\n') + '\n';
}
