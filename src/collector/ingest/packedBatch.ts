import type { AttrTruncated, AttrValue } from '../../protocol/spanView';
import type { DecodeContext, DecodedBatch } from '../store/decodedBatch';
import { attachExtras, unpackOrigin } from './spanIndex';
import { packBits, SLAB_SPANS, SLAB_WORDS, SpanRecord, type OriginParts, type SpanExtra, type SpanOrigin } from '../store/spanRecord';
import type { KeyInfo } from '../store/stringPool';
import { fromStoredValue, isLargeString, LARGE_TEXT_FROM, LargeText, ownBytes, type StoredValue } from '../store/largeText';

/**
 * A decoded batch in the form that crosses from a decode worker to the store's thread: every
 * distinct string once, and the spans as rows of integers that point into it. Posting it costs a
 * copy of the strings and of a few typed arrays (transferred), not a structured clone of an object
 * per span — and unpacking on the store's thread is little more than making the records.
 */
export interface PackedBatch {
  /** The batch's distinct strings (ids, names, keys, values). */
  strings: string[];
  /** SPAN_FIELDS integers per span (see the F_* offsets). */
  spans: Int32Array;
  /** Start and end per span: SLAB_WORDS words (low, high of each, in nanoseconds). */
  times: Uint32Array;
  /** Per attribute value: ≥ 0 an index into `strings`, < 0 the index -1-v into `other`. */
  values: Int32Array;
  /** Attribute values that are not short strings (numbers, booleans, arrays, large strings as bytes). */
  other: (AttrValue | PackedLargeText)[];
  /** Key lists used by the batch's spans, as indices into `strings`. */
  shapes: number[][];
  origins: PackedOrigin[];
  /** The rare parts (events, links, status message, …) of the spans that have them: [span index, extra]. */
  extras: [number, SpanExtra][];
  rejected: number;
  firstError: string;
}

export type PackedOrigin = OriginParts;

/**
 * A large string value (or large kept start of a truncated one) as its UTF-8 bytes: made on the
 * worker and transferred, so the store's thread never holds it as a JS string (see largeText.ts).
 */
export interface PackedLargeText {
  kind: 'largeText';
  bytes: Uint8Array;
  /** -1 for a whole string, else the truncated value's original size. */
  truncatedLength: number;
}

function packLarge(v: AttrValue): PackedLargeText | undefined {
  const text = typeof v === 'string' ? v : typeof v === 'object' && !Array.isArray(v) && v.kind === 'truncated' ? v.value : undefined;
  if (text === undefined || !isLargeString(text)) return undefined;
  return { kind: 'largeText', bytes: ownBytes(text), truncatedLength: typeof v === 'string' ? -1 : (v as AttrTruncated).length };
}

function isPackedLarge(v: unknown): v is PackedLargeText {
  return typeof v === 'object' && v !== null && (v as PackedLargeText).kind === 'largeText' && (v as PackedLargeText).bytes instanceof Uint8Array;
}

/**
 * A packed batch's key lists on the store's thread: per shape, the store's shared key array and each
 * key's interning info.
 */
export function packedShapes(p: PackedBatch, ctx: DecodeContext): { shapeKeys: string[][]; shapeInfos: KeyInfo[][] } {
  const shapeKeys: string[][] = [];
  const shapeInfos: KeyInfo[][] = [];
  for (const shape of p.shapes) {
    const infos = shape.map((s) => ctx.pool.key(p.strings[s]!));
    const keys = infos.map((info) => info.key);
    shapeInfos.push(infos);
    shapeKeys.push(ctx.shapes.share(keys, keys.length));
  }
  return { shapeKeys, shapeInfos };
}

const F_TRACE = 0;
const F_SPAN = 1;
/** -1 for a root span. */
const F_PARENT = 2;
const F_NAME = 3;
const F_STATUS = 4;
const F_KIND = 5;
/** OTLP span flags (uint32, stored as int32). */
const F_FLAGS = 6;
const F_SHAPE = 7;
const F_ORIGIN = 8;
export const SPAN_FIELDS = 9;

/**
 * Packs a batch (in a decode worker); the records are not kept. `repeats(key)` tells whether the
 * values of an attribute key repeat (then they are stored once per batch); span ids and unique
 * values are added without a lookup.
 */
