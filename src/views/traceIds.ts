/** Finding OpenTelemetry trace ids (32 hex digits) in text printed by programs. */

export interface TraceIdMatch {
  traceId: string;
  /** Offset of the first character in the text. */
  start: number;
  length: number;
}

const TRACE_ID = /(?<![0-9a-zA-Z_])[0-9a-fA-F]{32}(?![0-9a-zA-Z_])/g;
const ALL_ZERO = /^0+$/;

/**
 * A 64-bit (16 hex digit) trace id after a `trace_id:` (or `traceId=`, `"trace_id": "`) label, as
 * Jaeger-era services log them: only with the label, so span ids are not taken for trace ids.
 */
const LABELLED_SHORT_ID = /(?<![0-9a-zA-Z_])trace[_-]?id["']?\s*[:=]\s*["']?([0-9a-fA-F]{16})(?![0-9a-zA-Z_])/gi;

/** A 64-bit trace id as the 128-bit one it stands for (zeros in front, as Jaeger and W3C pad it). */
export function padTraceId(hex: string): string {
  return hex.toLowerCase().padStart(32, '0');
}

/**
 * Every trace id in `text`, in order; lower-cased. The invalid all-zero id is skipped. A labelled
 * 16-digit id (`trace_id:d572232a8fed45fa`) is returned padded to 32 digits; its match covers the
 * 16 digits.
 */
export function findTraceIds(text: string, limit = 1000): TraceIdMatch[] {
  const out: TraceIdMatch[] = [];
  for (const m of text.matchAll(TRACE_ID)) {
    if (ALL_ZERO.test(m[0])) continue;
    out.push({ traceId: m[0].toLowerCase(), start: m.index ?? 0, length: 32 });
    if (out.length >= limit) return out;
  }
  if (!/trace[_-]?id/i.test(text)) return out;
  const long = out.length;
  for (const m of text.matchAll(LABELLED_SHORT_ID)) {
    const hex = m[1]!;
    if (ALL_ZERO.test(hex)) continue;
    out.push({ traceId: padTraceId(hex), start: (m.index ?? 0) + m[0].length - hex.length, length: 16 });
    if (out.length >= limit) break;
  }
  if (out.length > long && long > 0) out.sort((a, b) => a.start - b.start);
  return out;
}

/** Accepts what a user pastes: a bare id, `trace 0af7…`, a traceparent header. */
export function parseTraceIdInput(text: string): string | undefined {
  const trimmed = text.trim();
  const tp = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i.exec(trimmed);
  if (tp?.[1]) return tp[1].toLowerCase();
  // A bare 64-bit id pasted on its own (from a ticket or a Jaeger-era log) is a trace id.
  if (/^[0-9a-fA-F]{16}$/.test(trimmed) && !ALL_ZERO.test(trimmed)) return padTraceId(trimmed);
  return findTraceIds(trimmed, 1)[0]?.traceId;
}

/** A short form for labels: first 8 digits. */
export function shortTraceId(traceId: string): string {
  return traceId.slice(0, 8);
}
