import { dirname, relative, sep } from 'node:path';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { loadPlan, shownPath, userFrame } from '../planLoader';
import { renderWaterfall } from '../../text/waterfall';
import { formatDuration } from '../../text/duration';
import { ProgressLine } from '../progress';
import { Scheduler } from '../../runtime/scheduler';
import { createTracing } from '../../runtime/tracing';
import { defaultLogFormat } from '../../runtime/logger';
import type { RunResult } from '../../runtime/types';
import { Env } from '../../protocol/envVars';
import { Attr } from '../../protocol/attributes';
import { describeRuntime, ownRuntime, projectRuntime } from '../../project/runtimeInstall';

const HELP = `Usage: instrument-first run <plan-file> [options]

Runs a reactive plan (.ts or .js), traced, and prints its waterfall and verdict.

Options:
  --export NAME      the plan's export name (default: the default export)
  --endpoint URL     send spans over OTLP/HTTP to URL (default: OTEL_EXPORTER_OTLP_ENDPOINT,
                     else they stay in process)
  --max-passes N     passes before the plan is reported as not converging (default 10)
  --json             print the result as one JSON object, no waterfall
  --log FORMAT       step log lines: pretty | json | none (default: pretty on a TTY, else json)
  --rows N           waterfall rows at most (default 80)
  --verbose          print stacks of errors

Exit codes: 0 converged, 1 failed (step or create() error, bad plan file), 2 usage,
3 did not converge, 130 cancelled (Ctrl-C).
`;

export const EXIT = { converged: 0, failed: 1, usage: 2, notConverged: 3, cancelled: 130 } as const;