export function packBatch(batch: DecodedBatch, repeats: (key: string) => boolean = () => true): PackedBatch {
  const recs = batch.spans;
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const str = (s: string): number => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      stringIndex.set(s, i);
    }
    return i;
  };
  const once = (s: string): number => strings.push(s) - 1;
  // Consecutive spans mostly share their trace id and, siblings, their parent id.
  let lastTrace = '';
  let lastTraceAt = -1;
  let lastParent = '';
  let lastParentAt = -1;
  const shapes: number[][] = [];
  const shapeRepeats: boolean[][] = [];
  const shapeIndex = new Map<string[], number>();
  const origins: PackedOrigin[] = [];
  const originIndex = new Map<SpanOrigin, number>();
  const extras: [number, SpanExtra][] = [];
  const other: (AttrValue | PackedLargeText)[] = [];
  let valueCount = 0;
  for (let i = 0; i < recs.length; i++) valueCount += recs[i]!.values.length;
  const spans = new Int32Array(recs.length * SPAN_FIELDS);
  const times = new Uint32Array(recs.length * SLAB_WORDS);
  const values = new Int32Array(valueCount);
  let v = 0;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    const o = i * SPAN_FIELDS;
    if (r.traceId !== lastTrace || lastTraceAt < 0) {
      lastTrace = r.traceId;
      lastTraceAt = str(r.traceId);
    }
    spans[o + F_TRACE] = lastTraceAt;
    spans[o + F_SPAN] = once(r.spanId);
    if (!r.parentSpanId) spans[o + F_PARENT] = -1;
    else {
      if (r.parentSpanId !== lastParent || lastParentAt < 0) {
        lastParent = r.parentSpanId;
        lastParentAt = str(r.parentSpanId);
      }
      spans[o + F_PARENT] = lastParentAt;
    }
    spans[o + F_NAME] = str(r.name);
    spans[o + F_STATUS] = r.status < 4 ? r.status : 255;
    spans[o + F_KIND] = r.spanKind < 8 ? r.spanKind : 255;
    spans[o + F_FLAGS] = r.flags | 0;
    // Decoders share one keys array between spans of the same key list: one shape per array.
    let shape = shapeIndex.get(r.keys);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push(r.keys.map(str));
      shapeRepeats.push(r.keys.map(repeats));
      shapeIndex.set(r.keys, shape);
    }
    const dedupe = shapeRepeats[shape]!;
    spans[o + F_SHAPE] = shape;
    let origin = originIndex.get(r.origin);
    if (origin === undefined) {
      origin = origins.length;
      const { serviceName: _, ...parts } = r.origin;
      origins.push(parts);
      originIndex.set(r.origin, origin);
    }
    spans[o + F_ORIGIN] = origin;
    r.copyTimes(times, i * SLAB_WORDS);
    const vals = r.values;
    for (let a = 0; a < vals.length; a++) {
      // Decoded records hold no off-heap values (the store makes them), but the type allows them.
      const x = fromStoredValue(vals[a]!);
      const large = typeof x === 'string' && x.length < LARGE_TEXT_FROM / 3 ? undefined : packLarge(x);
      if (typeof x === 'string' && !large) values[v++] = dedupe[a] ? str(x) : once(x);
      else {
        values[v++] = -1 - other.length;
        other.push(large ?? x);
      }
    }
    if (r.extra) extras.push([i, r.extra]);
  }
  return { strings, spans, times, values, other, shapes, origins, extras, rejected: batch.rejected, firstError: batch.firstError };
}

/** The buffers of a packed batch, for postMessage's transfer list (large values' bytes each have their own). */
export function packedTransfers(p: PackedBatch): ArrayBuffer[] {
  const list = [p.spans.buffer as ArrayBuffer, p.times.buffer as ArrayBuffer, p.values.buffer as ArrayBuffer];
  for (const o of p.other) if (isPackedLarge(o)) list.push(o.bytes.buffer as ArrayBuffer);
  return list;
}

/**
 * Makes the records of a packed batch (on the store's thread), interning keys, names and repeated
 * values in the store's tables exactly as decoding in place would.
 */
