import type { Span } from '@opentelemetry/api';
import { Attr, LOG_EVENT_NAME } from '../protocol/attributes';
import type { LogRecordPipeline, LogRecordsMode } from './logRecords';
import type { LogFields, Logger, LogLevel } from './types';

export type LogFormat = 'pretty' | 'json' | 'none';

export interface LogOutput {
  format: LogFormat;
  /** Where formatted lines go (default: stderr). */
  write?: (line: string) => void;
  /** Lowest level printed (default: info). Every level is still attached to the span. */
  level?: LogLevel;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const PRETTY_LEVEL: Record<LogLevel, string> = { debug: 'DBG', info: 'INF', warn: 'WRN', error: 'ERR' };

export interface LogScope {
  traceId: string;
  spanId: string;
  procedureId?: string;
  span?: Span;
  /** Where lines go besides the console (default `events`: span events only). */
  records?: LogRecordsMode;
  /** Receives the lines as OTLP log records when {@link records} is `logs` or `both`. */
  pipeline?: LogRecordPipeline;
}

/**
 * A logger bound to one span: every line carries `trace_id`, `span_id` and `procedure.id`, is
 * printed (readable or as a JSON line), and is attached to the span as a `log` event and/or sent
 * as an OTLP log record in the span's context (see {@link LogScope.records}), so the timeline can
 * show the lines of each span.
 */
export function createLogger(scope: LogScope, output: LogOutput): Logger {
  const min = LEVELS[output.level ?? 'info'];
  const write = output.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const records = scope.records ?? 'events';
  const asEvents = records !== 'logs';
  const pipeline = records !== 'events' ? scope.pipeline : undefined;
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (pipeline && scope.span?.isRecording()) pipeline.emit(scope.span, level, message, fields, scope.procedureId);
    if (asEvents && scope.span?.isRecording()) {
      const attrs: Record<string, string | number | boolean> = { [Attr.logSeverity]: level, [Attr.logMessage]: message };
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) attrs[k] = v;
      scope.span.addEvent(LOG_EVENT_NAME, attrs);
    }
    if (output.format === 'none' || LEVELS[level] < min) return;
    if (output.format === 'json') {
      const rec: Record<string, unknown> = {
        time: new Date().toISOString(),
        level,
        msg: message,
        trace_id: scope.traceId,
        span_id: scope.spanId,
      };
      if (scope.procedureId !== undefined) rec[Attr.procedureId] = scope.procedureId;
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined && !(k in rec)) rec[k] = v;
      write(JSON.stringify(rec));
    } else {
      const extra = fields
        ? Object.entries(fields)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
            .join('')
        : '';
      const who = scope.procedureId !== undefined ? ` [${scope.procedureId}]` : '';
      write(`${PRETTY_LEVEL[level]}${who} ${message}${extra} trace_id=${scope.traceId} span_id=${scope.spanId}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Picks the log format from the environment: INSTRUMENT_FIRST_LOG_FORMAT, else pretty on a TTY. */
export function defaultLogFormat(env: Readonly<Record<string, string | undefined>>, isTty: boolean): LogFormat {
  const v = env.INSTRUMENT_FIRST_LOG_FORMAT;
  if (v === 'json' || v === 'pretty' || v === 'none') return v;
  return isTty ? 'pretty' : 'json';
}
