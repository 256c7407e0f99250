/**
 * Environment variables understood by the runtime and the CLI. The OTEL_* names are the
 * OpenTelemetry standard ones; INSTRUMENT_FIRST_* are ours.
 */
export const Env = {
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otlpTracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  otlpHeaders: 'OTEL_EXPORTER_OTLP_HEADERS',
  otlpTracesHeaders: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  /** `http/protobuf` (the default, as in the OTel spec) or `http/json`. */
  otlpProtocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  /** Per-signal form of {@link Env.otlpProtocol}; wins over it. */
  otlpTracesProtocol: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  /** Per-signal forms for logs (the runtime's `ctx.log` records, see {@link Env.logRecords}). */
  otlpLogsEndpoint: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  otlpLogsHeaders: 'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  otlpLogsProtocol: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
  serviceName: 'OTEL_SERVICE_NAME',
  /** Standard switch: `true` turns the SDK off; plans still run, untraced. */
  sdkDisabled: 'OTEL_SDK_DISABLED',
  /** `json` for JSON log lines, `pretty` for readable ones (default: pretty on a TTY). */
  logFormat: 'INSTRUMENT_FIRST_LOG_FORMAT',
  /**
   * Where the lines of `ctx.log` go: `events` (span events on the step's span, the default),
   * `logs` (OTLP log records with the step's trace and span id, sent to `/v1/logs`) or `both`.
   */
  logRecords: 'INSTRUMENT_FIRST_LOG_RECORDS',
  /** Maximum passes before a plan is reported as not converging. */
  maxPasses: 'INSTRUMENT_FIRST_MAX_PASSES',
  /**
   * Set by the extension on runs it starts: a URL template with `{traceId}` that opens a run in
   * that VS Code; the CLI prints it next to the trace id, which makes the id a link.
   */
  traceLink: 'INSTRUMENT_FIRST_TRACE_LINK',
  /**
   * Set by the extension on the runs it launches: the launch id, which the runner stamps on the
   * run's root span (`instrument_first.launch_id`) so the run is matched with its debug session.
   */
  sessionId: 'INSTRUMENT_FIRST_SESSION_ID',
  /**
   * A folder where the CLI keeps compiled plan files by content (set by the extension to its own
   * storage): an unchanged plan then starts without esbuild. Unset: every run compiles.
   */
  planCache: 'INSTRUMENT_FIRST_PLAN_CACHE',
  /** `run` or `debug`: how the run was launched, stamped on its root span (`instrument_first.run_kind`). */
  runKind: 'INSTRUMENT_FIRST_RUN_KIND',
} as const;

/**
 * Values of {@link Env.logRecords}: where the lines of `ctx.log` go besides the console. `events` —
 * a `log` event on the step's span; `logs` — an OTLP log record carrying the trace and span id of
 * the step, sent to `/v1/logs`; `both`.
 */
export type LogRecordsMode = 'events' | 'logs' | 'both';
export const LOG_RECORDS_MODES: readonly LogRecordsMode[] = ['events', 'logs', 'both'];

/**
 * The default of {@link Env.logRecords} (and of the extension's `instrumentFirst.run.logRecords`).
 * Span events travel inside the trace: every trace backend the collector forwards to (Jaeger,
 * Tempo) and every trace test and baseline sees them, and nothing more is sent. Log records are
 * for programs whose other logs (pino, winston) already go to `/v1/logs`.
 */
export const DEFAULT_LOG_RECORDS: LogRecordsMode = 'events';
