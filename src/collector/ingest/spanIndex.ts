import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext, DecodedBatch } from '../store/decodedBatch';
import type { DictionaryView } from '../store/idDictionary';
import { EMPTY_VALUE } from '../store/otlpValues';
import { adoptableText, adoptableSlab, LARGE_TEXT_FROM, largeTextOfRange, type StoredValue, type TextSlab } from '../store/largeText';
import type { OriginParts as PackedOrigin } from '../store/spanRecord';
import type { NodeBufferSlices } from './protoReader';
import { packBits, shareExtraStrings, SLAB_SPANS, SLAB_WORDS, SpanRecord, type SpanExtra } from '../store/spanRecord';

/**
 * The spans of one protobuf body as integers: where in the body each id and one-off string is,
 * and dictionary ids for what repeats. Reading the body (tags, lengths, caches, checks) makes the
 * index — on a decode worker, or in place; making the records from it (`materialize`) is left for
 * the thread that stores them, and costs little more than the records themselves. Nothing but
 * integers and the few strings that are new to the dictionary crosses between threads.
 */
export interface SpanIndex {
  /** SPAN_INTS integers per span (the F_* offsets). */
  spans: Int32Array;
  /** Start and end per span: SLAB_WORDS words (low, high of each, in nanoseconds). */
  times: Uint32Array;
  /** Two integers per attribute value, encoded as `valueAt` reads them. */
  values: Int32Array;
  /** Values that are neither strings of the body nor small integers: numbers, arrays, messages. */
  other: AttrValue[];
  origins: PackedOrigin[];
  /** The rare parts (events, links, status message, …) of the spans that have them: [span index, extra]. */
  extras: [number, SpanExtra][];
  /** The dictionary generation the ids belong to. */
  generation: number;
  /**
   * Ids are the lowercase hex text of OTLP/JSON (32 and 16 characters at their offsets), not the
   * protobuf's bytes (16 and 8).
   */
  idText?: boolean;
  rejected: number;
  firstError: string;
  /**
   * The bytes of the large string values, moved out of the body by the large bodies' worker
   * (`moveLargeValues` in largeValues.ts): each a [V_LARGE, length] pair in `values`, its bytes next
   * in these buffers at 8-byte steps (the next buffer when it does not fit in the rest of one). The
   * store keeps each buffer as a slab of its own, so the thread that stores never copies them.
   */
  large?: ArrayBuffer[];
}

/** Offset of the trace id's 16 bytes (32 characters of hex text), or SAME for the previous span's trace. */
export const F_TRACE = 0;
/** Offset of the span id's 8 bytes. */
export const F_SPAN = 1;
/** Offset of the parent id's 8 bytes; NONE for a root span, SAME for the previous parent. */
export const F_PARENT = 2;
/** The name, as a value pair (see `valueAt`). */
export const F_NAME = 3;
export const F_STATUS = 5;
export const F_KIND = 6;
/** OTLP span flags (uint32, stored as int32). */
export const F_FLAGS = 7;
/** Key list id; NONE without attributes. */
export const F_SHAPE = 8;
export const F_ORIGIN = 9;
export const SPAN_INTS = 10;

export const NONE = -1;
export const SAME = -2;

/**
 * Value pairs: [offset ≥ 0, length ≥ 0] a UTF-8 range of the body, [offset ≥ 0, -1 - length] a
 * range the indexer found to be all ASCII (made into a string as Latin-1, without UTF-8 decoding),
 * or [tag < 0, argument].
 */
export const V_DICT = -1;
export const V_OTHER = -2;
export const V_INT = -3;
export const V_BOOL = -4;
/** An AnyValue with nothing set. */
export const V_EMPTY = -5;
/** A large string whose bytes are in the index's `large` buffer: [V_LARGE, its UTF-8 length]. */
export const V_LARGE = -6;

/** The buffers of an index, for postMessage's transfer list. */
export function indexTransfers(ix: SpanIndex): ArrayBuffer[] {
  const out = [ix.spans.buffer as ArrayBuffer, ix.times.buffer as ArrayBuffer, ix.values.buffer as ArrayBuffer];
  if (ix.large) out.push(...ix.large);
  return out;
}

