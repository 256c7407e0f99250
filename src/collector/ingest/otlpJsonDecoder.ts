import type { AttrValue } from '../../protocol/spanView';
import {
  DecodeError,
  BAD_END,
  BAD_START,
  emptyOriginParts,
  normParentId,
  normSpanId,
  normTraceId,
  timesProblem,
  type DecodeContext,
  type DecodedBatch,
} from '../store/decodedBatch';
import type { KeyInfo } from '../store/stringPool';
import type { IngestResult } from '../store/spanStoreTypes';
import { arrayValue, doubleValue, EMPTY_VALUE, intFromNumber, intFromText, kvlistValue, SpanBudget, type DecodeLimits } from '../store/otlpValues';
import { packBits, shareExtraStrings, spanExtra, SpanRecord, TimeSlab, type EventRecord, type LinkRecord, type OriginParts, type SpanOrigin } from '../store/spanRecord';
import { decimalToWords, numberToWords, wordsToMs, wordsToMsRest } from '../store/unixNano';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The part of a span store that an import of OTLP/JSON needs. */
export interface OtlpJsonImportTarget {
  readonly decodeContext: DecodeContext;
  ingest(batch: DecodedBatch): IngestResult;
}

/** Parses and stores OTLP JSON (a file of this tool or any other); throws DecodeError when malformed. */
export function importOtlpJson(store: OtlpJsonImportTarget, text: string): IngestResult {
  return store.ingest(decodeOtlpJson(text, store.decodeContext));
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

/** An OTLP/JSON time (decimal string, or integer number) into words; false when it is not a valid time. */
export function jsonTimeToWords(v: unknown, out: Uint32Array, at: number): boolean {
  if (typeof v === 'string') return decimalToWords(v, out, at);
  if (typeof v === 'number') return numberToWords(v, out, at);
  return false;
}

const timeScratch = new Uint32Array(2);

/** An OTLP/JSON time as epoch ms for display (NaN when it is not a valid time). */
export function jsonTimeToMs(v: unknown): number {
  return jsonTimeToWords(v, timeScratch, 0) ? wordsToMs(timeScratch[0]!, timeScratch[1]!) : NaN;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v;
}

export function decodeOtlpJsonValue(doc: unknown, ctx: DecodeContext): DecodedBatch {
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object (ExportTraceServiceRequest)');
  const out: DecodedBatch = { spans: [], rejected: 0, firstError: '' };
  const scratch = new Scratch(ctx.limits);
  const rsList = list(doc.resourceSpans, 'resourceSpans');
  for (let r = 0; r < rsList.length; r++) {
    const rs = rsList[r];
    if (!isObj(rs)) throw new DecodeError(`resourceSpans[${r}] must be an object`);
    const resource = rs.resource;
    if (resource !== undefined && resource !== null && !isObj(resource)) throw new DecodeError(`resourceSpans[${r}].resource must be an object`);
    const parts = emptyOriginParts();
    [parts.resourceKeys, parts.resourceValues] = plainAttributes(list(resource?.attributes, `resourceSpans[${r}].resource.attributes`), ctx, new SpanBudget(ctx.limits));
    parts.resourceDropped = count(resource?.droppedAttributesCount);
    parts.resourceSchemaUrl = str(rs.schemaUrl);
    const ssList = list(rs.scopeSpans, `resourceSpans[${r}].scopeSpans`);
    for (let s = 0; s < ssList.length; s++) {
      const ss = ssList[s];
      if (!isObj(ss)) throw new DecodeError(`resourceSpans[${r}].scopeSpans[${s}] must be an object`);
      const origin = ctx.origin(scopeParts(parts, ss, ctx));
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

/** The origin parts of one ScopeSpans (`ss`), under a resource's. */
export function scopeParts(resource: OriginParts, ss: Obj, ctx: DecodeContext): OriginParts {
  const scope = isObj(ss.scope) ? ss.scope : undefined;
  const parts = { ...resource };
  parts.scopeName = str(scope?.name);
  parts.scopeVersion = str(scope?.version);
  if (scope && Array.isArray(scope.attributes)) [parts.scopeKeys, parts.scopeValues] = plainAttributes(scope.attributes, ctx, new SpanBudget(ctx.limits));
  parts.scopeDropped = count(scope?.droppedAttributesCount);
  parts.scopeSchemaUrl = str(ss.schemaUrl);
  return parts;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A uint32 count (dropped counts, flags): 0 when absent or not a whole number in range. */
export function count(v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && n >>> 0 === n ? n : 0;
}

class Scratch {
  keys: string[] = [];
  times = new TimeSlab();
  readonly budget: SpanBudget;
  constructor(limits: DecodeLimits) {
    this.budget = new SpanBudget(limits);
  }
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
  const slab = scratch.times;
  const slot = slab.next();
  const at = slot * 4;
  if (!jsonTimeToWords(sp.startTimeUnixNano, slab.array, at)) return BAD_START;
  if (!jsonTimeToWords(sp.endTimeUnixNano, slab.array, at + 2)) return BAD_END;
  const problem = timesProblem(slab.array, at);
  if (problem) return problem;
  const attrs = sp.attributes;
  if (attrs !== undefined && attrs !== null && !Array.isArray(attrs)) return 'attributes must be an array';
  const budget = scratch.budget;
  budget.reset();
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
      sk[k] = info.key;
      values[k++] = topValue(kv.value, ctx, info, budget);
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
      const e = jsonEvent(ev, ctx, budget);
      if (e) events.push(e);
    }
    if (events.length === 0) events = undefined;
  }
  let links: LinkRecord[] | undefined;
  if (Array.isArray(sp.links) && sp.links.length > 0) {
    links = [];
    for (const l of sp.links) {
      const link = isObj(l) ? jsonLink(l, ctx, budget) : undefined;
      if (link) links.push(link);
    }
    if (links.length === 0) links = undefined;
  }
  const st = isObj(sp.status) ? sp.status : undefined;
  const status = st ? enumValue(st.code, STATUS_CODES) : 0;
  const kind = enumValue(sp.kind, SPAN_KINDS);
  const flags = count(sp.flags);
  const extra = spanExtra(
    status,
    kind,
    flags,
    st && typeof st.message === 'string' ? st.message : '',
    str(sp.traceState),
    events,
    links,
    count(sp.droppedAttributesCount),
    count(sp.droppedEventsCount),
    count(sp.droppedLinksCount),
    budget.cut,
  );
  if (extra) shareExtraStrings(extra, traceId, (s) => ctx.traceState(s));
  out.spans.push(new SpanRecord(traceId, spanId, parent, ctx.pool.intern(str(sp.name)), slab.array, packBits(slot, status, kind, flags), keys, values, origin, extra));
  return '';
}

/** One event; undefined (the event skipped) when its time is not a valid OTLP time. */
export function jsonEvent(ev: Obj, ctx: DecodeContext, budget: SpanBudget): EventRecord | undefined {
  const words = new Uint32Array(2);
  const t = ev.timeUnixNano;
  if (t !== undefined && t !== null && !jsonTimeToWords(t, words, 0)) return undefined;
  const [keys, values] = plainAttributes(Array.isArray(ev.attributes) ? ev.attributes : [], ctx, budget);
  const time = wordsToMsRest(words[0]!, words[1]!);
  return { name: ctx.pool.intern(str(ev.name)), timeMs: time.ms, timeRest: time.rest, keys, values, dropped: count(ev.droppedAttributesCount) };
}

/** One link; undefined (skipped) when its ids are not valid. */
export function jsonLink(l: Obj, ctx: DecodeContext, budget: SpanBudget): LinkRecord | undefined {
  const traceId = normTraceId(l.traceId);
  const spanId = normSpanId(l.spanId);
  if (!traceId || !spanId) return undefined;
  const [keys, values] = plainAttributes(Array.isArray(l.attributes) ? l.attributes : [], ctx, budget);
  return { traceId, spanId, traceState: str(l.traceState), flags: count(l.flags), keys, values, dropped: count(l.droppedAttributesCount) };
}

const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: AttrValue[] = [];

export function plainAttributes(attrs: unknown[], ctx: DecodeContext, budget: SpanBudget): [string[], AttrValue[]] {
  const keys: string[] = [];
  const values: AttrValue[] = [];
  for (const kv of attrs) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    const info = ctx.pool.key(kv.key);
    keys.push(info.key);
    values.push(topValue(kv.value, ctx, info, budget));
  }
  // Exact-size copy: an array grown by push keeps spare room (16+ slots) for as long as it is stored.
  return [ctx.shapes.share(keys, keys.length), values.slice()];
}

/** An attribute's value, within the span's budget. */
export function topValue(v: unknown, ctx: DecodeContext, info: KeyInfo | undefined, budget: SpanBudget): AttrValue {
  const x = anyValue(v, ctx, 0, info);
  return typeof x === 'string' ? budget.string(x, Buffer.byteLength(x, 'utf8')) : budget.value(x);
}

/** An OTLP/JSON AnyValue (parsed) as an attribute value; nesting past the depth cap becomes a marker. */
export function anyValue(v: unknown, ctx: DecodeContext, depth: number, info?: KeyInfo): AttrValue {
  if (!isObj(v)) return EMPTY_VALUE;
  const s = v.stringValue;
  if (s !== undefined && s !== null) return typeof s === 'string' ? (info ? ctx.pool.value(info, s) : s) : String(s);
  const i = v.intValue;
  if (i !== undefined && i !== null) {
    if (typeof i === 'number') return Number.isInteger(i) ? intFromNumber(i) : String(i);
    return intFromText(String(i)) ?? String(i);
  }
  const b = v.boolValue;
  if (b !== undefined && b !== null) return b === true || b === 'true';
  const d = v.doubleValue;
  if (d !== undefined && d !== null) return doubleValue(Number(d));
  const a = v.arrayValue;
  const kvl = v.kvlistValue;
  if ((a !== undefined && a !== null) || (kvl !== undefined && kvl !== null)) {
    if (depth >= ctx.limits.maxDepth) return { kind: 'truncated', value: '', length: jsonValueSize(v) };
    const holder = a !== undefined && a !== null ? a : kvl;
    const items = isObj(holder) && Array.isArray(holder.values) ? (holder.values as unknown[]) : [];
    if (holder === a) return arrayValue(items.map((x) => anyValue(x, ctx, depth + 1)));
    const keys: string[] = [];
    const values: AttrValue[] = [];
    for (const kv of items) {
      if (!isObj(kv) || typeof kv.key !== 'string') continue;
      keys.push(kv.key);
      values.push(anyValue(kv.value, ctx, depth + 1));
    }
    return kvlistValue(keys, values);
  }
  const by = v.bytesValue;
  if (typeof by === 'string') return { kind: 'bytes', base64: Buffer.from(by, 'base64').toString('base64') };
  return EMPTY_VALUE;
}

/** The size (as the caps count it) of a parsed AnyValue, without recursion: for values past the depth cap. */
export function jsonValueSize(root: unknown): number {
  let size = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!isObj(v)) continue;
    if (typeof v.stringValue === 'string') size += Buffer.byteLength(v.stringValue, 'utf8');
    else if (v.intValue !== undefined || v.boolValue !== undefined || v.doubleValue !== undefined) size += 8;
    else if (typeof v.bytesValue === 'string') size += Buffer.from(v.bytesValue, 'base64').length;
    else {
      const c = isObj(v.arrayValue) ? v.arrayValue : isObj(v.kvlistValue) ? v.kvlistValue : undefined;
      const items = c && Array.isArray(c.values) ? c.values : [];
      if (c === v.kvlistValue) {
        for (const kv of items) {
          if (!isObj(kv) || typeof kv.key !== 'string') continue;
          size += Buffer.byteLength(kv.key, 'utf8');
          stack.push(kv.value);
        }
      } else for (const x of items) stack.push(x);
    }
  }
  return size;
}
