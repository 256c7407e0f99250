import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext } from '../store/decodedBatch';
import { EMPTY_VALUE, intFromNumber, SpanBudget } from '../store/otlpValues';
import type { KeyInfo } from '../store/stringPool';
import type { EventRecord, LinkRecord } from '../store/spanRecord';
import { wordsToMsRest } from '../store/unixNano';
import type { ProtoReader } from './protoReader';
import { readAnyValue } from './protoAnyValue';
import { ANY_BOOL, ANY_INT, ANY_STRING, EVENT_ATTRIBUTES, EVENT_DROPPED, EVENT_NAME, EVENT_TIME, KEY_VALUE_KEY, KEY_VALUE_VALUE, LINK_ATTRIBUTES, LINK_DROPPED, LINK_FLAGS, LINK_SPAN_ID, LINK_TRACE_ID, LINK_TRACE_STATE } from './otlpProtoFields';
import { IndexBuilder, V_BOOL, V_DICT, V_EMPTY, V_INT, V_OTHER, type IndexScratch } from './spanIndex';

/**
 * The parts of a span that the protobuf span indexer (otlpProtoDecoder.ts) reads with their own
 * small grammars: ids, attribute keys and values (indexed over the body, or decoded), events and
 * links — under the caps of the span being read.
 */
export class ProtoSpanPartsIndexer {
  protected readonly b: IndexBuilder;
  /** The caps of the span being read (its attributes, events and links). */
  protected readonly budget: SpanBudget;
  /** Scratch words for an event's time. */
  private readonly words = new Uint32Array(2);
  /** The value the last `keyValue` decoded (not indexed). */
  private value: AttrValue = EMPTY_VALUE;

  constructor(
    protected readonly r: ProtoReader,
    protected readonly ctx: DecodeContext,
    scratch: IndexScratch | undefined,
  ) {
    this.b = new IndexBuilder(4096, scratch);
    this.budget = new SpanBudget(ctx.limits);
  }

  /** Reads a length-delimited id; returns its offset, or -1 - length when it is not `bytes` long or all zero. */
  protected id(bytes: number): number {
    const r = this.r;
    const e = r.lengthEnd();
    const s = r.pos;
    r.pos = e;
    if (e - s !== bytes) return -1 - (e - s);
    const buf = r.buf;
    for (let i = s; i < e; i++) if (buf[i] !== 0) return s;
    return -1 - bytes;
  }