/** Growable typed arrays for building an index. */
export class IndexBuilder {
  spans: Int32Array;
  times = new Uint32Array(256 * SLAB_WORDS);
  values: Int32Array;
  /**
   * `valueInts`: room for that many value integers to begin with (they are not kept once the records
   * are made). `scratch`: the span and value arrays of an index that is read and dropped on this
   * thread (decoded in place) are taken from it and given back to it as they grow, so that a body
   * allocates no such arrays (nor their zeroing). Every integer of a span and value is written
   * before it is read. The time words are kept by the records: always new.
   */
  constructor(
    valueInts = 4096,
    private readonly scratch?: IndexScratch,
  ) {
    this.spans = scratch?.spans ?? new Int32Array(256 * SPAN_INTS);
    this.values = scratch?.values && scratch.values.length >= valueInts ? scratch.values : new Int32Array(valueInts);
  }
  count = 0;
  valueInts = 0;
  readonly other: AttrValue[] = [];

  /** Starts a span; returns the offset of its integers. */
  openSpan(): number {
    // Checked apart: reused span integers may have room that the new time words do not.
    if ((this.count + 1) * SPAN_INTS > this.spans.length) {
      const spans = new Int32Array(this.spans.length * 2);
      spans.set(this.spans);
      this.spans = spans;
      if (this.scratch) this.scratch.spans = spans;
    }
    if ((this.count + 1) * SLAB_WORDS > this.times.length) {
      const times = new Uint32Array(this.times.length * 2);
      times.set(this.times);
      this.times = times;
    }
    return this.count * SPAN_INTS;
  }

  pushValue(a: number, b: number): void {
    if (this.valueInts + 2 > this.values.length) {
      const values = new Int32Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
      if (this.scratch) this.scratch.values = values;
    }
    this.values[this.valueInts++] = a;
    this.values[this.valueInts++] = b;
  }

  /** Index of a value kept as it is. */
  keep(v: AttrValue): number {
    return this.other.push(v) - 1;
  }

  /**
   * Writes the fields every span has into the span at `o` (its ids already written) and its
   * times; codes that do not fit the packed bits are marked 255 (the decoder keeps them in `extra`).
   */
  writeFields(o: number, nameA: number, nameB: number, status: number, kind: number, flags: number, shape: number, origin: number, times: Uint32Array): void {
    const spans = this.spans;
    spans[o + F_NAME] = nameA;
    spans[o + F_NAME + 1] = nameB;
    spans[o + F_STATUS] = status >>> 0 === status && status < 4 ? status : 255;
    spans[o + F_KIND] = kind >>> 0 === kind && kind < 8 ? kind : 255;
    spans[o + F_FLAGS] = flags | 0;
    spans[o + F_SHAPE] = shape;
    spans[o + F_ORIGIN] = origin;
    const t = this.count * SLAB_WORDS;
    this.times[t] = times[0]!;
    this.times[t + 1] = times[1]!;
    this.times[t + 2] = times[2]!;
    this.times[t + 3] = times[3]!;
  }

  /** The index of the spans written so far, with the decoder's own parts. */
  index(parts: Pick<SpanIndex, 'origins' | 'extras' | 'generation' | 'idText' | 'rejected' | 'firstError'>): SpanIndex {
    return {
      spans: this.spans.subarray(0, this.count * SPAN_INTS),
      times: this.times.subarray(0, this.count * SLAB_WORDS),
      values: this.values.subarray(0, this.valueInts),
      other: this.other,
      ...parts,
    };
  }
}

/** Span and value arrays kept for the next in-place decode (see IndexBuilder). */
export interface IndexScratch {
  spans?: Int32Array;
  values?: Int32Array;
}

export class IndexError extends Error {}

/**
 * Makes the records of an index over `body` (the same bytes it was made from), with ids resolved
 * in `dict`. Every offset and id is checked: an index from a worker that is wrong throws, and the
 * caller decodes the body in place instead.
 */
