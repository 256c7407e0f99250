import type { AttrValue } from '../../protocol/spanView';
import { emptyOriginParts, timesProblem, type DecodeContext, type DecodedBatch, type RowBatch } from '../store/decodedBatch';
import { SpanBudget } from '../store/otlpValues';
import type { OriginParts as PackedOrigin } from '../store/spanRecord';
import { ProtoReader } from './protoReader';
import { REQUEST_RESOURCE_SPANS, RESOURCE_ATTRIBUTES, RESOURCE_DROPPED, RESOURCE_SPANS_RESOURCE, RESOURCE_SPANS_SCHEMA_URL, RESOURCE_SPANS_SCOPE_SPANS, SCOPE_ATTRIBUTES, SCOPE_DROPPED, SCOPE_NAME, SCOPE_SPANS_SCHEMA_URL, SCOPE_SPANS_SCOPE, SCOPE_SPANS_SPANS, SCOPE_VERSION, SPAN_ATTRIBUTES, SPAN_DROPPED_ATTRIBUTES, SPAN_DROPPED_EVENTS, SPAN_DROPPED_LINKS, SPAN_END, SPAN_EVENTS, SPAN_FLAGS, SPAN_KIND, SPAN_LINKS, SPAN_NAME, SPAN_PARENT_SPAN_ID, SPAN_SPAN_ID, SPAN_START, SPAN_STATUS, SPAN_TRACE_ID, SPAN_TRACE_STATE, STATUS_CODE, STATUS_MESSAGE } from './otlpProtoFields';
import { F_PARENT, F_SPAN, F_TRACE, materialize, NONE, SAME, V_BOOL, V_DICT, V_INT, type IndexScratch, type SpanIndex } from './spanIndex';
import { indexRows } from './indexRows';
import { SLAB_WORDS, spanExtra, type EventRecord, type LinkRecord, type SpanExtra } from '../store/spanRecord';
import { ProtoSpanPartsIndexer, uint32 } from './protoSpanParts';

/**
 * Decodes a protobuf ExportTraceServiceRequest into span records, in place: the index of the body,
 * then its records. Throws DecodeError when the bytes are not a well-formed message; spans with
 * invalid content are counted as rejected.
 */
export function decodeOtlpProto(buf: Buffer, ctx: DecodeContext): DecodedBatch {
  // The index is read here and dropped: its arrays are reused by the next body.
  return materialize(indexOtlpProto(buf, ctx, ctx.indexScratch), buf, ctx.dict, ctx);
}

/**
 * `decodeOtlpProto` for the store: the index of the body, its rows written into the store's chunks
 * when it stores them (no record per span). The index lives in this thread's scratch arrays until
 * the next body is indexed: store it before that.
 */
export function decodeOtlpProtoRows(buf: Buffer, ctx: DecodeContext): RowBatch {
  return indexRows(indexOtlpProto(buf, ctx, ctx.indexScratch), buf, ctx.dict, ctx);
}

/**
 * Reads a protobuf ExportTraceServiceRequest (field numbers from opentelemetry/proto/trace/v1/
 * trace.proto and common/v1/common.proto) into a span index over the same bytes; repeated strings
 * get ids in `ctx.dict`. Throws DecodeError when the bytes are not a well-formed message.
 */
export function indexOtlpProto(buf: Buffer, ctx: DecodeContext, scratch?: IndexScratch): SpanIndex {
  if (ctx.dict.full) ctx.clear();
  const r = new ProtoReader(buf);
  const d = new ProtoSpanIndexer(r, ctx, scratch);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === REQUEST_RESOURCE_SPANS) {
      const end = r.lengthEnd();
      d.resourceSpans(end);
      r.pos = end;
    } else r.skip(tag & 7);
  }
  return d.finish();
}

class ProtoSpanIndexer extends ProtoSpanPartsIndexer {
  private readonly origins: PackedOrigin[] = [];
  private readonly extras: [number, SpanExtra][] = [];
  /** The times of the span being read. */
  private readonly times = new Uint32Array(SLAB_WORDS);
  /** Values kept whole (`b.other`) before the span being read: dropped with it when it is rejected. */
  private otherFrom = 0;
  private rejected = 0;
  private firstError = '';
  private readonly keys: string[] = [];
  // Where the trace id and parent id of the last indexed span were: equal bytes are marked SAME.
  private lastTrace = -1;
  private lastParent = -1;
  private withEnd<T>(end: number, fn: () => T): T {
    const saved = this.r.end;
    this.r.end = end;
    try {
      return fn();
    } finally {
      this.r.end = saved;
    }
  }

