import type { AttrTruncated, AttrValue } from '../../protocol/spanView';

/**
 * Large string values held outside the JavaScript heap.
 *
 * Why: a stored value lives until its trace is evicted, so in the V8 heap a 64 KiB response body
 * survives every young-generation collection (copied each time), takes old-space pages that V8
 * sizes with slack, and pauses the thread that stores. As a Buffer its bytes are external memory:
 * never copied by the GC, freed when the record is collected. Small values stay strings: a Buffer
 * costs about 500 bytes beyond its data (its heap objects and the native backing-store
 * bookkeeping; measured, see LARGE_TEXT_OVERHEAD), which a short string does not.
 *
 * The store converts at store time (`toStoredValue`); every read path gives back the string, or
 * the truncation marker, exactly as the decoder made it (`fromStoredValue`), decoded when read.
 */

/**
 * Strings of at least this many UTF-8 bytes are kept off the heap (bytes, not characters: the
 * protobuf decoder decides on a byte range before any string exists, and JSON and protobuf must
 * store a value alike). At 4 KiB a Buffer's fixed cost (~560 B) is ~14% of the value; at 1 KiB it
 * would be 55% (measured 2026-12, Node 20): below this the budget would hold noticeably fewer
 * spans, for a GC saving that short strings do not need.
 */
export const LARGE_TEXT_FROM = 4096;

/** Fewer UTF-16 units than this cannot reach LARGE_TEXT_FROM bytes (at most 3 bytes a unit). */
const MIN_UNITS = Math.ceil(LARGE_TEXT_FROM / 3);

/** Whether a string is kept off the heap once stored. */
export function isLargeString(s: string): boolean {
  // Every UTF-16 unit is at least one UTF-8 byte: only strings in between need counting.
  return s.length >= LARGE_TEXT_FROM || (s.length >= MIN_UNITS && Buffer.byteLength(s, 'utf8') >= LARGE_TEXT_FROM);
}

/**
 * Bytes a LargeText costs beyond its UTF-8 bytes: this object, the Buffer's Uint8Array and
 * ArrayBuffer objects (~190 on the heap), the backing store's native bookkeeping and allocation
 * header (~300). Measured with `npm run bench:memory -- --overhead` (RSS per 16 KiB value after a
 * full GC: 564 B, Node 20, 2026-12-06).
 */
export const LARGE_TEXT_OVERHEAD = 560;

/**
 * A stored string value (or the kept start of a truncated one) as UTF-8 bytes in a Buffer of its
 * own (never a slice of Node's shared pool: evicting the value frees exactly its bytes).
 */
export class LargeText {
  constructor(
    readonly bytes: Buffer,
    /** -1 for a whole string; else the original size of a truncated value (AttrTruncated.length). */
    readonly truncatedLength: number,
  ) {}

  /** The string (whole, or the kept start of a truncated value). */
  text(): string {
    return this.bytes.toString('utf8');
  }

  /** The value as the decoder made it: the string, or its truncation marker. */
  value(): string | AttrTruncated {
    const s = this.text();
    return this.truncatedLength < 0 ? s : { kind: 'truncated', value: s, length: this.truncatedLength };
  }
}

/** A value as the store holds it: what the decoders make, with large strings off the heap. */
export type StoredValue = AttrValue | LargeText;

/** UTF-8 bytes of `s` in a Buffer of its own (not from Node's pool, which small Buffers share). */
export function ownBytes(s: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(s, 'utf8'));
  b.write(s, 0, 'utf8');
  return b;
}

/** The stored form of a value: a large string, or the large kept start of a truncated value, as a LargeText. */
export function toStoredValue(v: StoredValue): StoredValue {
  if (typeof v === 'string') return isLargeString(v) ? new LargeText(ownBytes(v), -1) : v;
  if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof LargeText) && v.kind === 'truncated' && isLargeString(v.value)) {
    return new LargeText(ownBytes(v.value), v.length);
  }
  return v;
}

/** Converts the large strings of a values array in place (arrays are the record's own). */
export function storeValuesInPlace(values: StoredValue[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Only strings and truncation markers can be large; the rest is left without a call.
    if (typeof v === 'string' ? v.length >= MIN_UNITS : typeof v === 'object' && (v as { kind?: string }).kind === 'truncated') values[i] = toStoredValue(v);
  }
}

/** Bytes `[start, start + length)` of `body` (a UTF-8 string field) as a stored string, never made a JS string. */
export function largeTextOfRange(body: Uint8Array, start: number, length: number): LargeText {
  const b = Buffer.allocUnsafeSlow(length);
  b.set(body.subarray(start, start + length));
  return new LargeText(b, -1);
}

/** A stored value as it was received. */
export function fromStoredValue(v: StoredValue): AttrValue {
  return v instanceof LargeText ? v.value() : v;
}

/** Stored values as received (the same array when none is off the heap). */
export function fromStoredValues(values: readonly StoredValue[]): readonly AttrValue[] {
  for (let i = 0; i < values.length; i++) {
    if (values[i] instanceof LargeText) return values.map(fromStoredValue);
  }
  return values as readonly AttrValue[];
}