export function materialize(ix: SpanIndex, body: Buffer, dict: DictionaryView, ctx: DecodeContext): DecodedBatch {
  const count = spanCount(ix, dict);
  const { spans, times, values } = ix;
  // Sliced without Node's argument checks: every range is checked here first.
  const slices = body as unknown as NodeBufferSlices;
  const len = body.length;
  const strings = dict.strings;
  const shapes = dict.shapes;
  const origins = ix.origins.map((o) => unpackOrigin(o, ctx));
  // Every range was checked first (checkIndex): values are read without checks.
  checkIndex(ix, len, dict);
  const valueAt = valueReader(ix, body, dict);
  // Ids: raw bytes shown as hex (protobuf), or hex text sliced as it is (JSON).
  const traceLen = ix.idText ? 32 : 16;
  const spanLen = traceLen >> 1;
  const idSlice = ix.idText ? (a: number, b: number): string => slices.latin1Slice(a, b) : (a: number, b: number): string => slices.hexSlice(a, b);
  const out = new Array<SpanRecord>(count);
  const recent = new RecentIds(body, spanLen);
  let v = 0;
  let traceId = '';
  let parentId = '';
  // Records keep their times in slabs of SLAB_SPANS spans (views of the index's array): a span's
  // place in its slab must fit the bits it is packed in.
  let slab = times;
  for (let i = 0; i < count; i++) {
    const slot = i % SLAB_SPANS;
    if (slot === 0) slab = times.subarray(i * SLAB_WORDS, Math.min(count, i + SLAB_SPANS) * SLAB_WORDS);
    const o = i * SPAN_INTS;
    const t = spans[o + F_TRACE]!;
    if (t >= 0 && t + traceLen <= len) traceId = idSlice(t, t + traceLen);
    else if (t !== SAME || i === 0) throw new IndexError('span index: trace id out of range');
    const s = spans[o + F_SPAN]!;
    if (!(s >= 0 && s + spanLen <= len)) throw new IndexError('span index: span id out of range');
    const p = spans[o + F_PARENT]!;
    let parent = '';
    if (p >= 0 && p + spanLen <= len) parent = parentId = recent.find(p) ?? recent.add(p, idSlice(p, p + spanLen));
    else if (p === SAME && parentId !== '') parent = parentId;
    else if (p !== NONE) throw new IndexError('span index: parent id out of range');
    const nameValue = spans[o + F_NAME]!;
    const nameArg = spans[o + F_NAME + 1]!;
    const name = nameValue === V_DICT ? strings[nameArg] : nameValue >= 0 && nameArg >= 0 && nameValue + nameArg <= len ? slices.utf8Slice(nameValue, nameValue + nameArg) : undefined;
    if (name === undefined) throw new IndexError('span index: name out of range');
    const shapeId = spans[o + F_SHAPE]!;
    const keys = shapeId === NONE ? EMPTY_KEYS : shapes[shapeId];
    if (keys === undefined) throw new IndexError('span index: key list out of range');
    const n = keys.length;
    if (v + 2 * n > values.length) throw new IndexError('span index: too few values');
    const vals = n === 0 ? EMPTY_VALUES : new Array<StoredValue>(n);
    for (let a = 0; a < n; a++, v += 2) vals[a] = valueAt(v);
    const origin = origins[spans[o + F_ORIGIN]!];
    if (origin === undefined) throw new IndexError('span index: origin out of range');
    const bits = packBits(slot, spans[o + F_STATUS]!, spans[o + F_KIND]!, spans[o + F_FLAGS]! >>> 0);
    out[i] = new SpanRecord(traceId, recent.find(s) ?? idSlice(s, s + spanLen), parent, name, slab, bits, keys, vals, origin, undefined);
  }
  if (v !== values.length) throw new IndexError('span index: too many values');
  attachExtras(out, ix.extras, ctx);
  return { spans: out, rejected: ix.rejected, firstError: ix.firstError };
}

