import type { AttrValue } from '../../protocol/spanView';
import type { EventRecord, LinkRecord, SpanOrigin, SpanLike } from './spanRecord';
import { fromStoredValue, type StoredValue } from './largeText';

/**
 * OTLP/JSON of stored spans, written as text (not through JSON.stringify of objects): every kind
 * of value comes back as it was sent — an int as an `intValue` string, an integral double, -0,
 * NaN and ±Infinity as `doubleValue` (the last two as the strings OTLP/JSON uses), bytes as
 * `bytesValue`, arrays and kvlists as structures, an empty value as `{}` — and every time as its
 * exact decimal nanoseconds. A value cut by the decode caps is written as the string it keeps.
 */

const q = (s: string): string => JSON.stringify(s);

/** One AnyValue as OTLP/JSON (depth is bounded by the decoders' cap). */
export function anyValueJson(v: AttrValue): string {
  switch (typeof v) {
    case 'string':
      return `{"stringValue":${q(v)}}`;
    case 'boolean':
      return v ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      return Number.isInteger(v) ? `{"intValue":"${v}"}` : `{"doubleValue":${String(v)}}`;
  }
  if (Array.isArray(v)) return `{"arrayValue":{"values":[${(v as AttrValue[]).map(anyValueJson).join(',')}]}}`;
  switch (v.kind) {
    case 'int':
      return `{"intValue":"${v.value}"}`;
    case 'double':
      return `{"doubleValue":${v.value === 'NaN' || v.value === 'Infinity' || v.value === '-Infinity' ? `"${v.value}"` : v.value}}`;
    case 'bytes':
      return `{"bytesValue":${q(v.base64)}}`;
    case 'array':
      return `{"arrayValue":{"values":[${v.values.map(anyValueJson).join(',')}]}}`;
    case 'kvlist':
      return `{"kvlistValue":{"values":${keyValues(v.keys, v.values)}}}`;
    case 'truncated':
      return `{"stringValue":${q(v.value)}}`;
    default:
      return '{}';
  }
}

