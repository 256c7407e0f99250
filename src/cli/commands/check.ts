import { writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs, USAGE_EXIT } from '../commandArgs';
import { checkAgainst } from '../../baseline/compare';
import { jsonReport, junitReport, sarifReport, textReport, type PlanCheckResult, type ReportFormat } from '../../baseline/checkReport';
import { runPlanFile } from '../planRuns';
import { defaultBaselinePath, readBaseline, writeBaseline } from '../baselineFiles';
import { describeRecorded, positiveInt, recordFrom } from './baseline';

const HELP = `Usage: instrument-first check <plan-file>… [options]

Runs each plan N times in process and compares the runs with the plan's baseline. A changed shape
fails: a step added or missing, a call count or call errors changed, a status changed, a pinned
attribute changed, another outcome or number of passes. A duration fails only when even the
fastest of the runs is above the baseline's maximum × (1 + tolerance) + slack (both in the
baseline's "rule"; default 0.5 and 25 ms), for a step or for the whole plan.

Options:
  --export NAME      the plans' export name (default: the default export)
  --baseline FILE    the baseline (one plan file only; default: <plan>.baseline.json beside it,
                     <plan>.<export>.baseline.json for a named export)
  --runs N           runs per plan (default 5)
  --format F         text | json | junit | sarif (default text)
  --out FILE         write the report to FILE instead of stdout
  --update           rewrite each baseline from these runs (keeping its pins and rule) and say
                     what changed; exits 0

Exit codes: 0 every plan matches its baseline, 1 a difference, 2 usage (bad options, a missing
or invalid baseline, a plan file that does not load).
`;

const FORMATS: readonly ReportFormat[] = ['text', 'json', 'junit', 'sarif'];

export const checkCommand: CliCommand = {
  summary: 'run plans and compare them with their baselines (for CI)',
  async run(argv) {
    const parsed = parseCommandArgs('check', HELP, argv, {
      export: { type: 'string' },
      baseline: { type: 'string' },
      runs: { type: 'string' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      update: { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new CliError(`check: expected at least one plan file\n\n${HELP}`, USAGE_EXIT);
    if (values.baseline && positionals.length > 1) throw new CliError('check: --baseline names the baseline of one plan file; give one plan file with it', USAGE_EXIT);
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format)) throw new CliError(`check: --format must be one of ${FORMATS.join(', ')}, got "${values.format}"`, USAGE_EXIT);
    const runs = positiveInt(values.runs, 'runs', 'check') ?? 5;
    // Read every baseline first: a missing one is a usage error before any plan runs.
    const targets = positionals.map((planFile) => {
      const baselineFile = values.baseline ?? defaultBaselinePath(planFile, values.export);
      return { planFile, baselineFile, baseline: readBaseline(baselineFile, USAGE_EXIT) };
    });
    const results: PlanCheckResult[] = [];
    const updates: string[] = [];
    for (const t of targets) {
      let ran;
      try {
        ran = await runPlanFile(t.planFile, values.export, runs, t.baseline.pin);
      } catch (err) {
        if (err instanceof CliError) throw new CliError(err.message, USAGE_EXIT, { cause: err });
        throw err;
      }
      if (values.update) {
        const next = recordFrom(ran, t.baselineFile, t.planFile, t.baseline.pin, t.baseline.rule);
        writeBaseline(t.baselineFile, next);
        updates.push(describeRecorded(t.baselineFile, next, t.baseline));
        continue;
      }
      const outcome = checkAgainst(t.baseline, ran.summaries);
      // Baselines keep code locations relative to their folder; reports give them relative to here.
      for (const d of outcome.differences) if (d.filepath) d.filepath = relative(process.cwd(), resolve(dirname(t.baselineFile), d.filepath));
      results.push({ planFile: t.planFile, exportName: ran.exportName, baselineFile: t.baselineFile, plan: ran.plan, outcome, traceIds: ran.traceIds });
    }
    if (values.update) {
      process.stdout.write(updates.join(''));
      return 0;
    }
    const report =
      format === 'json' ? jsonReport(results) : format === 'junit' ? junitReport(results) : format === 'sarif' ? sarifReport(results, process.cwd()) : textReport(results);
    if (values.out) writeFileSync(values.out, report);
    else process.stdout.write(report);
    return results.every((r) => r.outcome.passed) ? 0 : 1;
  },
};
