import type { AttrValue } from '../protocol/spanView';
import {
  DecodeError,
  normParentId,
  normSpanId,
  normTraceId,
  spanProblem,
  type DecodeContext,
  type DecodedBatch,
} from './decodedBatch';
import type { KeyInfo } from './stringPool';
import { scanOtlpJson } from './otlpJsonScanner';
import { SpanRecord, TimeSlab, type EventRecord, type SpanOrigin } from './spanRecord';

type Obj = Record<string, unknown>;
const MAX_DEPTH = 16;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses an OTLP/JSON ExportTraceServiceRequest into records; throws DecodeError when malformed. */
export function decodeOtlpJson(text: string, ctx: DecodeContext): DecodedBatch {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeOtlpJsonValue(doc, ctx);
}

/**
 * Decodes an OTLP/JSON body from its bytes: the byte scanner for the common shape, JSON.parse and
 * the object walk for everything else (and for the error message of a malformed body).
 */
export function decodeOtlpJsonBytes(body: Buffer, ctx: DecodeContext): DecodedBatch {
  return scanOtlpJson(body, ctx) ?? decodeOtlpJson(body.toString('utf8'), ctx);
}

/** Nanoseconds (decimal string or number) to epoch ms; NaN when invalid. */
export function nanosToMs(v: unknown): number {
  if (typeof v === 'string') {
    const n = v.length;
    // Whole milliseconds and the nanosecond rest apart, so that whole-ms times stay exact.
    if (n > 6 && n < 24) return Number(v.slice(0, n - 6)) + Number(v.slice(n - 6)) / 1e6;
    return n > 0 && n <= 6 ? Number(v) / 1e6 : NaN;
  }
  if (typeof v === 'number') return v / 1e6;
  return NaN;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v;
}

