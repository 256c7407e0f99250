import type { AttrArray, AttrEmpty, AttrKvList, AttrTruncated, AttrValue } from '../../protocol/spanView';

/**
 * The attribute value model shared by the decoders (see docs/otlp-fidelity.md): the common kinds
 * as plain values, the rest tagged; and the caps a decoder applies to what it keeps.
 */

/** Caps the decoders apply to what they keep; a value over a cap is kept as a `truncated` marker. */
export interface DecodeLimits {
  /** Most bytes one attribute value keeps (UTF-8 of its strings and keys, 8 per scalar). */
  maxValueBytes: number;
  /** Most bytes of attribute values one span keeps (its own, its events' and its links'). */
  maxSpanBytes: number;
  /** Deepest nesting of arrays and kvlists kept; deeper parts become a marker. */
  maxDepth: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxValueBytes: 256 * 1024,
  maxSpanBytes: 1024 * 1024,
  maxDepth: 32,
});

/** Limits from options, each a positive integer (anything else takes the default). */
export function decodeLimits(o: Partial<DecodeLimits> | undefined): DecodeLimits {
  const pick = (v: unknown, d: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : d);
  return {
    maxValueBytes: pick(o?.maxValueBytes, DEFAULT_DECODE_LIMITS.maxValueBytes),
    maxSpanBytes: pick(o?.maxSpanBytes, DEFAULT_DECODE_LIMITS.maxSpanBytes),
    maxDepth: Math.min(pick(o?.maxDepth, DEFAULT_DECODE_LIMITS.maxDepth), 256),
  };
}

/** The one empty AnyValue (shared; never mutated). */
export const EMPTY_VALUE: AttrEmpty = Object.freeze({ kind: 'empty' }) as AttrEmpty;

/** An OTLP doubleValue: plain when JavaScript reads it back as a double, tagged otherwise. */
export function doubleValue(n: number): AttrValue {
  if (Number.isFinite(n) && !Number.isInteger(n)) return n;
  return { kind: 'double', value: Object.is(n, -0) ? '-0' : String(n) };
}

const INT_TEXT = /^[-+]?\d+$/;

/** An OTLP intValue from its decimal text: a number when safe, tagged beyond ±2^53; undefined when not an integer. */
export function intFromText(text: string): AttrValue | undefined {
  if (!INT_TEXT.test(text)) return undefined;
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  return { kind: 'int', value: BigInt(text).toString() };
}

/** An OTLP intValue read as a number (protobuf varint, or a JSON number). */
export function intFromNumber(n: number | string): AttrValue {
  if (typeof n === 'string') return intFromText(n) ?? { kind: 'int', value: n };
  return Number.isSafeInteger(n) ? n : { kind: 'int', value: BigInt(n).toString() };
}

/** Whether a plain value is a scalar that stands for itself in a plain list. */
function plainScalar(v: AttrValue, type: string): boolean {
  return typeof v === type && (type !== 'number' || Number.isSafeInteger(v) || !Number.isInteger(v));
}

/** An OTLP arrayValue: a plain list when every item is a plain value of one type, tagged otherwise. */
export function arrayValue(items: AttrValue[]): AttrValue {
  if (items.length === 0) return [] as string[];
  const t = typeof items[0];
  if (t === 'string' || t === 'number' || t === 'boolean') {
    let plain = true;
    for (let i = 0; i < items.length && plain; i++) plain = plainScalar(items[i]!, t);
    if (plain) return items as string[] | number[] | boolean[];
  }
  return { kind: 'array', values: items } satisfies AttrArray;
}

export function kvlistValue(keys: string[], values: AttrValue[]): AttrKvList {
  return { kind: 'kvlist', keys, values };
}

/** A string over the cap: its first `max` UTF-8 bytes (whole characters) and its size. */
export function truncatedString(s: string, max: number, length = Buffer.byteLength(s, 'utf8')): AttrTruncated {
  // At most `max` characters can fit in `max` bytes: only those are encoded.
  const head = Buffer.from(s.slice(0, Math.max(0, max)), 'utf8');
  let end = Math.min(max, head.length);
  // Back to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && end < head.length && (head[end]! & 0xc0) === 0x80) end--;
  return { kind: 'truncated', value: head.toString('utf8', 0, end), length };
}

/** A value over a cap (or too deep) replaced by a marker that keeps the start of a string and the value's size. */
export function truncatedValue(v: AttrValue, size: number, keep: number): AttrTruncated {
  if (typeof v === 'string') return truncatedString(v, keep, size);
  return { kind: 'truncated', value: '', length: size };
}

/**
 * The size of a value as the caps count it, the same from JSON and protobuf: UTF-8 bytes of
 * strings and keys, decoded bytes of bytes values, 8 per other scalar. No recursion.
 */
export function valueSize(v: AttrValue): number {
  if (typeof v !== 'object') return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 8;
  let size = 0;
  const stack: AttrValue[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (typeof x === 'string') size += x.length < 64 && isAscii(x) ? x.length : Buffer.byteLength(x, 'utf8');
    else if (typeof x !== 'object') size += 8;
    else if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (x.kind === 'array') for (const y of x.values) stack.push(y);
    else if (x.kind === 'kvlist') {
      for (const k of x.keys) size += Buffer.byteLength(k, 'utf8');
      for (const y of x.values) stack.push(y);
    } else if (x.kind === 'bytes') size += Math.floor((x.base64.replace(/=+$/, '').length * 3) / 4);
    else if (x.kind === 'truncated') size += x.length;
    else if (x.kind !== 'empty') size += 8;
  }
  return size;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Keeps a span's attribute values within the caps: a value over `maxValueBytes`, or one that
 * would take the span past `maxSpanBytes`, becomes a marker. One per span (its attributes, events
 * and links); `cut` counts the values cut.
 */
export class SpanBudget {
  used = 0;
  cut = 0;
  private readonly maxValue: number;
  private readonly maxSpan: number;
  constructor(limits: DecodeLimits) {
    this.maxValue = limits.maxValueBytes;
    this.maxSpan = limits.maxSpanBytes;
  }

  /** A string value of `bytes` UTF-8 bytes (known to the caller): kept, or its marker. */
  string(s: string, bytes: number): AttrValue {
    if (bytes <= this.maxValue && this.used + bytes <= this.maxSpan) {
      this.used += bytes;
      return s;
    }
    return this.mark(s, bytes);
  }

  /** Counts `bytes` of a value (a string's UTF-8, 8 for a scalar) when they fit; false (nothing counted) when not. */
  take(bytes: number): boolean {
    if (bytes <= this.maxValue && this.used + bytes <= this.maxSpan) {
      this.used += bytes;
      return true;
    }
    return false;
  }

  /** A number or boolean (8 bytes). */
  scalar<T extends AttrValue>(v: T): AttrValue {
    return this.take(8) ? v : this.mark(v, 8);
  }

  /** Any value (not the common short ones: their size is counted by the caller with `add`). */
  value(v: AttrValue): AttrValue {
    const size = valueSize(v);
    if (size <= this.maxValue && this.used + size <= this.maxSpan) {
      this.used += size;
      return v;
    }
    return this.mark(v, size);
  }

  private mark(v: AttrValue, size: number): AttrValue {
    this.cut++;
    const keep = Math.max(0, Math.min(this.maxValue, this.maxSpan - this.used));
    const m = truncatedValue(v, size, keep);
    this.used += Buffer.byteLength(m.value, 'utf8');
    return m;
  }

  reset(): void {
    this.used = 0;
    this.cut = 0;
  }
}
