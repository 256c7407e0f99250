import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { formatCoverageText, formatFindingsText } from '../../linter/formatText';
import { resolveLintConfig, type LintConfigInput } from '../../linter/lintConfig';
import { findTsConfig, LintSession } from '../../linter/lintSession';
import { toSarif } from '../../linter/sarif';
import { ownRuntime } from '../../project/runtimeInstall';
import { RULE_IDS, type CoverageReport, type Finding, type IndexSnapshot, type RuleId, type SeveritySetting } from '../../protocol/lintTypes';

const USAGE = `Usage: instrument-first lint [paths…] [options]

Finds the plans and procedures under the paths (default: .) and reports what their traces will
not show. Each path is analysed with the nearest tsconfig.json (in it or above it).

Options:
  --format text|json|sarif   output format (default text); sarif is SARIF 2.1.0
  --max-warnings N           exit 1 when there are more than N warnings (default: unlimited)
  --coverage                 also print observability coverage (found / instrumented / executed)
  --executed id,id,…         procedure ids or types that ran in the last run (for --coverage)
  --rule <rule>=<severity>   error | warning | info | off; repeatable
  --config <file.json>       lint settings (severity, externalCalls, externalModules, sideEffectPattern, maxCallDepth)
  --output <file>            write the report to a file instead of stdout

Exit codes: 0 no errors and warnings within --max-warnings; 1 errors, or too many warnings;
2 usage or configuration error, or nothing to lint.
`;

interface LintArgs {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  maxWarnings?: number;
  coverage: boolean;
  executed?: string[];
  config: LintConfigInput;
  output?: string;
}

function parseArgs(args: string[]): LintArgs | 'help' {
  const out: LintArgs = { paths: [], format: 'text', coverage: false, config: {} };
  const severity: Partial<Record<RuleId, SeveritySetting>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new CliError(`lint: ${a} needs a value`, 2);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--format') {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new CliError(`lint: unknown format "${f}" (text, json or sarif)`, 2);
      out.format = f;
    } else if (a === '--max-warnings') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new CliError('lint: --max-warnings needs a whole number ≥ 0', 2);
      out.maxWarnings = n;
    } else if (a === '--coverage') out.coverage = true;
    else if (a === '--executed') out.executed = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--output' || a === '-o') out.output = value();
    else if (a === '--config') out.config = { ...readConfig(value()), ...out.config };
    else if (a === '--rule') {
      const [rule, sev] = value().split('=');
      if (!rule || !(RULE_IDS as readonly string[]).includes(rule)) throw new CliError(`lint: unknown rule "${rule ?? ''}" (${RULE_IDS.join(', ')})`, 2);
      if (sev !== 'error' && sev !== 'warning' && sev !== 'info' && sev !== 'off') throw new CliError(`lint: --rule ${rule}= needs error, warning, info or off`, 2);
      severity[rule as RuleId] = sev;
    } else if (a.startsWith('-')) throw new CliError(`lint: unknown option ${a} (see --help)`, 2);
    else out.paths.push(a);
  }
  if (Object.keys(severity).length) out.config = { ...out.config, severity: { ...out.config.severity, ...severity } };
  if (out.paths.length === 0) out.paths.push('.');
  return out;
}

function readConfig(file: string): LintConfigInput {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LintConfigInput;
  } catch (err) {
    throw new CliError(`lint: cannot read config ${file}: ${err instanceof Error ? err.message : String(err)}`, 2, { cause: err });
  }
}

/** Lints the paths, one session per tsconfig. Exported for tests. */
export function lintPaths(paths: string[], config: LintConfigInput): { findings: Finding[]; files: number; index: IndexSnapshot; coverage: (executed?: string[]) => CoverageReport } {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new CliError(`lint: no such file or folder: ${p}`, 2);
    const dir = statSync(abs).isDirectory() ? abs : dirname(abs);
    const tsconfig = findTsConfig(dir) ?? '';
    groups.set(tsconfig, [...(groups.get(tsconfig) ?? []), abs]);
  }
  const sessions: LintSession[] = [];
  let files = 0;
  for (const [tsconfig, roots] of groups) {
    let session: LintSession;
    try {
      session = new LintSession({ roots, tsConfigFilePath: tsconfig || undefined, config });
    } catch (err) {
      throw new CliError(`lint: ${err instanceof Error ? err.message : String(err)}`, 2, { cause: err });
    }
    files += session.analyseAll().files;
    sessions.push(session);
  }
  const index: IndexSnapshot = { procedures: [], plans: [] };
  for (const s of sessions) {
    const i = s.index();
    index.procedures.push(...i.procedures);
    index.plans.push(...i.plans);
  }
  const coverage = (executed?: string[]): CoverageReport => {
    const reports = sessions.map((s) => s.coverage(executed ? { ids: executed, types: executed } : undefined));
    const sum = (k: 'found' | 'instrumented' | 'executed'): number => reports.reduce((n, r) => n + (r.workspace[k] ?? 0), 0);
    const workspace = executed ? { found: sum('found'), instrumented: sum('instrumented'), executed: sum('executed') } : { found: sum('found'), instrumented: sum('instrumented') };
    return { workspace, plans: reports.flatMap((r) => r.plans), procedures: reports.flatMap((r) => r.procedures) };
  };
  return { findings: sessions.flatMap((s) => s.flatFindings()), files, index, coverage };
}

export const lintCommand: CliCommand = {
  summary: 'report procedures whose traces will miss something (text, json or SARIF); exit 1 on errors', // also in commandTable.ts (loaded lazily)
  async run(args) {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    const config = parsed.config;
    try {
      resolveLintConfig(config); // a bad setting is a usage error, not a crash
    } catch (err) {
      throw new CliError(`lint: ${err instanceof Error ? err.message : String(err)}`, 2, { cause: err });
    }
    const result = lintPaths(parsed.paths, config);
    if (result.files === 0) throw new CliError(`lint: no TypeScript or JavaScript files to lint under ${parsed.paths.join(', ')}`, 2);
    const cwd = process.cwd();
    const coverage = parsed.coverage ? result.coverage(parsed.executed) : undefined;
    let report: string;
    if (parsed.format === 'sarif') report = JSON.stringify(toSarif(result.findings, cwd, ownRuntime().version, ownRuntime().root), null, 2) + '\n';
    else if (parsed.format === 'json') report = JSON.stringify({ files: result.files, findings: result.findings.map(({ fixes: _f, ...rest }) => rest), ...(coverage ? { coverage } : {}) }, null, 2) + '\n';
    else report = formatFindingsText(result.findings, cwd) + (coverage ? '\n' + formatCoverageText(coverage, cwd) : '');
    if (parsed.output) writeFileSync(parsed.output, report);
    else process.stdout.write(report);
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    const warnings = result.findings.filter((f) => f.severity === 'warning').length;
    const tooMany = parsed.maxWarnings !== undefined && warnings > parsed.maxWarnings;
    if (tooMany && parsed.format === 'text') process.stderr.write(`instrument-first lint: ${warnings} warnings exceed --max-warnings ${parsed.maxWarnings}\n`);
    return errors > 0 || tooMany ? 1 : 0;
  },
};