  resourceSpans(end: number): void {
    const r = this.r;
    const parts = emptyOriginParts();
    // Scope spans may come before the resource on the wire: remember their ranges, decode after.
    const scopeRanges: number[] = [];
    this.withEnd(end, () => {
      while (r.pos < end) {
        const t = r.varint();
        if (t === RESOURCE_SPANS_RESOURCE) {
          const e = r.lengthEnd();
          this.withEnd(e, () => this.resource(e, parts));
          r.pos = e;
        } else if (t === RESOURCE_SPANS_SCOPE_SPANS) {
          const e = r.lengthEnd();
          scopeRanges.push(r.pos, e);
          r.pos = e;
        } else if (t === RESOURCE_SPANS_SCHEMA_URL) parts.resourceSchemaUrl = r.string();
        else r.skip(t & 7);
      }
    });
    for (let i = 0; i < scopeRanges.length; i += 2) {
      r.pos = scopeRanges[i]!;
      const e = scopeRanges[i + 1]!;
      this.withEnd(e, () => this.scopeSpans(e, parts));
    }
  }

  private resource(end: number, parts: PackedOrigin): void {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    const budget = new SpanBudget(this.ctx.limits);
    while (r.pos < end) {
      const t = r.varint();
      if (t === RESOURCE_ATTRIBUTES) this.keyValueInto(r.lengthEnd(), keys, values, budget);
      else if (t === RESOURCE_DROPPED) parts.resourceDropped = uint32(r.varint());
      else r.skip(t & 7);
    }
    parts.resourceKeys = this.ctx.shapes.share(keys, keys.length);
    parts.resourceValues = values;
  }

  private scopeSpans(end: number, resource: PackedOrigin): void {
    const r = this.r;
    const parts: PackedOrigin = { ...resource };
    // The spans are indexed as they are read (one pass): they name their origin by its place, and
    // the scope's fields fill in the same object, whether they come before or after the spans.
    const origin = this.origins.push(parts) - 1;
    while (r.pos < end) {
      const t = r.varint();
      if (t === SCOPE_SPANS_SCOPE) {
        const e = r.lengthEnd();
        r.end = e;
        this.scope(e, parts);
        r.end = end;
        r.pos = e;
      } else if (t === SCOPE_SPANS_SPANS) {
        const e = r.lengthEnd();
        r.end = e;
        this.span(e, origin);
        r.end = end;
        r.pos = e;
      } else if (t === SCOPE_SPANS_SCHEMA_URL) parts.scopeSchemaUrl = r.string();
      else r.skip(t & 7);
    }
  }

  /** An InstrumentationScope (the reader's end set to `end`) into `parts`. */
  private scope(end: number, parts: PackedOrigin): void {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    const budget = new SpanBudget(this.ctx.limits);
    while (r.pos < end) {
      const f = r.varint();
      if (f === SCOPE_NAME) parts.scopeName = r.string();
      else if (f === SCOPE_VERSION) parts.scopeVersion = r.string();
      else if (f === SCOPE_ATTRIBUTES) this.keyValueInto(r.lengthEnd(), keys, values, budget);
      else if (f === SCOPE_DROPPED) parts.scopeDropped = uint32(r.varint());
      else r.skip(f & 7);
    }
    parts.scopeKeys = this.ctx.shapes.share(keys, keys.length);
    parts.scopeValues = values;
  }

  finish(): SpanIndex {
    return this.b.index({ origins: this.origins, extras: this.extras, generation: this.ctx.dict.generation, rejected: this.rejected, firstError: this.firstError });
  }

  /** Whether buf[s, e) is all zero bytes (read as bytes: no number objects made). */
  private allZero(s: number, e: number): boolean {
    const buf = this.r.buf;
    let or = 0;
    for (let i = s; i < e; i++) or |= buf[i]!;
    return or === 0;
  }

  private sameBytes(a: number, b: number, n: number): boolean {
    const buf = this.r.buf;
    for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return false;
    return true;
  }

