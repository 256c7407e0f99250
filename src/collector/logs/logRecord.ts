import type { LogView } from '../../protocol/logView';
import type { AttrValue } from '../../protocol/spanView';

/** Severity number and text, shared by every record with the same pair. */
export interface Severity {
  readonly number: number;
  readonly text: string;
}

/** Service and scope, shared by the records of one resource and scope. */
export interface LogOrigin {
  readonly serviceName: string;
  readonly scopeName: string;
}

/** Body and attributes decoded at once (OTLP/JSON records). */
export interface DecodedContent {
  readonly body: string;
  readonly keys: readonly string[];
  readonly values: AttrValue[];
}

/**
 * The request a protobuf record came from: its body and attributes stay as bytes there and are
 * decoded when the record is read (rarely: per trace), so storing costs no attribute decoding and
 * no objects per value. The request's buffer lives as long as one of its records does.
 */
export interface RawContent {
  readonly buf: Buffer;
  /** Decodes the record at [start, end) of `buf`. */
  readonly decode: (start: number, end: number) => DecodedContent;
  /** The request's bytes outside its records, shared out among them (so the budget counts the whole buffer). */
  overheadPerRecord: number;
}

/** One stored OTLP log record (few fields, shared parts: see {@link logRecordBytes}). */
export class LogRecord {
  constructor(
    readonly timeMs: number,
    readonly severity: Severity,
    /**
     * '' without trace context; else the trace id's 16 bytes, then the span id's 8 if any, one
     * character a byte (latin1): half the size of hex, for millions of records.
     */
    readonly ids: string,
    readonly origin: LogOrigin,
    readonly content: DecodedContent | RawContent,
    readonly start = 0,
    readonly end = 0,
  ) {}

  get traceId(): string {
    return this.ids.length >= 16 ? Buffer.from(this.ids.slice(0, 16), 'latin1').toString('hex') : '';
  }

  get spanId(): string {
    return this.ids.length > 16 ? Buffer.from(this.ids.slice(16), 'latin1').toString('hex') : '';
  }

  decoded(): DecodedContent {
    const c = this.content;
    return 'buf' in c ? c.decode(this.start, this.end) : c;
  }
}

export type { LogView };

/** The `ids` of a record from hex trace and span ids ('' when there is no trace id). */
export function packIds(traceIdHex: string, spanIdHex: string): string {
  return traceIdHex ? Buffer.from(traceIdHex + spanIdHex, 'hex').toString('latin1') : '';
}

export function toLogView(r: LogRecord): LogView {
  const { body, keys, values } = r.decoded();
  const attributes: Record<string, AttrValue> = {};
  for (let i = 0; i < keys.length; i++) attributes[keys[i]!] = values[i]!;
  const v: LogView = { timeMs: r.timeMs, severityNumber: r.severity.number, severityText: r.severity.text, body, serviceName: r.origin.serviceName, attributes };
  if (r.traceId) v.traceId = r.traceId;
  if (r.spanId) v.spanId = r.spanId;
  if (r.origin.scopeName) v.scopeName = r.origin.scopeName;
  return v;
}

/**
 * Estimated bytes of a record (what the byte budget counts): the object (7 fields) and its time,
 * the id string, and its content — the record's own bytes of the request for protobuf records
 * (the request buffer is held by them), the decoded body and values for JSON ones. Shared parts
 * (severities, origins, keys) are not counted per record.
 */
export function logRecordBytes(r: LogRecord): number {
  let n = 80 + 16 + (r.ids ? 16 + r.ids.length : 0);
  const c = r.content;
  if ('buf' in c) return n + (r.end - r.start) + c.overheadPerRecord;
  n += 48 + 32 + c.values.length * 8 + c.body.length;
  for (const v of c.values) n += typeof v === 'string' ? 16 + v.length : Array.isArray(v) ? 16 + v.length * 16 : 0;
  return n;
}
