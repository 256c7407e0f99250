import { INVALID_SPAN_CONTEXT, trace, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Env } from '../protocol/envVars';
import { LosslessSpanProcessor, type DeliveryStats, type LosslessProcessorOptions } from './losslessSpanProcessor';
import { MemorySpanSink } from './memorySink';
import { attachToGlobalProvider, RunTraces } from './foreignSpans';
import { createLogRecordPipeline, resolveLogRecordsMode, resolveLogsUrl, type LogRecordPipeline, type LogRecordsMode } from './logRecords';

export interface TracingOptions {
  /** `service.name` of the resource; default `OTEL_SERVICE_NAME` or `instrument-first-plan`. */
  serviceName?: string;
  /** More resource attributes (on every span of the process), e.g. the run's plan file and launch id. */
  resource?: Record<string, string>;
  /** Default: on, unless `OTEL_SDK_DISABLED=true`. Off: plans run with no spans at near-zero cost. */
  enabled?: boolean;
  /**
   * OTLP/HTTP endpoint (base URL, `/v1/traces` appended, or a full traces URL). Default: the
   * standard OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT variables; `false` never exports over HTTP.
   */
  endpoint?: string | false;
  /**
   * OTLP/HTTP encoding. Default: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL,
   * then `http/protobuf` (the OpenTelemetry specification's default); other values (`grpc`) fall
   * back to `http/protobuf`.
   */
  protocol?: OtlpProtocol;
  /** Extra headers for the OTLP exporter (the OTEL_EXPORTER_OTLP_HEADERS variable also applies). */
  headers?: Record<string, string>;
  /** Keep spans in process too (default: only when there is no endpoint). */
  memory?: boolean;
  /** Further exporters, e.g. for tests. */
  exporters?: SpanExporter[];
  processor?: LosslessProcessorOptions;
  /**
   * Where `ctx.log` lines go: span events, OTLP log records (to `/v1/logs` at the traces endpoint's
   * base, with the same protocol and headers, and in process when spans are), or both. Default:
   * INSTRUMENT_FIRST_LOG_RECORDS, else `events`.
   */
  logRecords?: LogRecordsMode;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The OTLP/HTTP encodings the runtime can send. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The encoding to send with: the option, else the per-signal then the general variable, else `http/protobuf`. */
export function resolveOtlpProtocol(protocol: OtlpProtocol | undefined, env: Readonly<Record<string, string | undefined>>): OtlpProtocol {
  return protocolFrom(protocol ?? (env[Env.otlpTracesProtocol]?.trim() || env[Env.otlpProtocol]?.trim() || ''));
}

function protocolFrom(wanted: string): OtlpProtocol {
  return wanted.toLowerCase() === 'http/json' ? 'http/json' : 'http/protobuf';
}

/** One tracing pipeline: a tracer whose spans all reach the configured exporters. */
export interface Tracing {
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Present when spans are kept in process. */
  readonly memory: MemorySpanSink | undefined;
  /** Where spans are exported over OTLP/HTTP, if anywhere. */
  readonly endpoint: string | undefined;
  /**
   * True when the program registered an OpenTelemetry SDK tracer provider (e.g. the Node SDK with
   * auto-instrumentations) and the spans it makes inside this pipeline's runs are also kept in
   * {@link memory}. See foreignSpans.ts.
   */
  readonly sdkAttached: boolean;
  /** How they are encoded there (undefined without an endpoint). */
  readonly protocol: OtlpProtocol | undefined;
  /** Where `ctx.log` lines go. */
  readonly logRecords: LogRecordsMode;
  /** The log record pipeline, when {@link logRecords} is `logs` or `both`. */
  readonly logs: LogRecordPipeline | undefined;
  readonly stats: DeliveryStats;
  /** True when the producer should await {@link drain} before making more spans. */
  readonly needsDrain: boolean;
  drain(): Promise<void>;
  /** Exports every span ended (and log record emitted) so far. */
  flush(): Promise<void>;
  /** Flushes, then closes the exporters. Idempotent. */
  shutdown(): Promise<void>;
}

/** Resolves the traces URL from an option or the standard environment variables. */
export function resolveTracesUrl(endpoint: string | false | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (endpoint === false) return undefined;
  if (endpoint) return endpoint.endsWith('/v1/traces') ? endpoint : endpoint.replace(/\/+$/, '') + '/v1/traces';
  const tracesUrl = env[Env.otlpTracesEndpoint];
  if (tracesUrl) return tracesUrl;
  const base = env[Env.otlpEndpoint];
  if (base) return base.replace(/\/+$/, '') + '/v1/traces';
  return undefined;
}

/** Parses `k=v,k2=v2` as in OTEL_EXPORTER_OTLP_HEADERS (values URL-decoded). */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep as is */
    }
    if (key) out[key] = v;
  }
  return out;
}

