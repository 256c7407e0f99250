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
  const resourceSpans = [...byResource.values()].map((scopes) => {
    const first = scopes.values().next().value!.origin;
    return {
      resource: { attributes: keyValues(first.resourceKeys, first.resourceValues) },
      scopeSpans: [...scopes.values()].map((g) => ({
        scope: { name: g.origin.scopeName, version: g.origin.scopeVersion },
        spans: g.spans.map(spanJson),
      })),
    };
  });
  return JSON.stringify({ resourceSpans });
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
