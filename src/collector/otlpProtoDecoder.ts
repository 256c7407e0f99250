import type { AttrValue } from '../protocol/spanView';
import { DecodeError, spanProblem, type DecodeContext, type DecodedBatch } from './decodedBatch';
import { arrayAttr } from './otlpJsonDecoder';
import type { PackedOrigin } from './packedBatch';
import { ProtoReader } from './protoReader';
import { F_KIND, F_MESSAGE, F_NAME, F_ORIGIN, F_PARENT, F_SHAPE, F_SPAN, F_STATUS, F_TRACE, IndexBuilder, materialize, NONE, SAME, SPAN_INTS, V_BOOL, V_DICT, V_INT, V_OTHER, type SpanIndex } from './spanIndex';
import type { KeyInfo } from './stringPool';
import type { EventRecord } from './spanRecord';

const MAX_DEPTH = 16;

/**
 * Decodes a protobuf ExportTraceServiceRequest into span records, in place: the index of the body,
 * then its records. Throws DecodeError when the bytes are not a well-formed message; spans with
 * invalid content are counted as rejected.
 */
export function decodeOtlpProto(buf: Buffer, ctx: DecodeContext): DecodedBatch {
  return materialize(indexOtlpProto(buf, ctx), buf, ctx.dict, ctx);
}

/**
 * Reads a protobuf ExportTraceServiceRequest (field numbers from opentelemetry/proto/trace/v1/
 * trace.proto and common/v1/common.proto) into a span index over the same bytes; repeated strings
 * get ids in `ctx.dict`. Throws DecodeError when the bytes are not a well-formed message.
 */
export function indexOtlpProto(buf: Buffer, ctx: DecodeContext): SpanIndex {
  if (ctx.dict.full) ctx.clear();
  const r = new ProtoReader(buf);
  const d = new ProtoSpanIndexer(r, ctx);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === ((1 << 3) | 2)) {
      const end = r.lengthEnd();
      d.resourceSpans(end);
      r.pos = end;
    } else r.skip(tag & 7);
  }
  return d.finish();
}

class ProtoSpanIndexer {
  private readonly b = new IndexBuilder();
  private readonly origins: PackedOrigin[] = [];
  private readonly events: [number, EventRecord[]][] = [];
  private rejected = 0;
  private firstError = '';
  private readonly keys: string[] = [];
  // Where the trace id and parent id of the last indexed span were: equal bytes are marked SAME.
  private lastTrace = -1;
  private lastParent = -1;
  /** The value the last `keyValue` decoded (not indexed). */
  private value: AttrValue | undefined;

