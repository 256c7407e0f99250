import { writeFile } from 'node:fs/promises';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { cleanForTerminal as clean } from '../../text/terminalText';
import { renderWaterfall } from '../../text/waterfall';
import { formatDuration } from '../../text/duration';
import { Env } from '../../protocol/envVars';
import { BackendError, fetchFromBackends, parseBackendSpec, storeFetchedTrace, type BackendConfig, type FetchedTrace } from '../../collector/backends';
import { SpanStore } from '../../collector/store/spanStore';

export const BACKEND_OPTIONS_HELP = `  --backend K=URL   a team backend to pull the trace from (repeatable, tried in order):
                    jaeger=http://jaeger:16686 (API v3), tempo=http://tempo:3200 (v2, JSON),
                    tempo+protobuf=… (v2, protobuf), url=https://…/{traceId} (answers OTLP/JSON);
                    default: INSTRUMENT_FIRST_BACKENDS (space-separated)
  --token T         bearer token for the backends (default: INSTRUMENT_FIRST_BACKEND_TOKEN)
  --header k=v      header for the backends (repeatable), e.g. X-Scope-OrgID=team
  --timeout MS      per request (default 10000)`;

const HELP = `Usage: instrument-first fetch <traceId> --backend K=URL… [options]

Pulls one trace by id from the team's backend (Jaeger, Tempo, or any URL answering OTLP/JSON)
and prints it as a waterfall; with --collector it is also stored in a running collector (marked
with its origin: attribute instrument_first.remote.origin), to compare with local runs.

Options:
${BACKEND_OPTIONS_HELP}
  --collector URL   also store it in this collector
  --out FILE        write the trace as the backend answered it (JSON) or as OTLP protobuf
  --rows N          waterfall rows at most (default 80)
  --json            print the spans as JSON
`;

export const BACKEND_PARSE_OPTIONS = {
  backend: { type: 'string', multiple: true },
  token: { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
} as const;

/** Backends from --backend/--header/--token/--timeout (or the environment). */
export function backendsFromArgs(name: string, values: { backend?: string[]; header?: string[]; token?: string; timeout?: string }): { backends: BackendConfig[]; token: string | undefined } {
  const headers: Record<string, string> = {};
  for (const h of values.header ?? []) {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new CliError(`${name}: --header must be k=v, got "${h}"`, 2);
    headers[h.slice(0, eq).trim()] = h.slice(eq + 1).trim();
  }
  const timeout = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 600_000) throw new CliError(`${name}: --timeout must be milliseconds from 100 to 600000`, 2);
  const specs = values.backend ?? (process.env.INSTRUMENT_FIRST_BACKENDS ?? '').split(/\s+/).filter(Boolean);
  const backends = specs.map((spec) => {
    const b = parseBackendSpec(spec, headers, timeout);
    if (typeof b === 'string') throw new CliError(`${name}: --backend ${b}`, 2);
    return b;
  });
  return { backends, token: values.token ?? (process.env.INSTRUMENT_FIRST_BACKEND_TOKEN || undefined) };
}

/** Fetches from the backends and prints the trace; the common part of `fetch` and `show --backend`. */
export async function fetchAndPrint(name: string, traceId: string, backends: BackendConfig[], token: string | undefined, opts: { json: boolean; rows: number; collector?: string; out?: string }): Promise<number> {
  if (backends.length === 0) throw new CliError(`${name}: no backend: pass --backend jaeger=URL (or tempo=URL, url=…{traceId}…)`, 2);
  let fetched: FetchedTrace;
  try {
    fetched = await fetchFromBackends(backends, traceId, () => token);
  } catch (e) {
    if (e instanceof BackendError) throw new CliError(`${name}: ${e.message}`, 1);
    throw e;
  }
  const store = new SpanStore();
  try {
    let stored;
    try {
      stored = storeFetchedTrace(store, fetched);
    } catch (e) {
      throw new CliError(`${name}: ${(e as Error).message}`, 1);
    }
    const id = stored.traceIds.includes(traceId) ? traceId : stored.traceIds[0];
    if (!id) throw new CliError(`${name}: the answer held no spans`, 1);
    if (opts.out) await writeFile(opts.out, fetched.protobuf ?? store.exportOtlpJson(id));
    if (opts.collector) await postToCollector(name, opts.collector, fetched.protobuf ?? Buffer.from(store.exportOtlpJson(id)), fetched.protobuf ? 'application/x-protobuf' : 'application/json');
    if (fetched.warning) process.stderr.write(`${name}: ${clean(fetched.warning)}\n`);
    const spans = store.trace(id);
    if (opts.json) {
      process.stdout.write(JSON.stringify({ backend: fetched.backend, url: fetched.url, spans }, null, 2) + '\n');
      return 0;
    }
    const run = store.run(id)!;
    const head = `${clean(run.plan)}  ${run.status}, ${formatDuration(run.durationMs)}, ${run.spanCount} spans, ${run.errorCount} errors  trace ${id}\nfrom ${clean(fetched.backend)} (${clean(fetched.url)})${opts.collector ? `, stored in ${opts.collector}` : ''}\n\n`;
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(head + renderWaterfall(spans, { width: Math.min(process.stdout.columns || 100, 160), color, maxRows: opts.rows }));
    return 0;
  } finally {
    store.dispose();
  }
}

async function postToCollector(name: string, collector: string, body: Buffer, type: string): Promise<void> {
  let base: string;
  try {
    const u = new URL(collector);
    base = `${u.protocol}//${u.host}`;
  } catch {
    throw new CliError(`${name}: --collector must be a URL, got "${collector}"`, 2);
  }
  let res: Response;
  try {
    res = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
    throw new CliError(`${name}: cannot reach the collector at ${base}: ${cause}`, 1, { cause: err });
  }
  if (!res.ok) throw new CliError(`${name}: the collector refused the trace: ${(await res.text()).slice(0, 300)} (HTTP ${res.status})`, 1);
}

export const fetchCommand: CliCommand = {
  summary: "pull a trace by id from the team's Jaeger, Tempo or OTLP/JSON backend",
  async run(argv) {
    const parsed = parseCommandArgs('fetch', HELP, argv, {
      ...BACKEND_PARSE_OPTIONS,
      collector: { type: 'string' },
      out: { type: 'string' },
      rows: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    const [raw] = positionals;
    const traceId = raw?.trim().toLowerCase().replace(/^trace_id:/, '');
    if (!traceId || positionals.length > 1 || !/^([0-9a-f]{16}|[0-9a-f]{32})$/.test(traceId)) throw new CliError(`fetch: give one trace id (16 or 32 hex digits)\n\n${HELP}`, 2);
    const { backends, token } = backendsFromArgs('fetch', values);
    const rows = values.rows === undefined ? 80 : Number(values.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new CliError('fetch: --rows must be a positive integer', 2);
    const collector = values.collector ?? (process.env[Env.otlpEndpoint] || undefined);
    return fetchAndPrint('fetch', traceId.padStart(32, '0'), backends, token, { json: values.json, rows, collector: values.collector ? collector : undefined, out: values.out });
  },
};
