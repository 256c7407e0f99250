import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { SeverityNumber, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as OTLPJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { Attr } from '../protocol/attributes';
import { DEFAULT_LOG_RECORDS, Env, LOG_RECORDS_MODES, type LogRecordsMode } from '../protocol/envVars';
import type { AttrValue } from '../protocol/spanView';
import { LosslessQueue, type DeliveryStats, type LosslessProcessorOptions } from './losslessQueue';
import type { LogFields, LogLevel } from './types';

export type { LogRecordsMode } from '../protocol/envVars';
export { DEFAULT_LOG_RECORDS } from '../protocol/envVars';

/** True for the three mode names. */
export function isLogRecordsMode(v: unknown): v is LogRecordsMode {
  return typeof v === 'string' && (LOG_RECORDS_MODES as readonly string[]).includes(v);
}

/** The mode: the option, else `INSTRUMENT_FIRST_LOG_RECORDS`, else {@link DEFAULT_LOG_RECORDS}. */
export function resolveLogRecordsMode(mode: LogRecordsMode | undefined, env: Readonly<Record<string, string | undefined>>): LogRecordsMode {
  if (mode) return mode;
  const v = env[Env.logRecords]?.trim().toLowerCase();
  return isLogRecordsMode(v) ? v : DEFAULT_LOG_RECORDS;
}

/**
 * The logs URL: the per-signal variable, else the traces URL's base (an option such as
 * `http://host:4318` or `…/v1/traces`, or OTEL_EXPORTER_OTLP_ENDPOINT) with `/v1/logs`.
 */
export function resolveLogsUrl(endpoint: string | false | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (endpoint === false) return undefined;
  if (endpoint) return endpoint.endsWith('/v1/logs') ? endpoint : endpoint.replace(/\/v1\/traces$/, '').replace(/\/+$/, '') + '/v1/logs';
  const logsUrl = env[Env.otlpLogsEndpoint];
  if (logsUrl) return logsUrl;
  const base = env[Env.otlpEndpoint];
  if (base) return base.replace(/\/+$/, '') + '/v1/logs';
  return undefined;
}

/** One log record as a plain object (the in-process view of `run.logs`). */
export interface LogRecordView {
  traceId: string;
  spanId: string;
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: Record<string, AttrValue>;
}

/** An in-process log record exporter that keeps every record it is given, for the CLI and tests. */
export class MemoryLogSink implements LogRecordExporter {
  private readonly records: ReadableLogRecord[] = [];

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    for (const r of logs) this.records.push(r);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** The records of one trace (all when no id is given), in the order they were emitted. */
  views(traceId?: string): LogRecordView[] {
    const out: LogRecordView[] = [];
    for (const r of this.records) {
      if (traceId && r.spanContext?.traceId !== traceId) continue;
      out.push({
        traceId: r.spanContext?.traceId ?? '',
        spanId: r.spanContext?.spanId ?? '',
        timeMs: hrTimeToMilliseconds(r.hrTime),
        severityNumber: r.severityNumber ?? 0,
        severityText: r.severityText ?? '',
        body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? ''),
        attributes: r.attributes as Record<string, AttrValue>,
      });
    }
    return out;
  }
}

/** Fan-out to several log exporters; succeeds only when all succeed. */
class TeeLogExporter implements LogRecordExporter {
  constructor(private readonly targets: LogRecordExporter[]) {}
  export(logs: ReadableLogRecord[], cb: (result: ExportResult) => void): void {
    let pending = this.targets.length;
    let failed: ExportResult | undefined;
    for (const t of this.targets) {
      t.export(logs, (r) => {
        if (r.code !== ExportResultCode.SUCCESS) failed = r;
        if (--pending === 0) cb(failed ?? r);
      });
    }
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.shutdown()));
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.forceFlush()));
  }
}

/**
 * The log record processor of the runtime: batches like the SDK's BatchLogRecordProcessor but, as
 * the span processor does, never drops a record to keep up, and flushes every record on shutdown.
 */
export class LosslessLogRecordProcessor extends LosslessQueue<ReadableLogRecord> implements LogRecordProcessor {
  onEmit(logRecord: SdkLogRecord): void {
    this.enqueue(logRecord);
  }
}

// Lower-case texts, as pino and winston (through their OTel instrumentations) and our `log.severity` event attribute write them.
const SEVERITY: Record<LogLevel, { number: SeverityNumber; text: string }> = {
  debug: { number: SeverityNumber.DEBUG, text: 'debug' },
  info: { number: SeverityNumber.INFO, text: 'info' },
  warn: { number: SeverityNumber.WARN, text: 'warn' },
  error: { number: SeverityNumber.ERROR, text: 'error' },
};

/** Sends the step logger's lines as OTLP log records. */
export interface LogRecordPipeline {
  /** Where records are exported over OTLP/HTTP, if anywhere. */
  readonly url: string | undefined;
  /** Present when records are kept in process. */
  readonly memory: MemoryLogSink | undefined;
  readonly stats: DeliveryStats;
  /** True when the producer should await {@link drain} before logging more (as for spans). */
  readonly needsDrain: boolean;
  drain(): Promise<void>;
  /** One record in the span's context (its trace and span id), with the fields as attributes. */
  emit(span: Span, level: LogLevel, message: string, fields: LogFields | undefined, procedureId: string | undefined): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface LogRecordPipelineOptions {
  resource: Resource;
  url: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  memory: boolean;
  processor?: LosslessProcessorOptions;
}

/** Builds the log record pipeline (official SDK logger provider and OTLP exporters, our lossless processor). */
export function createLogRecordPipeline(o: LogRecordPipelineOptions): LogRecordPipeline {
  const exporters: LogRecordExporter[] = [];
  const memory = o.memory ? new MemoryLogSink() : undefined;
  if (memory) exporters.push(memory);
  if (o.url) {
    const config = { url: o.url, headers: o.headers, timeoutMillis: 10_000 };
    exporters.push(o.protocol === 'http/json' ? new OTLPJsonLogExporter(config) : new OTLPProtoLogExporter(config));
  }
  const processor = new LosslessLogRecordProcessor(exporters.length === 1 ? exporters[0]! : new TeeLogExporter(exporters), o.processor);
  const provider = new LoggerProvider({ resource: o.resource, processors: [processor], logRecordLimits: { attributeCountLimit: 256, attributeValueLengthLimit: 16_384 } });
  const logger: OtelLogger = provider.getLogger('instrument-first');
  let shutdownPromise: Promise<void> | undefined;
  return {
    url: o.url,
    memory,
    get stats() {
      return processor.stats;
    },
    get needsDrain() {
      return processor.needsDrain;
    },
    drain: () => processor.drain(),
    emit(span, level, message, fields, procedureId) {
      const attributes: Record<string, string | number | boolean> = {};
      if (procedureId !== undefined) attributes[Attr.procedureId] = procedureId;
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) attributes[k] = v;
      const severity = SEVERITY[level];
      logger.emit({
        severityNumber: severity.number,
        severityText: severity.text,
        body: message,
        attributes,
        context: trace.setSpan(ROOT_CONTEXT, span),
      });
    },
    flush: () => processor.forceFlush(),
    shutdown: () => (shutdownPromise ??= provider.shutdown()),
  };
}