  constructor(
    private readonly r: ProtoReader,
    private readonly ctx: DecodeContext,
  ) {}

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
    let rKeys: string[] = [];
    let rValues: AttrValue[] = [];
    // Scope spans may come before the resource on the wire: remember their ranges, decode after.
    const scopeRanges: number[] = [];
    this.withEnd(end, () => {
      while (r.pos < end) {
        const tag = r.varint();
        if (tag === ((1 << 3) | 2)) {
          const e = r.lengthEnd();
          [rKeys, rValues] = this.withEnd(e, () => this.resource(e));
          r.pos = e;
        } else if (tag === ((2 << 3) | 2)) {
          const e = r.lengthEnd();
          scopeRanges.push(r.pos, e);
          r.pos = e;
        } else r.skip(tag & 7);
      }
    });
    for (let i = 0; i < scopeRanges.length; i += 2) {
      r.pos = scopeRanges[i]!;
      const e = scopeRanges[i + 1]!;
      this.withEnd(e, () => this.scopeSpans(e, rKeys, rValues));
    }
  }

  private resource(end: number): [string[], AttrValue[]] {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, 0);
      else r.skip(tag & 7);
    }
    return [this.ctx.shapes.share(keys, keys.length), values];
  }

  private scopeSpans(end: number, rKeys: string[], rValues: AttrValue[]): void {
    const r = this.r;
    let scopeName = '';
    let scopeVersion = '';
    const spanRanges: number[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        this.withEnd(e, () => {
          while (r.pos < e) {
            const t = r.varint();
            if (t === ((1 << 3) | 2)) scopeName = r.string();
            else if (t === ((2 << 3) | 2)) scopeVersion = r.string();
            else r.skip(t & 7);
          }
        });
        r.pos = e;
      } else if (tag === ((2 << 3) | 2)) {
        const e = r.lengthEnd();
        spanRanges.push(r.pos, e);
        r.pos = e;
      } else r.skip(tag & 7);
    }
    const origin = this.origins.push({ resourceKeys: rKeys, resourceValues: rValues, scopeName, scopeVersion }) - 1;
    for (let i = 0; i < spanRanges.length; i += 2) {
      r.pos = spanRanges[i]!;
      const e = spanRanges[i + 1]!;
      const saved = r.end;
      r.end = e;
      this.span(e, origin);
      r.end = saved;
      r.pos = e;
    }
  }

  finish(): SpanIndex {
    const b = this.b;
    return {
      spans: b.spans.subarray(0, b.count * SPAN_INTS),
      times: b.times.subarray(0, b.count * 2),
      values: b.values.subarray(0, b.valueInts),
      other: b.other,
      origins: this.origins,
      events: this.events,
      generation: this.ctx.dict.generation,
      rejected: this.rejected,
      firstError: this.firstError,
    };
  }

  /** Reads a length-delimited id; returns its offset, or -1 - length when it is not `bytes` long or all zero. */
  private id(bytes: number): number {
    const r = this.r;
    const e = r.lengthEnd();
    const s = r.pos;
    r.pos = e;
    if (e - s !== bytes) return -1 - (e - s);
    const buf = r.buf;
    for (let i = s; i < e; i++) if (buf[i] !== 0) return s;
    return -1 - bytes;
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
    let startMs = 0;
    let endMs = 0;
    let status = 0;
    let statusMessage = '';
    let events: EventRecord[] | undefined;
    const keys = this.keys;
    const valuesFrom = b.valueInts;
    let n = 0;
    while (r.pos < end) {
      const tag = r.varint();
      switch (tag) {
        case (1 << 3) | 2:
          trace = this.id(16);
          break;
        case (2 << 3) | 2:
          span = this.id(8);
          break;
        case (4 << 3) | 2: {
          const e = r.lengthEnd();
          parent = e === r.pos ? -1 : e - r.pos === 8 ? r.pos : -1 - (e - r.pos);
          r.pos = e;
          break;
        }
        case (5 << 3) | 2: {
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
        case (6 << 3) | 0:
          kind = r.varint();
          break;
        case (7 << 3) | 1:
          startMs = r.fixed64NanosToMs();
          break;
        case (8 << 3) | 1:
          endMs = r.fixed64NanosToMs();
          break;
        case (9 << 3) | 2: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          n = this.spanAttribute(e, keys, n);
          r.end = saved;
          r.pos = e;
          break;
        }
        case (11 << 3) | 2: {
          const e = r.lengthEnd();
          (events ??= []).push(this.withEnd(e, () => this.event(e)));
          r.pos = e;
          break;
        }
        case (15 << 3) | 2: {
          const e = r.lengthEnd();
          this.withEnd(e, () => {
            while (r.pos < e) {
              const t = r.varint();
              if (t === ((2 << 3) | 2)) statusMessage = r.string();
              else if (t === ((3 << 3) | 0)) status = r.varint();
              else r.skip(t & 7);
            }
          });
          r.pos = e;
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    let problem = '';
    if (trace < 0) problem = 'traceId must be 16 bytes, not all zero';
    else if (span < 0) problem = 'spanId must be 8 bytes, not all zero';
    else if (parent < -1) problem = 'parentSpanId must be empty or 8 bytes';
    if (!problem) problem = spanProblem(startMs, endMs);
    if (problem) {
      b.valueInts = valuesFrom;
      if (this.rejected++ === 0) this.firstError = `span ${b.count + this.rejected - 1}: ${problem}`;
      return;
    }
    const o = b.openSpan();
    const spans = b.spans;
    if (this.lastTrace >= 0 && this.sameBytes(this.lastTrace, trace, 16)) spans[o + F_TRACE] = SAME;
    else spans[o + F_TRACE] = this.lastTrace = trace;
    spans[o + F_SPAN] = span;
    if (parent < 0) spans[o + F_PARENT] = NONE;
    else if (this.lastParent >= 0 && this.sameBytes(this.lastParent, parent, 8)) spans[o + F_PARENT] = SAME;
    else spans[o + F_PARENT] = this.lastParent = parent;
    spans[o + F_NAME] = nameA;
    spans[o + F_NAME + 1] = nameB;
    spans[o + F_STATUS] = status;
    spans[o + F_KIND] = kind;
    spans[o + F_MESSAGE] = statusMessage ? b.keep(statusMessage) : NONE;
    spans[o + F_SHAPE] = n === 0 ? NONE : ctx.dict.shapeId(ctx.shapes.share(keys, n));
    spans[o + F_ORIGIN] = origin;
    b.times[b.count * 2] = startMs;
    b.times[b.count * 2 + 1] = endMs;
    if (events) this.events.push([b.count, events]);
    b.count++;
  }

  /** Reads an attribute key; repeated keys come from the byte cache. */
  private key(): KeyInfo {
    const r = this.r;
    const ctx = this.ctx;
    const e = r.lengthEnd();
    let info = ctx.keyBytes.get(r.buf, r.pos, e);
    if (info === undefined) {
      info = ctx.pool.key(r.utf8(r.pos, e));
      ctx.keyBytes.store(r.buf, r.pos, e, info);
    }
    r.pos = e;
    return info;
  }

  /** Indexes one span attribute (a KeyValue, the reader's end set to `end`) as key `n`; returns the new count. */
  private spanAttribute(end: number, keys: string[], n: number): number {
    const info = this.keyValue(end, true, 0);
    if (info === undefined) return n;
    keys[n] = info.key;
    return n + 1;
  }

  /**
   * Reads one KeyValue (the reader's end set to `end`): returns its key, its value indexed (`index`)
   * or decoded into `this.value`; undefined (and nothing indexed) when the key or value is missing.
   */
  private keyValue(end: number, index: boolean, depth: number): KeyInfo | undefined {
    const r = this.r;
    const b = this.b;
    const mark = b.valueInts;
    let info: KeyInfo | undefined;
    let hasValue = false;
    this.value = undefined;
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) info = this.key();
      else if (tag === ((2 << 3) | 2)) {
        const e = r.lengthEnd();
        r.end = e;
        if (index) {
          b.valueInts = mark;
          this.indexValue(e, info);
        } else this.value = this.anyValue(e, depth, info);
        hasValue = index || this.value !== undefined;
        r.end = end;
        r.pos = e;
      } else r.skip(tag & 7);
    }
    if (info !== undefined && hasValue) return info;
    if (index) b.valueInts = mark;
    return undefined;
  }

  /** Indexes an AnyValue as one value pair (strings of the body by range or id; small integers as they are). */
  private indexValue(end: number, info: KeyInfo | undefined): void {
    const r = this.r;
    const b = this.b;
    let a = 0;
    let arg = 0;
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        const s = r.pos;
        r.pos = e;
        a = s;
        arg = e - s;
        if (info !== undefined && info.values !== undefined) {
          const ctx = this.ctx;
          const known = ctx.valueIds.get(r.buf, s, e);
          if (known !== undefined) {
            a = V_DICT;
            arg = known;
          } else {
            const v = ctx.pool.value(info, r.utf8(s, e));
            if (ctx.pool.isShared(v, info)) {
              a = V_DICT;
              arg = ctx.dict.id(v);
              ctx.valueIds.store(r.buf, s, e, arg);
            }
          }
        }
      } else if (tag === ((2 << 3) | 0)) {
        a = V_BOOL;
        arg = r.varint() !== 0 ? 1 : 0;
      } else if (tag === ((3 << 3) | 0)) {
        const v = r.int64();
        if (typeof v === 'number' && (v | 0) === v) {
          a = V_INT;
          arg = v;
        } else {
          a = V_OTHER;
          arg = b.keep(v);
        }
      } else {
        // Doubles, arrays, lists and bytes: decoded whole and kept as they are.
        r.pos -= varintLength(tag);
        const v = this.anyValue(end, 0, info);
        a = V_OTHER;
        arg = b.keep(v ?? '');
        break;
      }
    }
    b.pushValue(a, arg);
  }

  private event(end: number): EventRecord {
    const r = this.r;
    let timeMs = 0;
    let name = '';
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 1)) timeMs = r.fixed64NanosToMs();
      else if (tag === ((2 << 3) | 2)) name = this.ctx.pool.intern(r.string());
      else if (tag === ((3 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, 0);
      else r.skip(tag & 7);
    }
    return { name, timeMs, keys: this.ctx.shapes.share(keys, keys.length), values };
  }

  /** Decodes one KeyValue ending at `end` and appends it (no-op when its value is empty). */
  private keyValueInto(end: number, keys: string[], values: AttrValue[], depth: number): void {
    const saved = this.r.end;
    this.r.end = end;
    const n = this.keyValueAt(end, keys, values, keys.length, depth);
    this.r.end = saved;
    keys.length = n;
    values.length = n;
    this.r.pos = end;
  }

  /** Decodes one KeyValue (the reader's end already set to `end`) into slot `n`; returns the new count. */
  private keyValueAt(end: number, keys: string[], values: AttrValue[], n: number, depth: number): number {
    const info = this.keyValue(end, false, depth);
    if (info === undefined) return n;
    keys[n] = info.key;
    values[n] = this.value!;
    return n + 1;
  }

  /** A string value; repeated values of low-cardinality keys come from the byte cache. */
  private stringValue(info: KeyInfo | undefined): string {
    const r = this.r;
    const e = r.lengthEnd();
    const s = r.pos;
    r.pos = e;
    if (info === undefined || info.values === undefined) return r.utf8(s, e);
    const ctx = this.ctx;
    const known = ctx.valueBytes.get(r.buf, s, e);
    if (known !== undefined) return known;
    const v = ctx.pool.value(info, r.utf8(s, e));
    if (info.values !== undefined) ctx.valueBytes.store(r.buf, s, e, v);
    return v;
  }

  private anyValue(end: number, depth: number, info?: KeyInfo): AttrValue | undefined {
    const r = this.r;
    let v: AttrValue | undefined = '';
    while (r.pos < end) {
      const tag = r.varint();
      switch (tag) {
        case (1 << 3) | 2:
          v = this.stringValue(info);
          break;
        case (2 << 3) | 0:
          v = r.varint() !== 0;
          break;
        case (3 << 3) | 0:
          v = r.int64();
          break;
        case (4 << 3) | 1:
          v = r.double();
          break;
        case (5 << 3) | 2:
        case (6 << 3) | 2: {
          const e = r.lengthEnd();
          if (depth >= MAX_DEPTH) throw new DecodeError('attribute values nested too deeply');
          r.end = e;
          v = tag === ((5 << 3) | 2) ? this.arrayValue(e, depth + 1) : this.kvList(e, depth + 1);
          r.end = end;
          r.pos = e;
          break;
        }
        case (7 << 3) | 2: {
          const e = r.lengthEnd();
          v = r.buf.toString('base64', r.pos, e);
          r.pos = e;
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    return v;
  }

  private arrayValue(end: number, depth: number): AttrValue {
    const r = this.r;
    const vals: (AttrValue | undefined)[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        r.end = e;
        vals.push(this.anyValue(e, depth));
        r.end = end;
        r.pos = e;
      } else r.skip(tag & 7);
    }
    return arrayAttr(vals);
  }

  private kvList(end: number, depth: number): string {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, depth);
      else r.skip(tag & 7);
    }
    const o: Record<string, AttrValue> = {};
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = values[i]!;
    return JSON.stringify(o);
  }
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