export function decodeOtlpJsonValue(doc: unknown, ctx: DecodeContext): DecodedBatch {
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object (ExportTraceServiceRequest)');
  const out: DecodedBatch = { spans: [], rejected: 0, firstError: '' };
  const scratch = new Scratch();
  const rsList = list(doc.resourceSpans, 'resourceSpans');
  for (let r = 0; r < rsList.length; r++) {
    const rs = rsList[r];
    if (!isObj(rs)) throw new DecodeError(`resourceSpans[${r}] must be an object`);
    const resource = rs.resource;
    if (resource !== undefined && resource !== null && !isObj(resource)) throw new DecodeError(`resourceSpans[${r}].resource must be an object`);
    const resAttrs = list(resource?.attributes, `resourceSpans[${r}].resource.attributes`);
    const [rKeys, rValues] = plainAttributes(resAttrs, ctx);
    const ssList = list(rs.scopeSpans, `resourceSpans[${r}].scopeSpans`);
    for (let s = 0; s < ssList.length; s++) {
      const ss = ssList[s];
      if (!isObj(ss)) throw new DecodeError(`resourceSpans[${r}].scopeSpans[${s}] must be an object`);
      const scope = isObj(ss.scope) ? ss.scope : undefined;
      const origin = ctx.origin(rKeys, rValues, str(scope?.name), str(scope?.version));
      const spans = list(ss.spans, `resourceSpans[${r}].scopeSpans[${s}].spans`);
      for (let i = 0; i < spans.length; i++) {
        const problem = decodeSpan(spans[i], origin, ctx, scratch, out);
        if (problem) {
          if (out.rejected++ === 0) out.firstError = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]: ${problem}`;
        }
      }
    }
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

class Scratch {
  keys: string[] = [];
  times = new TimeSlab();
}

function enumValue(v: unknown, names: readonly string[]): number {
  if (typeof v === 'number') return v | 0;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    return i >= 0 ? i : Number(v) | 0;
  }
  return 0;
}
const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** Decodes one span into `out`; returns a problem when the span is invalid. */
function decodeSpan(sp: unknown, origin: SpanOrigin, ctx: DecodeContext, scratch: Scratch, out: DecodedBatch): string {
  if (!isObj(sp)) return 'span must be an object';
  const traceId = normTraceId(sp.traceId);
  if (!traceId) return 'traceId must be 16 bytes of hex, not all zero';
  const spanId = normSpanId(sp.spanId);
  if (!spanId) return 'spanId must be 8 bytes of hex, not all zero';
  const parent = normParentId(sp.parentSpanId);
  if (parent === undefined) return 'parentSpanId must be empty or 8 bytes of hex';
  const startMs = nanosToMs(sp.startTimeUnixNano);
  const endMs = nanosToMs(sp.endTimeUnixNano);
  const problem = spanProblem(startMs, endMs);
  if (problem) return problem;
  const attrs = sp.attributes;
  if (attrs !== undefined && attrs !== null && !Array.isArray(attrs)) return 'attributes must be an array';
  let keys: string[];
  let values: AttrValue[];
  if (attrs && attrs.length > 0) {
    const n = attrs.length;
    values = new Array<AttrValue>(n);
    const sk = scratch.keys;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const kv = attrs[i] as Obj | null;
      if (!isObj(kv) || typeof kv.key !== 'string') continue;
      const info = ctx.pool.key(kv.key);
      const v = anyValue(kv.value, ctx, 0, info);
      if (v === undefined) continue;
      sk[k] = info.key;
      values[k++] = v;
    }
    if (k !== n) values.length = k;
    keys = ctx.shapes.share(sk, k);
  } else {
    keys = EMPTY_KEYS;
    values = EMPTY_VALUES;
  }
  let events: EventRecord[] | undefined;
  const evs = sp.events;
  if (Array.isArray(evs) && evs.length > 0) {
    events = [];
    for (const ev of evs) {
      if (!isObj(ev)) continue;
      const [ek, evals] = plainAttributes(Array.isArray(ev.attributes) ? ev.attributes : [], ctx);
      events.push({ name: ctx.pool.intern(str(ev.name)), timeMs: nanosToMs(ev.timeUnixNano) || startMs, keys: ek, values: evals });
    }
  }
  const st = isObj(sp.status) ? sp.status : undefined;
  const at = scratch.times.put(startMs, endMs);
  out.spans.push(
    new SpanRecord(
      traceId,
      spanId,
      parent,
      ctx.pool.intern(str(sp.name)),
      scratch.times.array,
      at,
      st ? enumValue(st.code, STATUS_CODES) : 0,
      enumValue(sp.kind, SPAN_KINDS),
      st && typeof st.message === 'string' ? st.message : '',
      keys,
      values,
      events,
      origin,
    ),
  );
  return '';
}

const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: AttrValue[] = [];

function plainAttributes(attrs: unknown[], ctx: DecodeContext): [string[], AttrValue[]] {
  const keys: string[] = [];
  const values: AttrValue[] = [];
  for (const kv of attrs) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    const info = ctx.pool.key(kv.key);
    const v = anyValue(kv.value, ctx, 0, info);
    if (v === undefined) continue;
    keys.push(info.key);
    values.push(v);
  }
  return [ctx.shapes.share(keys, keys.length), values];
}

/** OTLP AnyValue to an attribute value; kvlists become JSON text, bytes stay base64. */
export function anyValue(v: unknown, ctx: DecodeContext, depth: number, info?: KeyInfo): AttrValue | undefined {
  if (!isObj(v)) return undefined;
  const s = v.stringValue;
  if (s !== undefined) return typeof s === 'string' ? (info ? ctx.pool.value(info, s) : s) : String(s);
  if (v.intValue !== undefined) return intValue(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue === true || v.boolValue === 'true';
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (v.arrayValue !== undefined) {
    const vals = isObj(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    return arrayAttr(vals.map((x) => anyValue(x, ctx, depth + 1)));
  }
  if (v.kvlistValue !== undefined) return JSON.stringify(kvObject(v.kvlistValue, ctx, depth + 1));
  if (v.bytesValue !== undefined) return str(v.bytesValue);
  return '';
}

function kvObject(kvl: unknown, ctx: DecodeContext, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const vals = isObj(kvl) && Array.isArray(kvl.values) ? kvl.values : [];
  for (const kv of vals) if (isObj(kv) && typeof kv.key === 'string') o[kv.key] = anyValue(kv.value, ctx, depth);
  return o;
}

export function intValue(v: unknown): number | string {
  if (typeof v === 'number') return v;
  const n = Number(v);
  if (Number.isSafeInteger(n)) return n;
  return String(v);
}

/** Homogeneous arrays stay arrays; mixed ones become JSON text. */
export function arrayAttr(vals: (AttrValue | undefined)[]): AttrValue {
  if (vals.length === 0) return [] as string[];
  const t = typeof vals[0];
  if ((t === 'string' || t === 'number' || t === 'boolean') && vals.every((x) => typeof x === t)) return vals as AttrValue;
  return JSON.stringify(vals);
}