export const runCommand: CliCommand = {
  summary: 'run a plan file, traced, and print its waterfall',
  async run(argv) {
    const parsed = parseCommandArgs('run', HELP, argv, {
      export: { type: 'string' },
      endpoint: { type: 'string' },
      'max-passes': { type: 'string' },
      json: { type: 'boolean', default: false },
      log: { type: 'string' },
      rows: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new CliError(`run: expected one plan file\n\n${HELP}`, EXIT.usage);
    const maxPasses = positiveInt(values['max-passes'] ?? process.env[Env.maxPasses], 'max-passes') ?? 10;
    const rows = positiveInt(values.rows, 'rows') ?? 80;
    const logFormat = values.log ?? defaultLogFormat(process.env, process.stderr.isTTY === true);
    if (logFormat !== 'pretty' && logFormat !== 'json' && logFormat !== 'none') throw new CliError(`run: --log must be pretty, json or none`, EXIT.usage);

    const loaded = loadPlan(positionals[0]!, values.export);
    // The plan's `import … from 'instrument-first'` resolves to this CLI's own runtime (planLoader);
    // say which that is, and when the plan's project installed another copy, how to use that one.
    const runtime = ownRuntime();
    const installed = projectRuntime(dirname(loaded.file));
    if (installed && installed.root !== runtime.root) {
      process.stderr.write(
        `instrument-first: note: this CLI's runtime ${describeRuntime(runtime, process.cwd())} runs the plan; its project installed ${describeRuntime(installed, process.cwd())} — run \`npx instrument-first run …\` there to use that one\n`,
      );
    }
    // The run's identity rides on the resource (every span, so a run still in progress is known by
    // its plan, export and launch) and on the root span.
    const identity = runIdentity(loaded.file, loaded.exportName, process.env);
    const tracing = createTracing({ endpoint: values.endpoint, memory: true, resource: identity });
    const progress = !values.json && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
    const scheduler = new Scheduler({
      tracing,
      maxPasses,
      locate: loaded.locate,
      // Log lines are output, not errors: a debug console paints stderr red. With --json, stdout is the result's.
      log: { format: logFormat, write: (line) => (progress?.clear(), (values.json ? process.stderr : process.stdout).write(line + '\n')) },
      onEvent: progress ? (e) => progress.update(e) : undefined,
    });
    const abort = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT.cancelled);
      process.stderr.write('\ninterrupted: cancelling the run and flushing its spans (Ctrl-C again to quit now)\n');
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    let result: RunResult;
    try {
      result = await scheduler.execute(loaded.plan, { signal: abort.signal, attributes: identity });
    } finally {
      process.off('SIGINT', onSigint);
      progress?.clear();
      await tracing.shutdown();
    }
    const spans = tracing.memory?.views(result.traceId) ?? [];
    const stats = tracing.stats;
    if (values.json) {
      process.stdout.write(
        JSON.stringify({
          plan: result.plan,
          file: loaded.file,
          export: loaded.exportName,
          runtime: { version: runtime.version, root: runtime.root },
          traceId: result.traceId,
          outcome: result.outcome,
          converged: result.converged,
          passes: result.passes,
          stepsRun: result.stepsRun,
          durationMs: result.durationMs,
          spans: { produced: stats.produced, delivered: stats.delivered, dropped: stats.dropped },
          ...(tracing.endpoint ? { endpoint: tracing.endpoint } : {}),
          ...(result.error ? { error: result.error.message, at: userFrame(result.error.cause instanceof Error ? result.error.cause : result.error) } : {}),
          ...(result.remaining ? { remaining: result.remaining } : {}),
        }) + '\n',
      );
    } else {
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      const out = process.stdout;
      out.write(`plan ${result.plan} · ${shownPath(process.cwd(), loaded.file)}${loaded.exportName !== 'default' ? ` (${loaded.exportName})` : ''}\n`);
      out.write(`trace ${result.traceId || '(tracing off)'}\n`);
      out.write(`runtime ${describeRuntime(runtime, process.cwd())}\n`);
      const link = process.env[Env.traceLink];
      if (link && result.traceId) out.write(`open in VS Code: ${link.replace('{traceId}', result.traceId)}\n`);
      out.write('\n');
      // A terminal's width; else COLUMNS (set by VS Code's launches: its Debug Console is no terminal); else 110.
      const columns = out.columns || Number(process.env.COLUMNS) || 110;
      if (spans.length) out.write(renderWaterfall(spans, { width: Math.min(columns, 140), color, maxRows: rows }) + '\n');
      out.write(verdict(result, color) + '\n');
      if (stats.dropped > 0) out.write(`warning: ${stats.dropped} of ${stats.produced} spans could not be delivered to ${tracing.endpoint}\n`);
      if (result.error && values.verbose) out.write((result.error.cause instanceof Error ? result.error.cause.stack : result.error.stack) + '\n');
    }
    if (result.error && !values.json && result.outcome === 'failed') {
      const cause = result.error.cause instanceof Error ? result.error.cause : result.error;
      process.stderr.write(`instrument-first: ${userFrame(cause) ?? shownPath(process.cwd(), loaded.file)}: ${result.error.message}\n`);
    }
    return result.outcome === 'converged' ? EXIT.converged : result.outcome === 'not_converged' ? EXIT.notConverged : result.outcome === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  },
};

/**
 * What the root span says about how this run was launched: the plan file (relative to the working
 * directory, `/` separators), its export, run or debug, and the launcher's id (from the environment).
 */
export function runIdentity(file: string, exportName: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): Record<string, string> {
  const out: Record<string, string> = {
    [Attr.planFile]: (relative(cwd, file) || file).split(sep).join('/'),
    [Attr.planExport]: exportName,
    [Attr.runKind]: env[Env.runKind] === 'debug' ? 'debug' : 'run',
  };
  const launchId = env[Env.sessionId];
  if (launchId) out[Attr.launchId] = launchId.slice(0, 200);
  return out;
}

function verdict(r: RunResult, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const steps = `${r.stepsRun.toLocaleString('en-US')} step${r.stepsRun === 1 ? '' : 's'}`;
  const time = formatDuration(r.durationMs);
  switch (r.outcome) {
    case 'converged':
      return paint('32', `✔ converged after ${r.passes} pass${r.passes === 1 ? '' : 'es'} · ${steps} · ${time}`);
    case 'not_converged':
      return paint('33', `✗ did not converge after ${r.passes} passes · ${steps} · ${time}\n  still returned: ${(r.remaining ?? []).slice(0, 10).join(', ')}`);
    case 'cancelled':
      return paint('33', `■ cancelled in pass ${r.passes} · ${steps} · ${time}`);
    default:
      return paint('31', `✗ failed in pass ${r.passes} · ${steps} · ${time}\n  ${r.error?.message ?? ''}`);
  }
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`run: --${name} must be a positive integer, got "${value}"`, EXIT.usage);
  return n;
}