/** Key/value pairs as OTLP/JSON; stored values (large ones off the heap) are decoded one at a time. */
function keyValues(keys: readonly string[], values: readonly StoredValue[]): string {
  let out = '[';
  for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}{"key":${q(keys[i]!)},"value":${anyValueJson(fromStoredValue(values[i]!))}}`;
  return out + ']';
}

/** Decimal nanoseconds of a whole-ms time and the nanoseconds after it. */
function msRestDecimal(ms: number, rest: number): string {
  return ms === 0 ? String(rest) : `${ms}${String(rest).padStart(6, '0')}`;
}

/** Epoch ms to the decimal nanosecond string OTLP/JSON uses (for times that only exist in ms). */
export function msToNanos(ms: number): string {
  const whole = Math.floor(ms);
  return msRestDecimal(whole, Math.round((ms - whole) * 1e6));
}

/** Encodes records as one OTLP/JSON ExportTraceServiceRequest, grouped by resource and scope. */
export function encodeOtlpJson(spans: SpanLike[]): string {
  let out = '';
  for (const piece of encodeOtlpJsonPieces(spans, Number.MAX_SAFE_INTEGER)) out += piece;
  return out;
}

function resourceKey(o: SpanOrigin): string {
  return JSON.stringify([o.resourceKeys, o.resourceValues, o.resourceDropped, o.resourceSchemaUrl]);
}

function scopeKey(o: SpanOrigin): string {
  return JSON.stringify([o.scopeName, o.scopeVersion, o.scopeKeys, o.scopeValues, o.scopeDropped, o.scopeSchemaUrl]);
}

/**
 * The same document as `encodeOtlpJson`, in pieces of at most `spansPerPiece` spans: a large run is
 * written piece by piece, and the event loop runs between pieces.
 */
export function* encodeOtlpJsonPieces(spans: SpanLike[], spansPerPiece = 500): Generator<string> {
  const byResource = new Map<string, Map<string, { origin: SpanOrigin; spans: SpanLike[] }>>();
  // Origins are shared objects: their keys are computed once per origin, not per span.
  const keysOf = new Map<SpanOrigin, [string, string]>();
  for (const s of spans) {
    const o = s.origin;
    let k = keysOf.get(o);
    if (!k) keysOf.set(o, (k = [resourceKey(o), scopeKey(o)]));
    let scopes = byResource.get(k[0]);
    if (!scopes) byResource.set(k[0], (scopes = new Map()));
    let group = scopes.get(k[1]);
    if (!group) scopes.set(k[1], (group = { origin: o, spans: [] }));
    group.spans.push(s);
  }
  const step = Math.max(1, spansPerPiece);
  yield '{"resourceSpans":[';
  let r = 0;
  for (const scopes of byResource.values()) {
    const first = scopes.values().next().value!.origin;
    const dropped = first.resourceDropped ? `,"droppedAttributesCount":${first.resourceDropped}` : '';
    const schema = first.resourceSchemaUrl ? `,"schemaUrl":${q(first.resourceSchemaUrl)}` : '';
    yield `${r++ ? ',' : ''}{"resource":{"attributes":${keyValues(first.resourceKeys, first.resourceValues)}${dropped}}${schema},"scopeSpans":[`;
    let g = 0;
    for (const group of scopes.values()) {
      const o = group.origin;
      const scopeAttrs = o.scopeKeys.length ? `,"attributes":${keyValues(o.scopeKeys, o.scopeValues)}` : '';
      const scopeDropped = o.scopeDropped ? `,"droppedAttributesCount":${o.scopeDropped}` : '';
      const scopeSchema = o.scopeSchemaUrl ? `,"schemaUrl":${q(o.scopeSchemaUrl)}` : '';
      yield `${g++ ? ',' : ''}{"scope":{"name":${q(o.scopeName)},"version":${q(o.scopeVersion)}${scopeAttrs}${scopeDropped}}${scopeSchema},"spans":[`;
      for (let i = 0; i < group.spans.length; i += step) {
        let part = '';
        const end = Math.min(group.spans.length, i + step);
        for (let j = i; j < end; j++) part += (j ? ',' : '') + spanJson(group.spans[j]!);
        yield part;
      }
      yield ']}';
    }
    yield ']}';
  }
  yield ']}';
}

function eventJson(e: EventRecord): string {
  const dropped = e.dropped ? `,"droppedAttributesCount":${e.dropped}` : '';
  return `{"timeUnixNano":"${msRestDecimal(e.timeMs, e.timeRest)}","name":${q(e.name)},"attributes":${keyValues(e.keys, e.values)}${dropped}}`;
}

function linkJson(l: LinkRecord): string {
  let out = `{"traceId":"${l.traceId}","spanId":"${l.spanId}"`;
  if (l.traceState) out += `,"traceState":${q(l.traceState)}`;
  out += `,"attributes":${keyValues(l.keys, l.values)}`;
  if (l.dropped) out += `,"droppedAttributesCount":${l.dropped}`;
  if (l.flags) out += `,"flags":${l.flags}`;
  return out + '}';
}

function spanJson(s: SpanLike): string {
  const x = s.extra;
  let out = `{"traceId":"${s.traceId}","spanId":"${s.spanId}"`;
  if (x?.traceState) out += `,"traceState":${q(x.traceState)}`;
  if (s.parentSpanId) out += `,"parentSpanId":"${s.parentSpanId}"`;
  const flags = s.flags;
  if (flags) out += `,"flags":${flags}`;
  out += `,"name":${q(s.name)},"kind":${s.spanKind},"startTimeUnixNano":"${s.startTimeUnixNano}","endTimeUnixNano":"${s.endTimeUnixNano}"`;
  out += `,"attributes":${keyValues(s.keys, s.values)}`;
  if (x?.droppedAttributes) out += `,"droppedAttributesCount":${x.droppedAttributes}`;
  if (x?.events) out += `,"events":[${x.events.map(eventJson).join(',')}]`;
  if (x?.droppedEvents) out += `,"droppedEventsCount":${x.droppedEvents}`;
  if (x?.links) out += `,"links":[${x.links.map(linkJson).join(',')}]`;
  if (x?.droppedLinks) out += `,"droppedLinksCount":${x.droppedLinks}`;
  out += x?.statusMessage ? `,"status":{"code":${s.status},"message":${q(x.statusMessage)}}}` : `,"status":{"code":${s.status}}}`;
  return out;
}
