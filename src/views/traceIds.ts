/** Finding OpenTelemetry trace ids (32 hex digits) in text printed by programs. */

export interface TraceIdMatch {
  traceId: string;
  /** Offset of the first character in the text. */
  start: number;
  length: number;
}

const TRACE_ID = /(?<![0-9a-zA-Z_])[0-9a-fA-F]{32}(?![0-9a-zA-Z_])/g;
const ALL_ZERO = /^0+$/;

/** Every trace id in `text`, in order; lower-cased. The invalid all-zero id is skipped. */
export function findTraceIds(text: string, limit = 1000): TraceIdMatch[] {
  const out: TraceIdMatch[] = [];
  for (const m of text.matchAll(TRACE_ID)) {
    if (ALL_ZERO.test(m[0])) continue;
    out.push({ traceId: m[0].toLowerCase(), start: m.index ?? 0, length: 32 });
    if (out.length >= limit) break;
  }
  return out;
}

/** Accepts what a user pastes: a bare id, `trace 0af7…`, a traceparent header. */
export function parseTraceIdInput(text: string): string | undefined {
  const trimmed = text.trim();
  const tp = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i.exec(trimmed);
  if (tp?.[1]) return tp[1].toLowerCase();
  return findTraceIds(trimmed, 1)[0]?.traceId;
}

/** A short form for labels: first 8 digits. */
export function shortTraceId(traceId: string): string {
  return traceId.slice(0, 8);
}