  private span(end: number, origin: number): void {
    const r = this.r;
    const ctx = this.ctx;
    const b = this.b;
    let trace = -1;
    let span = -1;
    // -1: no parent field; ≤ -2: a parent of the wrong length (-1 - length); ≥ 0 its offset.
    let parent = -1;
    let nameA = 0;
    let nameB = 0;
    let kind = 0;
    let status = 0;
    let flags = 0;
    let statusMessage = '';
    let traceState = '';
    let droppedAttributes = 0;
    let droppedEvents = 0;
    let droppedLinks = 0;
    let events: EventRecord[] | undefined;
    let links: LinkRecord[] | undefined;
    const times = this.times;
    times[0] = times[1] = times[2] = times[3] = 0;
    const keys = this.keys;
    const valuesFrom = b.valueInts;
    const budget = this.budget;
    budget.reset();
    let n = 0;
    while (r.pos < end) {
      const t = r.varint();
      switch (t) {
        case SPAN_TRACE_ID:
          trace = this.id(16);
          break;
        case SPAN_SPAN_ID:
          span = this.id(8);
          break;
        case SPAN_PARENT_SPAN_ID: {
          const e = r.lengthEnd();
          // Empty or all zero: a root (as the JSON paths read it).
          parent = e === r.pos || (e - r.pos === 8 && this.allZero(r.pos, e)) ? -1 : e - r.pos === 8 ? r.pos : -1 - (e - r.pos);
          r.pos = e;
          break;
        }
        case SPAN_NAME: {
          const e = r.lengthEnd();
          const known = ctx.nameIds.get(r.buf, r.pos, e);
          if (known !== undefined) {
            nameA = V_DICT;
            nameB = known;
          } else {
            const name = ctx.pool.intern(r.utf8(r.pos, e));
            if (ctx.pool.isShared(name)) {
              nameA = V_DICT;
              nameB = ctx.dict.id(name);
              ctx.nameIds.store(r.buf, r.pos, e, nameB);
            } else {
              nameA = r.pos;
              nameB = e - r.pos;
            }
          }
          r.pos = e;
          break;
        }
        case SPAN_KIND:
          kind = r.varint();
          break;
        case SPAN_START:
          r.fixed64Words(times, 0);
          break;
        case SPAN_END:
          r.fixed64Words(times, 2);
          break;
        case SPAN_ATTRIBUTES: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          n = this.spanAttribute(e, keys, n);
          r.end = saved;
          r.pos = e;
          break;
        }
        // No closures in this function (e.g. withEnd's): a closure that captures its variables makes
        // V8 allocate a context for them on every call — a heap object per span, and slower reads.
        case SPAN_EVENTS: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          (events ??= []).push(this.event(e));
          r.end = saved;
          r.pos = e;
          break;
        }
        case SPAN_LINKS: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          const link = this.link(e);
          r.end = saved;
          if (link) (links ??= []).push(link);
          r.pos = e;
          break;
        }
        case SPAN_STATUS: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          while (r.pos < e) {
            const f = r.varint();
            if (f === STATUS_MESSAGE) statusMessage = r.string();
            else if (f === STATUS_CODE) status = r.varint();
            else r.skip(f & 7);
          }
          r.end = saved;
          r.pos = e;
          break;
        }
        case SPAN_FLAGS:
          flags = r.fixed32();
          break;
        case SPAN_TRACE_STATE:
          traceState = r.string();
          break;
        case SPAN_DROPPED_ATTRIBUTES:
          droppedAttributes = uint32(r.varint());
          break;
        case SPAN_DROPPED_EVENTS:
          droppedEvents = uint32(r.varint());
          break;
        case SPAN_DROPPED_LINKS:
          droppedLinks = uint32(r.varint());
          break;
        default:
          r.skip(t & 7);
      }
    }
    let problem = '';
    if (trace < 0) problem = 'traceId must be 16 bytes, not all zero';
    else if (span < 0) problem = 'spanId must be 8 bytes, not all zero';
    else if (parent < -1) problem = 'parentSpanId must be empty or 8 bytes';
    if (!problem) problem = timesProblem(times, 0);
    if (problem) {
      b.valueInts = valuesFrom;
      b.other.length = this.otherFrom;
      if (this.rejected++ === 0) this.firstError = `span ${b.count + this.rejected - 1}: ${problem}`;
      return;
    }
    this.otherFrom = b.other.length;
    const o = b.openSpan();
    const spans = b.spans;
    if (this.lastTrace >= 0 && this.sameBytes(this.lastTrace, trace, 16)) spans[o + F_TRACE] = SAME;
    else spans[o + F_TRACE] = this.lastTrace = trace;
    spans[o + F_SPAN] = span;
    if (parent < 0) spans[o + F_PARENT] = NONE;
    else if (this.lastParent >= 0 && this.sameBytes(this.lastParent, parent, 8)) spans[o + F_PARENT] = SAME;
    else spans[o + F_PARENT] = this.lastParent = parent;
    b.writeFields(o, nameA, nameB, status, kind, flags, n === 0 ? NONE : ctx.dict.shapeId(ctx.shapes.share(keys, n)), origin, times);
    if (status > 3 || kind > 7 || flags > 1023 || statusMessage || traceState || events || links || droppedAttributes || droppedEvents || droppedLinks || budget.cut) {
      const extra = spanExtra(status, kind, flags, statusMessage, traceState, events, links, droppedAttributes, droppedEvents, droppedLinks, budget.cut);
      if (extra) this.extras.push([b.count, extra]);
    }
    b.count++;
  }

  /** Indexes one span attribute (a KeyValue, the reader's end set to `end`) as key `n`; returns the new count. */
  private spanAttribute(end: number, keys: string[], n: number): number {
    const r = this.r;
    const b = this.b;
    const budget = this.budget;
    // A whole KeyValue whose bytes were seen before with a repeating value (a dictionary string, a
    // small int, a bool): its key and value pair without reading either (one lookup, not two).
    const pairs = this.ctx.pairIds;
    const start = r.pos;
    const known = pairs.get(r.buf, start, end);
    if (known !== undefined && budget.take(known.bytes)) {
      b.pushValue(known.a, known.arg);
      keys[n] = known.key;
      return n + 1;
    }
    const used = budget.used;
    const info = this.keyValue(end, true, budget);
    if (info === undefined) return n;
    if (known === undefined) {
      const a = b.values[b.valueInts - 2]!;
      if (a === V_DICT || a === V_INT || a === V_BOOL) pairs.store(r.buf, start, end, { key: info.key, a, arg: b.values[b.valueInts - 1]!, bytes: budget.used - used });
    }
    keys[n] = info.key;
    return n + 1;
  }
}
