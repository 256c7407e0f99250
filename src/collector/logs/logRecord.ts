import type { AttrValue } from '../../protocol/spanView';

/** One stored OTLP log record. Attribute keys are shared arrays (one per key shape). */
export interface LogRecord {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  /** The body as text (structured bodies as JSON). */
  body: string;
  /** Lowercase hex, '' without trace context. */
  traceId: string;
  spanId: string;
  serviceName: string;
  scopeName: string;
  keys: readonly string[];
  values: AttrValue[];
}

/** A log record as the read API answers it. */
export interface LogView {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: string;
  traceId?: string;
  spanId?: string;
  serviceName: string;
  scopeName?: string;
  attributes: Record<string, AttrValue>;
}

export function toLogView(r: LogRecord): LogView {
  const attributes: Record<string, AttrValue> = {};
  for (let i = 0; i < r.keys.length; i++) attributes[r.keys[i]!] = r.values[i]!;
  const v: LogView = { timeMs: r.timeMs, severityNumber: r.severityNumber, severityText: r.severityText, body: r.body, serviceName: r.serviceName, attributes };
  if (r.traceId) v.traceId = r.traceId;
  if (r.spanId) v.spanId = r.spanId;
  if (r.scopeName) v.scopeName = r.scopeName;
  return v;
}

/**
 * Estimated heap bytes of a record (what the byte budget counts): the object and its values
 * array, strings at 2 bytes a character beyond the short ones V8 keeps in one byte; shared
 * strings (keys, service, scope) are not counted per record.
 */
export function logRecordBytes(r: LogRecord): number {
  let n = 96 + 16 + r.values.length * 8 + r.body.length + r.severityText.length;
  if (r.traceId) n += 48 + 32;
  for (const v of r.values) n += typeof v === 'string' ? 16 + v.length : Array.isArray(v) ? 16 + v.length * 16 : 0;
  return n;
}