  /** Reads an attribute key; repeated keys come from the byte cache. */
  protected key(): KeyInfo {
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

  /**
   * Reads one KeyValue (the reader's end set to `end`): returns its key, its value indexed (`index`)
   * or decoded into `this.value`; undefined (and nothing indexed) when the key is missing. A key
   * without a value has the empty value.
   */
  protected keyValue(end: number, index: boolean, budget: SpanBudget): KeyInfo | undefined {
    const r = this.r;
    const b = this.b;
    const mark = b.valueInts;
    let info: KeyInfo | undefined;
    let hasValue = false;
    this.value = EMPTY_VALUE;
    while (r.pos < end) {
      const t = r.varint();
      if (t === KEY_VALUE_KEY) info = this.key();
      else if (t === KEY_VALUE_VALUE) {
        const e = r.lengthEnd();
        r.end = e;
        if (index) {
          b.valueInts = mark;
          this.indexValue(e, info, budget);
        } else this.value = budget.value(readAnyValue(this.r, this.ctx, e, 0, info));
        hasValue = true;
        r.end = end;
        r.pos = e;
      } else r.skip(t & 7);
    }
    if (info === undefined) {
      if (index) b.valueInts = mark;
      return undefined;
    }
    if (index && !hasValue) b.pushValue(V_EMPTY, 0);
    return info;
  }

  /** Indexes an AnyValue as one value pair (strings of the body by range or id; small integers as they are). */
  protected indexValue(end: number, info: KeyInfo | undefined, budget: SpanBudget): void {
    const r = this.r;
    const b = this.b;
    let a = V_EMPTY;
    let arg = 0;
    while (r.pos < end) {
      const t = r.varint();
      if (t === ANY_STRING) {
        const e = r.lengthEnd();
        const s = r.pos;
        r.pos = e;
        a = s;
        arg = e - s;
        if (!budget.take(e - s)) {
          a = V_OTHER;
          arg = b.keep(budget.string(r.utf8(s, e), e - s));
        } else if (info !== undefined && this.ctx.pool.mayIntern(info, e - s)) {
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
      } else if (t === ANY_BOOL) {
        const v = r.varint() !== 0;
        if (budget.take(8)) {
          a = V_BOOL;
          arg = v ? 1 : 0;
        } else {
          a = V_OTHER;
          arg = b.keep(budget.scalar(v));
        }
      } else if (t === ANY_INT) {
        const v = r.int64();
        if (typeof v === 'number' && (v | 0) === v && budget.take(8)) {
          a = V_INT;
          arg = v;
        } else {
          a = V_OTHER;
          arg = b.keep(budget.value(intFromNumber(v)));
        }
      } else {
        // Doubles, arrays, lists, bytes (and anything unknown): decoded whole and kept as they are.
        r.pos -= varintLength(t);
        a = V_OTHER;
        arg = b.keep(budget.value(readAnyValue(this.r, this.ctx, end, 0, info)));
        break;
      }
    }
    b.pushValue(a, arg);
  }

  protected event(end: number): EventRecord {
    const r = this.r;
    const words = this.words;
    words[0] = words[1] = 0;
    let name = '';
    let dropped = 0;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const t = r.varint();
      if (t === EVENT_TIME) r.fixed64Words(words, 0);
      else if (t === EVENT_NAME) name = this.ctx.pool.intern(r.string());
      else if (t === EVENT_ATTRIBUTES) this.keyValueInto(r.lengthEnd(), keys, values, this.budget);
      else if (t === EVENT_DROPPED) dropped = uint32(r.varint());
      else r.skip(t & 7);
    }
    const time = wordsToMsRest(words[0]!, words[1]!);
    // Exact-size copies: an array grown by push keeps spare room for as long as it is stored.
    return { name, timeMs: time.ms, timeRest: time.rest, keys: this.ctx.shapes.share(keys, keys.length), values: values.slice(), dropped };
  }

  /** A link; undefined when its ids are not valid (it is skipped, as in JSON). */
  protected link(end: number): LinkRecord | undefined {
    const r = this.r;
    let trace = -1;
    let span = -1;
    let traceState = '';
    let flags = 0;
    let dropped = 0;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const t = r.varint();
      if (t === LINK_TRACE_ID) trace = this.id(16);
      else if (t === LINK_SPAN_ID) span = this.id(8);
      else if (t === LINK_TRACE_STATE) traceState = r.string();
      else if (t === LINK_ATTRIBUTES) this.keyValueInto(r.lengthEnd(), keys, values, this.budget);
      else if (t === LINK_DROPPED) dropped = uint32(r.varint());
      else if (t === LINK_FLAGS) flags = r.fixed32();
      else r.skip(t & 7);
    }
    if (trace < 0 || span < 0) return undefined;
    const buf = r.buf;
    return { traceId: buf.toString('hex', trace, trace + 16), spanId: buf.toString('hex', span, span + 8), traceState, flags, keys: this.ctx.shapes.share(keys, keys.length), values: values.slice(), dropped };
  }

  /** Decodes one KeyValue ending at `end` and appends it (skipped when it has no key). */
  protected keyValueInto(end: number, keys: string[], values: AttrValue[], budget: SpanBudget): void {
    const saved = this.r.end;
    this.r.end = end;
    const info = this.keyValue(end, false, budget);
    this.r.end = saved;
    if (info !== undefined) {
      keys.push(info.key);
      values.push(this.value);
    }
    this.r.pos = end;
  }
}

/** A uint32 field's value (0 when a varint of another size came). */
export function uint32(v: number): number {
  return v >>> 0 === v ? v : 0;
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