/** Parent ids remembered per batch (a power of two). */
const RECENT_IDS = 4;

/**
 * The last few parent ids of a batch, by where their bytes are in the body: a parent named again
 * (by spans that are not next to each other), and a parent's own span (exporters send children
 * before their parent, as they end first) take the string already made — one string per id in the
 * store, not one per mention, and no hex text made again.
 */
class RecentIds {
  private readonly at = new Int32Array(RECENT_IDS).fill(-1);
  private readonly ids: string[] = ['', '', '', ''];
  private next = 0;
  constructor(
    private readonly body: Buffer,
    private readonly n: number,
  ) {}

  /** The string of an id whose bytes (at `a`) equal a remembered one's, or undefined. */
  find(a: number): string | undefined {
    const body = this.body;
    const n = this.n;
    for (let k = 0; k < RECENT_IDS; k++) {
      const b = this.at[k]!;
      if (b < 0) continue;
      // From the end: ids of one trace tend to differ in their last bytes.
      let i = n - 1;
      while (i >= 0 && body[a + i] === body[b + i]) i--;
      if (i < 0) return this.ids[k];
    }
    return undefined;
  }

  add(a: number, id: string): string {
    const k = this.next;
    this.at[k] = a;
    this.ids[k] = id;
    this.next = (k + 1) & (RECENT_IDS - 1);
    return id;
  }
}

/** The key list of a span without attributes (shared). */
export const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: StoredValue[] = [];

/** The store's shared origin for a packed one (keys interned in the store's tables). */
export function unpackOrigin(o: PackedOrigin, ctx: DecodeContext): ReturnType<DecodeContext['origin']> {
  const keys = o.resourceKeys.map((k) => ctx.pool.key(String(k)).key);
  const scopeKeys = o.scopeKeys.map((k) => ctx.pool.key(String(k)).key);
  return ctx.origin({ ...o, resourceKeys: ctx.shapes.share(keys, keys.length), scopeKeys: ctx.shapes.share(scopeKeys, scopeKeys.length), scopeName: String(o.scopeName), scopeVersion: String(o.scopeVersion) });
}

/**
 * The number of spans of an index whose arrays agree with each other and with `dict` (what both of
 * its readers, records and rows, check first).
 */
export function spanCount(ix: SpanIndex, dict: DictionaryView): number {
  if (ix.generation !== dict.generation) throw new IndexError('span index: dictionary out of step');
  const count = ix.spans.length / SPAN_INTS;
  if (!Number.isInteger(count) || ix.times.length !== count * SLAB_WORDS) throw new IndexError('span index: arrays of unequal length');
  return count;
}

/** A span's rare parts with their strings in the store's tables (event names, trace states). */
export function shareExtra(x: SpanExtra, traceId: string, ctx: DecodeContext): SpanExtra {
  if (x.events) x.events = x.events.map((e) => ({ ...e, name: ctx.pool.intern(String(e.name)) }));
  shareExtraStrings(x, traceId, (s) => ctx.traceState(s));
  return x;
}

/** Gives records the rare parts decoded with them (event names interned in the store's tables). */
export function attachExtras(out: SpanRecord[], extras: [number, SpanExtra][], ctx: DecodeContext): void {
  for (const [i, x] of extras) {
    const rec = out[i];
    if (!rec) throw new IndexError('span index: extra out of range');
    rec.extra = shareExtra(x, rec.traceId, ctx);
  }
}

