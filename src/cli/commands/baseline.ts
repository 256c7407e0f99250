import { existsSync } from 'node:fs';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs, USAGE_EXIT } from '../commandArgs';
import { buildBaseline, DEFAULT_RULE, type Baseline, type DurationRule } from '../../baseline/baseline';
import { compareShape, compareShapes } from '../../baseline/compare';
import { runPlanFile, type PlanRuns } from '../planRuns';
import { defaultBaselinePath, planFileFor, readBaseline, writeBaseline } from '../baselineFiles';
import { formatDuration } from '../../text/duration';

const HELP = `Usage: instrument-first baseline record <plan-file> [options]

Runs a plan N times in process and writes its baseline: the shape (passes, steps per pass, calls
per step by service/operation, statuses), pinned attributes, and duration envelopes per step and
for the plan. Commit it beside the plan; "instrument-first check" compares runs against it.

Options:
  --export NAME      the plan's export name (default: the default export)
  --runs N           runs to record (default 5); they must agree on the shape
  --out FILE         where to write (default: <plan>.baseline.json beside the plan,
                     <plan>.<export>.baseline.json for a named export)
  --pin KEY          a step attribute whose value must stay the same (repeatable)
  --tolerance X      duration tolerance, a fraction (default ${DEFAULT_RULE.tolerance})
  --slack-ms N       duration slack in ms added to the limit (default ${DEFAULT_RULE.slackMs})
                     Recording over an existing baseline keeps its pins, tolerance and slack
                     unless these options are given.

Exit codes: 0 recorded, 1 the runs disagree on the shape or the plan failed to load, 2 usage.
`;

export const baselineCommand: CliCommand = {
  summary: 'record a plan\'s golden baseline (shape and duration envelope over N runs)',
  async run(argv) {
    const parsed = parseCommandArgs('baseline', HELP, argv, {
      export: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string' },
      pin: { type: 'string', multiple: true },
      tolerance: { type: 'string' },
      'slack-ms': { type: 'string' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals[0] !== 'record' || positionals.length !== 2) throw new CliError(`baseline: expected "record <plan-file>"\n\n${HELP}`, USAGE_EXIT);
    const planFile = positionals[1]!;
    const runs = positiveInt(values.runs, 'runs', 'baseline') ?? 5;
    const out = values.out ?? defaultBaselinePath(planFile, values.export);
    const old = existsSync(out) ? readBaseline(out, USAGE_EXIT) : undefined;
    // Re-recording keeps the pins and the rule of the baseline it replaces unless given anew.
    const pin = values.pin ?? old?.pin ?? [];
    const rule: DurationRule = {
      tolerance: nonNegative(values.tolerance, 'tolerance') ?? old?.rule.tolerance ?? DEFAULT_RULE.tolerance,
      slackMs: nonNegative(values['slack-ms'], 'slack-ms') ?? old?.rule.slackMs ?? DEFAULT_RULE.slackMs,
    };
    const tty = process.stderr.isTTY === true;
    const ran = await runPlanFile(planFile, values.export, runs, pin, tty ? (i) => process.stderr.write(`run ${i + 1} of ${runs}…\r`) : undefined);
    if (tty) process.stderr.write(' '.repeat(20) + '\r');
    const baseline = recordFrom(ran, out, planFile, pin, rule);
    writeBaseline(out, baseline);
    process.stdout.write(describeRecorded(out, baseline, old));
    return 0;
  },
};

/** Builds a baseline from runs that must agree on their shape (else exit 1 naming how they differ). */
export function recordFrom(ran: PlanRuns, out: string, planFile: string, pin: readonly string[], rule: DurationRule): Baseline {
  const meta = { planFile: planFileFor(out, planFile), exportName: ran.exportName, pin, rule };
  const first = buildBaseline([ran.summaries[0]!], meta);
  for (let i = 1; i < ran.summaries.length; i++) {
    const diffs = compareShape(first, ran.summaries[i]!);
    if (diffs.length > 0) {
      throw new CliError(`baseline: run ${i + 1} differs in shape from run 1, so no baseline was written:\n${diffs.map((d) => `  ${d.message}`).join('\n')}\nA plan whose shape changes from run to run cannot have a baseline until it is made deterministic.`, 1);
    }
  }
  const b = buildBaseline(ran.summaries, meta);
  // Code locations relative to the baseline's folder: the file is committed and read elsewhere.
  for (const p of b.passes) for (const st of p.steps) if (st.filepath) st.filepath = planFileFor(out, st.filepath);
  return b;
}

/** What was recorded, and against a previous baseline, what changed. */
export function describeRecorded(file: string, b: Baseline, old: Baseline | undefined): string {
  const steps = b.passes.reduce((n, p) => n + p.steps.length, 0);
  const calls = b.passes.reduce((n, p) => n + p.steps.reduce((m, s) => m + Object.values(s.calls).reduce((a, c) => a + c, 0), 0), 0);
  const lines = [
    `recorded ${file} from ${b.runs} run${b.runs === 1 ? '' : 's'} of ${b.plan}: outcome ${b.outcome}, ${b.passes.length} pass${b.passes.length === 1 ? '' : 'es'}, ${steps} step${steps === 1 ? '' : 's'}, ${calls} call${calls === 1 ? '' : 's'}; ` +
      `duration median ${formatDuration(b.duration.medianMs)} (${formatDuration(b.duration.minMs)}–${formatDuration(b.duration.maxMs)})`,
  ];
  if (b.outcome !== 'converged') lines.push(`warning: the plan did not converge (${b.outcome}); the baseline expects that outcome`);
  if (old) {
    const changes = compareShapes(old, { ...b, pin: old.pin });
    if (changes.length === 0) lines.push('shape unchanged');
    else lines.push(`changed from the previous baseline:`, ...changes.map((d) => `  ${d.message}`));
    if (old.duration.medianMs !== b.duration.medianMs) lines.push(`  duration median ${formatDuration(old.duration.medianMs)} → ${formatDuration(b.duration.medianMs)}, max ${formatDuration(old.duration.maxMs)} → ${formatDuration(b.duration.maxMs)}`);
  }
  return lines.join('\n') + '\n';
}

export function positiveInt(value: string | undefined, name: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError(`${command}: --${name} must be an integer from 1 to 1000, got "${value}"`, USAGE_EXIT);
  return n;
}

function nonNegative(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`baseline: --${name} must be a number ≥ 0, got "${value}"`, USAGE_EXIT);
  return n;
}
