import type { AttrValue } from '../protocol/spanView';
import type { SpanOrigin, SpanRecord } from './spanRecord';

interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
type JsonAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: JsonAnyValue[] } };

function anyValue(v: AttrValue): JsonAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: (v as AttrValue[]).map(anyValue) } };
}

function keyValues(keys: string[], values: AttrValue[]): JsonKeyValue[] {
  const out: JsonKeyValue[] = [];
  for (let i = 0; i < keys.length; i++) out.push({ key: keys[i]!, value: anyValue(values[i]!) });
  return out;
}

/** Epoch ms to the decimal nanosecond string OTLP/JSON uses. */
export function msToNanos(ms: number): string {
  return String(Math.round(ms * 1e6));
}

/** Encodes records as one OTLP/JSON ExportTraceServiceRequest, grouped by resource and scope. */
export function encodeOtlpJson(spans: SpanRecord[]): string {
  let out = '';
  for (const piece of encodeOtlpJsonPieces(spans, Number.MAX_SAFE_INTEGER)) out += piece;
  return out;
}

/**
 * The same document as `encodeOtlpJson`, in pieces of at most `spansPerPiece` spans: a large run is
 * written piece by piece, and the event loop runs between pieces.
 */
export function* encodeOtlpJsonPieces(spans: SpanRecord[], spansPerPiece = 500): Generator<string> {
  const byResource = new Map<string, Map<string, { origin: SpanOrigin; spans: SpanRecord[] }>>();
  for (const s of spans) {
    const o = s.origin;
    const rk = JSON.stringify([o.resourceKeys, o.resourceValues]);
    let scopes = byResource.get(rk);
    if (!scopes) byResource.set(rk, (scopes = new Map()));
    const sk = `${o.scopeName}\u0000${o.scopeVersion}`;
    let group = scopes.get(sk);
    if (!group) scopes.set(sk, (group = { origin: o, spans: [] }));
    group.spans.push(s);
  }
  const step = Math.max(1, spansPerPiece);
  yield '{"resourceSpans":[';
  let r = 0;
  for (const scopes of byResource.values()) {
    const first = scopes.values().next().value!.origin;
    yield `${r++ ? ',' : ''}{"resource":${JSON.stringify({ attributes: keyValues(first.resourceKeys, first.resourceValues) })},"scopeSpans":[`;
    let g = 0;
    for (const group of scopes.values()) {
      yield `${g++ ? ',' : ''}{"scope":${JSON.stringify({ name: group.origin.scopeName, version: group.origin.scopeVersion })},"spans":[`;
      for (let i = 0; i < group.spans.length; i += step) {
        const part = JSON.stringify((step >= group.spans.length ? group.spans : group.spans.slice(i, i + step)).map(spanJson));
        yield (i ? ',' : '') + part.slice(1, -1);
      }
      yield ']}';
    }
    yield ']}';
  }
  yield ']}';
}

function spanJson(s: SpanRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    kind: s.spanKind,
    startTimeUnixNano: msToNanos(s.startMs),
    endTimeUnixNano: msToNanos(s.endMs),
    attributes: keyValues(s.keys, s.values),
    status: s.statusMessage ? { code: s.status, message: s.statusMessage } : { code: s.status },
  };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.events) {
    out.events = s.events.map((e) => ({ timeUnixNano: msToNanos(e.timeMs), name: e.name, attributes: keyValues(e.keys, e.values) }));
  }
  return out;
}
