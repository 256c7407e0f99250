import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { renderWaterfall } from '../../text/waterfall';
import { formatDuration } from '../../text/duration';
import { formatDiff } from '../diffText';
import { cleanForTerminal as clean } from '../../text/terminalText';
import { Env } from '../../protocol/envVars';
import type { RunDiff, RunSummary } from '../../protocol/collectorTypes';
import type { SpanView } from '../../protocol/spanView';
import { formatLogLines } from '../logLines';
import type { LogView } from '../../collector/logs/logRecord';
import { BACKEND_OPTIONS_HELP, BACKEND_PARSE_OPTIONS, backendsFromArgs, fetchAndPrint } from './fetchTrace';

const COMMON = `  --collector URL   the collector (default: OTEL_EXPORTER_OTLP_ENDPOINT)
  --json            print JSON instead of a table`;

interface Parsed {
  base: string;
  json: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

function parse(name: string, help: string, argv: string[], extra: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {}, collectorOptional = false): Parsed | undefined {
  const parsed = parseCommandArgs(name, help, argv, {
    collector: { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    ...extra,
  });
  if (!parsed) return undefined;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const url = (values.collector as string | undefined) ?? process.env[Env.otlpEndpoint];
  if (!url && collectorOptional) return { base: '', json: values.json === true, positionals: parsed.positionals, values };
  if (!url) throw new CliError(`${name}: no collector: pass --collector URL (printed by "instrument-first collector")`, 2);
  let base: string;
  try {
    const u = new URL(url);
    base = `${u.protocol}//${u.host}`;
  } catch {
    throw new CliError(`${name}: --collector must be a URL, got "${url}"`, 2);
  }
  return { base, json: values.json === true, positionals: parsed.positionals, values };
}

async function getJson<T>(name: string, base: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(base + path, { signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
    throw new CliError(`${name}: cannot reach the collector at ${base}: ${cause}`, 1, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      msg = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      /* plain text */
    }
    throw new CliError(`${name}: ${msg} (HTTP ${res.status})`, 1);
  }
  return JSON.parse(text) as T;
}

/** Full trace id from a full id or a unique prefix of one. */
async function resolveTraceId(name: string, base: string, id: string): Promise<string> {
  const lower = id.toLowerCase();
  if (/^[0-9a-f]{32}$/.test(lower)) return lower;
  if (!/^[0-9a-f]{1,31}$/.test(lower)) throw new CliError(`${name}: "${id}" is not a trace id (hex)`, 2);
  const runs = await getJson<RunSummary[]>(name, base, '/api/runs');
  const hits = runs.filter((r) => r.traceId.startsWith(lower));
  if (hits.length === 1) return hits[0]!.traceId;
  throw new CliError(hits.length === 0 ? `${name}: no trace starts with ${id}` : `${name}: ${hits.length} traces start with ${id}; give more digits`, 1);
}

function table(header: string[], rows: string[][], right: Set<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Untrusted text from spans: strip control characters before it reaches the terminal. */

/**
 * `2026-12-06 03:15:54`, or `?` for a time no Date can hold: one odd span must not break the whole
 * listing (`toISOString` throws on times beyond ±8.64e15 ms).
 */
export function startedText(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().replace('T', ' ').slice(0, 19);
}

export function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs yet\n';
  return table(
    ['TRACE ID', 'PLAN', 'STATUS', 'PASSES', 'SPANS', 'ERRORS', 'DURATION', 'STARTED'],
    runs.map((r) => [
      r.traceId,
      clean(r.kind === 'plan' ? r.plan : `${r.plan} (${r.serviceName})`),
      r.status,
      r.kind === 'plan' ? String(r.passes) : '-',
      String(r.spanCount),
      String(r.errorCount),
      formatDuration(r.durationMs),
      startedText(r.startMs),
    ]),
    new Set([3, 4, 5, 6]),
  );
}

const RUNS_HELP = `Usage: instrument-first runs [options]

Lists the runs (and other traces) the collector holds, newest first.

Options:
${COMMON}
  --limit N         rows at most (default 50)
`;

export const runsCommand: CliCommand = {
  summary: 'list the runs held by a collector',
  async run(argv) {
    const p = parse('runs', RUNS_HELP, argv, { limit: { type: 'string' } });
    if (!p) return 0;
    const limit = p.values.limit === undefined ? 50 : Number(p.values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError('runs: --limit must be a positive integer', 2);
    const runs = (await getJson<RunSummary[]>('runs', p.base, '/api/runs')).slice(0, limit);
    process.stdout.write(p.json ? JSON.stringify(runs, null, 2) + '\n' : formatRuns(runs));
    return 0;
  },
};

const SHOW_HELP = `Usage: instrument-first show <traceId> [options]

Prints one run as a waterfall (a unique prefix of the trace id is enough). With --backend, a trace
the collector does not hold (or any trace, without a collector) is pulled from the team's backend.

Options:
${COMMON}
  --rows N          waterfall rows at most (default 80)
  --logs            also print the trace's log records (time, severity, span, body, attributes)
${BACKEND_OPTIONS_HELP}
`;

export const showCommand: CliCommand = {
  summary: 'print one run as a waterfall',
  async run(argv) {
    const p = parse('show', SHOW_HELP, argv, { rows: { type: 'string' }, logs: { type: 'boolean' }, ...BACKEND_PARSE_OPTIONS }, argv.includes('--backend') || !!process.env.INSTRUMENT_FIRST_BACKENDS);
    if (!p) return 0;
    const [id] = p.positionals;
    if (!id || p.positionals.length > 1) throw new CliError(`show: give one trace id\n\n${SHOW_HELP}`, 2);
    const remote = backendsFromArgs('show', p.values as Parameters<typeof backendsFromArgs>[1]);
    let traceId: string;
    try {
      if (!p.base) throw new CliError('show: no collector', 1);
      traceId = await resolveTraceId('show', p.base, id);
      await getJson<RunSummary>('show', p.base, `/api/runs/${traceId}`);
    } catch (e) {
      // Local first; the team's backends when the collector does not have it (or is not there).
      const remoteId = id.trim().toLowerCase().replace(/^trace_id:/, '');
      if (!(e instanceof CliError) || remote.backends.length === 0 || !/^([0-9a-f]{16}|[0-9a-f]{32})$/.test(remoteId)) throw e;
      const rows = p.values.rows === undefined ? 80 : Number(p.values.rows);
      return fetchAndPrint('show', remoteId.padStart(32, '0'), remote.backends, remote.token, { json: p.json, rows });
    }
    const [run, spans, logs] = await Promise.all([
      getJson<RunSummary>('show', p.base, `/api/runs/${traceId}`),
      getJson<SpanView[]>('show', p.base, `/api/traces/${traceId}/spans`),
      p.values.logs === true ? getJson<LogView[]>('show', p.base, `/api/traces/${traceId}/logs`) : undefined,
    ]);
    if (p.json) {
      process.stdout.write(JSON.stringify(logs ? { run, spans, logs } : { run, spans }, null, 2) + '\n');
      return 0;
    }
    const rows = p.values.rows === undefined ? 80 : Number(p.values.rows);
    const head = `${clean(run.plan)}  ${run.status}${run.kind === 'plan' ? ` in ${run.passes} pass(es)` : ''}, ${formatDuration(run.durationMs)}, ${run.spanCount} spans, ${run.errorCount} errors  trace ${run.traceId}\n\n`;
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(head + renderWaterfall(spans, { width: Math.min(process.stdout.columns || 100, 160), color, maxRows: rows }) + (logs ? formatLogLines(logs, spans, color) : ''));
    return 0;
  },
};

const DIFF_HELP = `Usage: instrument-first diff <a> <b> [options]

Compares two runs step by step (matched by procedure and pass): steps added and removed,
durations, child-call counts and status changed.

Options:
${COMMON}
`;

export const diffCommand: CliCommand = {
  summary: 'compare two runs step by step',
  async run(argv) {
    const p = parse('diff', DIFF_HELP, argv);
    if (!p) return 0;
    if (p.positionals.length !== 2) throw new CliError(`diff: give two trace ids\n\n${DIFF_HELP}`, 2);
    const [a, b] = await Promise.all(p.positionals.map((id) => resolveTraceId('diff', p.base, id)));
    const d = await getJson<RunDiff>('diff', p.base, `/api/diff?a=${a}&b=${b}`);
    process.stdout.write(p.json ? JSON.stringify(d, null, 2) + '\n' : formatDiff(d));
    return 0;
  },
};