/** Every range, id and count of an index checked against its body and dictionary (see materialize). */
export function checkIndex(ix: SpanIndex, len: number, dict: DictionaryView): void {
  const { spans, values, other } = ix;
  const count = spans.length / SPAN_INTS;
  const traceLen = ix.idText ? 32 : 16;
  const spanLen = traceLen >> 1;
  const strings = dict.strings;
  const largeLeft = (ix.large ?? []).map((b) => b.byteLength);
  let home = 0;
  let largeAt = 0;
  let parentSeen = false;
  let v = 0;
  for (let i = 0; i < count; i++) {
    const o = i * SPAN_INTS;
    const t = spans[o + F_TRACE]!;
    if (!(t >= 0 && t + traceLen <= len) && !(t === SAME && i > 0)) throw new IndexError('span index: trace id out of range');
    const s = spans[o + F_SPAN]!;
    if (!(s >= 0 && s + spanLen <= len)) throw new IndexError('span index: span id out of range');
    const p = spans[o + F_PARENT]!;
    if (p >= 0 && p + spanLen <= len) parentSeen = true;
    else if (!(p === NONE || (p === SAME && parentSeen))) throw new IndexError('span index: parent id out of range');
    const nameValue = spans[o + F_NAME]!;
    const nameArg = spans[o + F_NAME + 1]!;
    if (!(nameValue === V_DICT ? strings[nameArg] !== undefined : nameValue >= 0 && nameArg >= 0 && nameValue + nameArg <= len)) throw new IndexError('span index: name out of range');
    const shapeId = spans[o + F_SHAPE]!;
    const keys = shapeId === NONE ? EMPTY_KEYS : dict.shapes[shapeId];
    if (keys === undefined) throw new IndexError('span index: key list out of range');
    if (v + 2 * keys.length > values.length) throw new IndexError('span index: too few values');
    for (let a = 0; a < keys.length; a++, v += 2) {
      const x = values[v]!;
      const y = values[v + 1]!;
      if (x >= 0) {
        if (x + (y < 0 ? -1 - y : y) > len) throw new IndexError('span index: string out of range');
      } else if (x === V_LARGE) {
        if (home < largeLeft.length && y >= 0 && largeAt + y > largeLeft[home]!) {
          home++;
          largeAt = 0;
        }
        if (home >= largeLeft.length || y < 0 || largeAt + y > largeLeft[home]!) throw new IndexError('span index: large value out of range');
        largeAt += (y + 7) & ~7;
      } else if (x === V_DICT ? strings[y] === undefined : x === V_OTHER ? other[y] === undefined : x !== V_INT && x !== V_BOOL && x !== V_EMPTY) {
        throw new IndexError('span index: value out of range');
      }
    }
    if (!(spans[o + F_ORIGIN]! >= 0 && spans[o + F_ORIGIN]! < ix.origins.length)) throw new IndexError('span index: origin out of range');
  }
  if (v !== values.length) throw new IndexError('span index: too many values');
}

/**
 * Reads value pair `at` of an index (its values array) as a stored value: a string sliced from the
 * body (large ones as bytes off the heap), a large value moved out of the body into the buffers of
 * `ix.large` (they follow one another: read in order), or what the pair holds. Only for an index
 * `checkIndex` passed: nothing is checked here.
 */
export function valueReader(ix: SpanIndex, body: Buffer, dict: DictionaryView): (at: number) => StoredValue {
  const { values, other } = ix;
  const slices = body as unknown as NodeBufferSlices;
  const strings = dict.strings;
  const homes: TextSlab[] = (ix.large ?? []).map(adoptableSlab);
  let home: TextSlab | undefined = homes[0];
  let homeAt = 0;
  let largeAt = 0;
  return (at: number): StoredValue => {
    const a = values[at]!;
    const b = values[at + 1]!;
    if (a >= 0) {
      const ascii = b < 0;
      const n = ascii ? -1 - b : b;
      if (n >= LARGE_TEXT_FROM) return largeTextOfRange(body, a, n);
      return ascii ? slices.latin1Slice(a, a + n) : slices.utf8Slice(a, a + n);
    }
    if (a === V_LARGE) {
      if (largeAt + b > home!.given) {
        home = homes[++homeAt];
        largeAt = 0;
      }
      const lt = adoptableText(home!, largeAt, b);
      largeAt += (b + 7) & ~7;
      return lt;
    }
    if (a === V_DICT) return strings[b]!;
    if (a === V_OTHER) return other[b]!;
    if (a === V_INT) return b;
    if (a === V_BOOL) return b !== 0;
    return EMPTY_VALUE;
  };
}