export function unpackBatch(p: PackedBatch, ctx: DecodeContext): DecodedBatch {
  checkPacked(p);
  const { strings, spans, times, values } = p;
  // Large values' bytes become stored values as they are: no JS string on this thread.
  const other = unpackOther(p);
  const pool = ctx.pool;
  const count = spans.length / SPAN_FIELDS;
  const { shapeKeys, shapeInfos } = packedShapes(p, ctx);
  const origins = p.origins.map((o) => unpackOrigin(o, ctx));
  const names: (string | undefined)[] = [];
  const out: SpanRecord[] = new Array<SpanRecord>(count);
  let v = 0;
  let slab = times;
  for (let i = 0; i < count; i++) {
    const o = i * SPAN_FIELDS;
    const slot = i % SLAB_SPANS;
    if (slot === 0) slab = times.subarray(i * SLAB_WORDS, Math.min(count, i + SLAB_SPANS) * SLAB_WORDS);
    const nameAt = spans[o + F_NAME]!;
    const name = (names[nameAt] ??= pool.intern(strings[nameAt]!));
    const shape = spans[o + F_SHAPE]!;
    const infos = shapeInfos[shape]!;
    const vals: StoredValue[] = new Array<StoredValue>(infos.length);
    for (let a = 0; a < infos.length; a++) {
      const x = values[v++]!;
      vals[a] = x >= 0 ? pool.value(infos[a]!, strings[x]!) : other[-1 - x]!;
    }
    const parent = spans[o + F_PARENT]!;
    const bits = packBits(slot, spans[o + F_STATUS]!, spans[o + F_KIND]!, spans[o + F_FLAGS]! >>> 0);
    out[i] = new SpanRecord(strings[spans[o + F_TRACE]!]!, strings[spans[o + F_SPAN]!]!, parent < 0 ? '' : strings[parent]!, name, slab, bits, shapeKeys[shape]!, vals, origins[spans[o + F_ORIGIN]!]!, undefined);
  }
  attachExtras(out, p.extras, ctx);
  return { spans: out, rejected: p.rejected, firstError: p.firstError };
}

/** Where a packed span's fields are among its SPAN_FIELDS integers (for the chunk maker, packedChunks.ts). */
export const PACKED_FIELD = { trace: F_TRACE, span: F_SPAN, parent: F_PARENT, name: F_NAME, status: F_STATUS, kind: F_KIND, flags: F_FLAGS, shape: F_SHAPE, origin: F_ORIGIN } as const;

/** Stored values of a packed batch's `other` (large values' bytes as they are: no JS string on this thread). */
export function unpackOther(p: PackedBatch): StoredValue[] {
  return p.other.map((o) => (isPackedLarge(o) ? new LargeText(Buffer.from(o.bytes.buffer, o.bytes.byteOffset, o.bytes.byteLength), o.truncatedLength) : o));
}

/**
 * Checks that the indices of a packed batch point where they should: it comes from our own worker,
 * but a bug there must not put undefined into the store.
 */
export function checkPacked(p: PackedBatch): void {
  const n = p.strings.length;
  const count = p.spans.length / SPAN_FIELDS;
  if (!Number.isInteger(count) || p.times.length !== count * SLAB_WORDS) throw new Error('packed batch: span arrays of unequal length');
  let valueCount = 0;
  for (let i = 0; i < count; i++) {
    const o = i * SPAN_FIELDS;
    const s = p.spans;
    if (!(s[o + F_TRACE]! >= 0 && s[o + F_TRACE]! < n && s[o + F_SPAN]! >= 0 && s[o + F_SPAN]! < n && s[o + F_NAME]! >= 0 && s[o + F_NAME]! < n)) throw new Error('packed batch: string index out of range');
    if (!(s[o + F_PARENT]! >= -1 && s[o + F_PARENT]! < n)) throw new Error('packed batch: string index out of range');
    const shape = p.shapes[p.spans[o + F_SHAPE]!];
    if (!shape || !p.origins[p.spans[o + F_ORIGIN]!]) throw new Error('packed batch: shape or origin out of range');
    valueCount += shape.length;
  }
  if (valueCount !== p.values.length) throw new Error('packed batch: attribute count mismatch');
  for (const shape of p.shapes) for (const s of shape) if (!(s >= 0 && s < n)) throw new Error('packed batch: key index out of range');
  for (let i = 0; i < p.values.length; i++) {
    const x = p.values[i]!;
    if (x >= n || (x < 0 && -1 - x >= p.other.length)) throw new Error('packed batch: value index out of range');
  }
}