/** Fan-out to several exporters; succeeds only when all succeed. */
class TeeExporter implements SpanExporter {
  constructor(private readonly targets: SpanExporter[]) {}
  export(spans: Parameters<SpanExporter['export']>[0], cb: Parameters<SpanExporter['export']>[1]): void {
    let pending = this.targets.length;
    if (pending === 0) return cb({ code: 0 });
    let failed: Parameters<typeof cb>[0] | undefined;
    for (const t of this.targets) {
      t.export(spans, (r) => {
        if (r.code !== 0) failed = r;
        if (--pending === 0) cb(failed ?? r);
      });
    }
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.shutdown()));
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.forceFlush?.()));
  }
}

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NOOP_TRACER: Tracer = {
  startSpan: () => NOOP_SPAN,
  startActiveSpan: ((name: string, ...rest: unknown[]) => {
    const fn = rest[rest.length - 1] as (s: Span) => unknown;
    return fn(NOOP_SPAN);
  }) as Tracer['startActiveSpan'],
};

/** The span used everywhere when tracing is off. */
export function noopSpan(): Span {
  return NOOP_SPAN;
}

/** Builds a tracing pipeline. Nothing is registered globally: several can live in one process. */
export function createTracing(options: TracingOptions = {}): Tracing {
  const env = options.env ?? process.env;
  const enabled = options.enabled ?? (env[Env.sdkDisabled] ?? '').toLowerCase() !== 'true';
  if (!enabled) {
    return {
      enabled: false,
      tracer: NOOP_TRACER,
      memory: undefined,
      endpoint: undefined,
      sdkAttached: false,
      protocol: undefined,
      logRecords: 'events',
      logs: undefined,
      stats: { produced: 0, delivered: 0, dropped: 0, failedExports: 0, queued: 0 },
      needsDrain: false,
      drain: () => Promise.resolve(),
      flush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  const url = resolveTracesUrl(options.endpoint, env);
  const protocol = url ? resolveOtlpProtocol(options.protocol, env) : undefined;
  const exporters: SpanExporter[] = [...(options.exporters ?? [])];
  const memory = (options.memory ?? !url) ? new MemorySpanSink() : undefined;
  if (memory) exporters.push(memory);
  const commonHeaders = parseOtlpHeaders(env[Env.otlpHeaders]);
  if (url) {
    const headers = { ...commonHeaders, ...parseOtlpHeaders(env[Env.otlpTracesHeaders]), ...options.headers };
    const config = { url, headers, timeoutMillis: 10_000 };
    exporters.push(protocol === 'http/json' ? new OTLPJsonTraceExporter(config) : new OTLPProtoTraceExporter(config));
  }
  const exporter = exporters.length === 1 ? exporters[0]! : new TeeExporter(exporters);
  const processor = new LosslessSpanProcessor(exporter, options.processor);
  const runs = new RunTraces();
  const serviceName = options.serviceName ?? env[Env.serviceName] ?? 'instrument-first-plan';
  const resource = resourceFromAttributes({ ...options.resource, 'service.name': serviceName });
  const logRecords = resolveLogRecordsMode(options.logRecords, env);
  let logs: LogRecordPipeline | undefined;
  const logsUrl = logRecords !== 'events' ? resolveLogsUrl(options.endpoint, env) : undefined;
  if (logRecords !== 'events' && (logsUrl || memory)) {
    logs = createLogRecordPipeline({
      resource,
      url: logsUrl,
      // The same encoding as the traces unless the logs' own variable says otherwise.
      protocol: options.protocol ?? (env[Env.otlpLogsProtocol]?.trim() ? protocolFrom(env[Env.otlpLogsProtocol]!.trim()) : resolveOtlpProtocol(undefined, env)),
      headers: { ...commonHeaders, ...parseOtlpHeaders(env[Env.otlpLogsHeaders]), ...options.headers },
      memory: memory !== undefined,
      ...(options.processor ? { processor: options.processor } : {}),
    });
  }
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [runs, processor],
    spanLimits: { attributeCountLimit: 256, eventCountLimit: 1024, attributeValueLengthLimit: 16_384 },
  });
  const tracer = provider.getTracer('instrument-first');
  const detach = memory ? attachToGlobalProvider(runs, memory) : undefined;
  let shutdownPromise: Promise<void> | undefined;
  return {
    enabled: true,
    tracer,
    memory,
    endpoint: url,
    sdkAttached: detach !== undefined,
    protocol,
    logRecords,
    logs,
    get stats() {
      return processor.stats;
    },
    get needsDrain() {
      return processor.needsDrain || logs?.needsDrain === true;
    },
    drain: async () => {
      await Promise.all([processor.drain(), logs?.drain()]);
    },
    flush: async () => {
      await Promise.all([processor.forceFlush(), logs?.flush()]);
    },
    shutdown: () => (shutdownPromise ??= (detach?.(), Promise.all([provider.shutdown(), logs?.shutdown()]).then(() => undefined))),
  };
}
