/**
 * The Node debug configuration that runs a plan (or any program) with its spans sent to the
 * extension's collector. Pure: the debug configuration provider fills in paths and calls this.
 */
import { Env, type LogRecordsMode } from '../protocol/envVars';

export interface PlanLaunchRequest {
  /** Plan file; absent when `program` is given instead. */
  plan?: string;
  export?: string;
  /** Any Node program to run with the OTLP variables set (instead of a plan). */
  program?: string;
  args?: string[];
  maxPasses?: number;
  cwd?: string;
  env?: Record<string, string | null>;
  name?: string;
  noDebug?: boolean;
}

export interface LaunchContext {
  /** Absolute path of the bundled CLI (dist/cli.js). */
  cliPath: string;
  /** Collector base URL, `http://127.0.0.1:PORT`. */
  endpoint: string;
  /**
   * What OTel programs (not plans: our runtime always sends OTLP/HTTP) are told to send with
   * OTEL_EXPORTER_OTLP_PROTOCOL; with `grpc`, `grpcEndpoint` (`http://127.0.0.1:PORT`) is their endpoint.
   */
  protocol?: 'http/protobuf' | 'http/json' | 'grpc';
  grpcEndpoint?: string;
  sessionId: string;
  instrumentation: boolean;
  defaultMaxPasses: number;
  /** Where the runtime's `ctx.log` lines go (INSTRUMENT_FIRST_LOG_RECORDS); unset: the runtime's default. */
  logRecords?: LogRecordsMode;
  serviceName?: string;
  /** Folder the CLI bundle is in, skipped when stepping. */
  extensionDist: string;
  /** `…/trace/{traceId}` URL that opens a run in this VS Code (printed by runners that support it). */
  traceLinkTemplate?: string;
  /** Folder of compiled plans the runner reads and fills (`INSTRUMENT_FIRST_PLAN_CACHE`). */
  planCacheDir?: string;
}

/** Env var with the link template for trace ids; a runner may print the link next to a trace id. */
export const TRACE_LINK_ENV = Env.traceLink;

/** Marks configurations started by this extension, so their sessions can be told apart. */
export const SESSION_TAG = '__instrumentFirstSessionId';

export function nodeLaunchConfig(req: PlanLaunchRequest, ctx: LaunchContext): Record<string, unknown> {
  const env: Record<string, string | null> = {
    ...req.env,
    [Env.otlpEndpoint]: ctx.endpoint,
    [Env.sessionId]: ctx.sessionId,
    [Env.serviceName]: req.env?.[Env.serviceName] ?? ctx.serviceName ?? 'instrument-first-plan',
  };
  // Stamped on the run: a debugged run's durations include its pauses and are kept out of statistics.
  env[Env.runKind] = req.noDebug ? 'run' : 'debug';
  if (!ctx.instrumentation) env[Env.sdkDisabled] = 'true';
  if (ctx.traceLinkTemplate) env[TRACE_LINK_ENV] = ctx.traceLinkTemplate;
  // A launch configuration's own env wins: it is the more specific choice.
  if (ctx.logRecords && req.env?.[Env.logRecords] === undefined) env[Env.logRecords] = ctx.logRecords;
  if (ctx.planCacheDir && req.plan) env[Env.planCache] = ctx.planCacheDir;
  // An inherited per-signal endpoint would win over ours in the OTel SDK.
  env[Env.otlpTracesEndpoint] = null;
  // Protobuf: the collector's faster path (and the OTel default); an inherited per-signal choice would win.
  env[Env.otlpProtocol] = 'http/protobuf';
  env[Env.otlpTracesProtocol] = null;
  const maxPasses = req.maxPasses ?? ctx.defaultMaxPasses;
  let program: string;
  let args: string[];
  if (req.plan) {
    program = ctx.cliPath;
    args = ['run', req.plan, ...(req.export ? ['--export', req.export] : []), '--max-passes', String(maxPasses), '--log', 'pretty', ...(req.args ?? [])];
    env[Env.maxPasses] = String(maxPasses);
    // The Debug Console is not a terminal: a waterfall 110 columns wide wraps in a 1200-pixel window.
    if (req.env?.COLUMNS === undefined) env.COLUMNS = '90';
  } else if (req.program) {
    program = req.program;
    args = req.args ?? [];
    if (ctx.protocol === 'grpc' && ctx.grpcEndpoint) {
      env[Env.otlpEndpoint] = ctx.grpcEndpoint;
      env[Env.otlpProtocol] = 'grpc';
    } else if (ctx.protocol) env[Env.otlpProtocol] = ctx.protocol;
    // An inherited per-signal protocol would win over this one.
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = null;
  } else {
    throw new Error('an instrument-first launch configuration needs "plan" (a plan file) or "program"');
  }
  const config: Record<string, unknown> = {
    type: 'node',
    request: 'launch',
    name: req.name ?? (req.plan ? `Plan ${baseName(req.plan)}${req.export ? ` (${req.export})` : ''}` : `Traced ${baseName(program)}`),
    program,
    args,
    env,
    console: 'internalConsole',
    outputCapture: 'std',
    sourceMaps: true,
    // Plans are compiled in memory with inline source maps, at their own .ts paths.
    resolveSourceMapLocations: ['**', '!**/node_modules/**'],
    skipFiles: ['<node_internals>/**', `${ctx.extensionDist.replace(/\\/g, '/')}/**`],
    [SESSION_TAG]: ctx.sessionId,
  };
  if (req.cwd) config.cwd = req.cwd;
  if (req.noDebug) config.noDebug = true;
  return config;
}

/**
 * The name of the Node debugger's child session of a plan's process: js-debug names it after the
 * program it ran (`cli.js [4242]`, the runner's script) — the plan's title with the same pid says
 * which plan it is. A name without a pid gets the title alone.
 */
export function childSessionName(debuggerName: string, planTitle: string): string {
  const pid = [...debuggerName.matchAll(/\[(\d+)\]/g)].at(-1)?.[1];
  return pid ? `${planTitle} [${pid}]` : planTitle;
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}
