/**
 * Token-level reading of JSON from a byte buffer, for the OTLP/JSON scanner: whitespace,
 * punctuation, member names, strings without escapes, numbers, and validated skipping of values.
 * Anything off the common path throws NOT_FAST, and the caller falls back to JSON.parse.
 */

import { msRestToWords } from '../store/unixNano';

/** Thrown when the body is not in the common shape; the caller then uses JSON.parse. */
export class NotFastPath extends Error {}
export const NOT_FAST = new NotFastPath('not on the fast path');

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Minus = 0x2d,
}
/** Strings up to this many bytes are scanned in JS, longer ones natively. */
const SHORT_STRING = 256;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A byte string compared four bytes at a time (member names, and what exporters write around
 * attribute keys and values): its bytes, and those as little-endian 32-bit words.
 */
export class Lit {
  readonly bytes: Buffer;
  readonly words: Uint32Array;
  readonly length: number;
  constructor(text: string) {
    this.bytes = Buffer.from(text, 'latin1');
    this.length = this.bytes.length;
    this.words = new Uint32Array(this.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = this.bytes.readUInt32LE(i * 4);
  }
}

interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

export class JsonByteReader {
  protected pos = 0;
  protected readonly end: number;
  protected readonly slices: Slices;
  /**
   * Where the next backslash is, at or after the last place asked about (the body's length when
   * there is none): a string whose closing quote comes before it has no escapes, so strings are
   * found with native `indexOf` even in bodies that have escapes somewhere.
   */
  private escAt = -1;
  // Range of the last member name or string read.
  protected ks = 0;
  protected ke = 0;
  /**
   * Whether the string `plainStringEnd` last found is all ASCII (false when not known): such a
   * string is made from its bytes as Latin-1, skipping the UTF-8 decoder (see spanIndex.ts).
   */
  protected ascii = false;

  /** The body, read four bytes at a time. */
  protected readonly view: DataView;

  constructor(protected readonly buf: Buffer) {
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.slices = buf as unknown as Slices;
  }

  /** Position of the first backslash at or after `p` (the body's length when none). */
  protected escapeFrom(p: number): number {
    if (this.escAt < p) {
      const at = this.buf.indexOf(C.Backslash, p);
      this.escAt = at < 0 ? this.end : at;
    }
    return this.escAt;
  }

  /**
   * End (closing quote) of a string whose content starts at `s`, when it has no escapes; -1 when
   * it has (or is unterminated). Control characters are not checked (JSON.parse would refuse them).
   */
  protected plainStringEnd(s: number): number {
    // Most strings (names, keys, ids, short values) end within a few dozen bytes: a JS loop finds
    // the quote faster than a call into native `indexOf`, which wins only on long strings.
    const buf = this.buf;
    const view = this.view;
    const lim = Math.min(s + SHORT_STRING, this.end);
    let p = s;
    // The high bits of every byte before the quote: none set, the string is ASCII.
    let high = 0;
    // Four bytes at a time while none is a quote or a backslash (a zero byte after XOR with either).
    for (const lim4 = lim - 3; p < lim4; p += 4) {
      const w = view.getUint32(p, true);
      const q = w ^ 0x22222222;
      const b = w ^ 0x5c5c5c5c;
      if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) break;
      high |= w;
    }
    for (; p < lim; p++) {
      const c = buf[p]!;
      if (c === C.Quote) {
        this.ascii = (high & 0x80808080) === 0;
        return p;
      }
      if (c === C.Backslash) return -1;
      high |= c;
    }
    this.ascii = false;
    if (lim === this.end) return -1;
    const e = buf.indexOf(C.Quote, lim);
    return e >= 0 && this.escapeFrom(lim) > e ? e : -1;
  }

  /**
   * Skips whitespace; the next byte, or -1 at the end. Never reads past the end: a read there gives
   * `undefined`, and once one of these compares had seen it, V8 compiled every inlined copy (tens
   * per span) as a generic comparison call.
   */
  protected ws(): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    while (p < end) {
      const c = buf[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p;
        return c;
      }
      p++;
    }
    this.pos = p;
    return -1;
  }

  protected expect(ch: number): void {
    if (this.ws() !== ch) throw NOT_FAST;
    this.pos++;
  }

  /** After a member or element: true when another follows (`,`), false at the closing `close`. */
  protected more(close: number): boolean {
    const c = this.ws();
    this.pos++;
    if (c === C.Comma) return true;
    if (c === close) return false;
    throw NOT_FAST;
  }

  /** Opens an object; false when it is empty (`{}` consumed). */
  protected openObject(): boolean {
    this.expect(C.OpenBrace);
    if (this.ws() === C.CloseBrace) {
      this.pos++;
      return false;
    }
    return true;
  }

  protected openArray(): boolean {
    const c = this.ws();
    if (c === 0x6e) {
      this.literal('null');
      return false;
    }
    if (c !== C.OpenBracket) throw NOT_FAST;
    this.pos++;
    if (this.ws() === C.CloseBracket) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** Reads a member name into ks/ke (no escapes) and the colon after it. */
  protected key(): void {
    this.expect(C.Quote);
    const s = this.pos;
    const e = this.plainStringEnd(s);
    if (e < 0) throw NOT_FAST;
    this.ks = s;
    this.ke = e;
    this.pos = e + 1;
    this.expect(C.Colon);
  }

  /** Whether the member name last read (ks/ke) is `name`. */
  protected keyIs(name: Lit): boolean {
    if (this.ke - this.ks !== name.length) return false;
    return this.equalAt(this.ks, name);
  }

  /** Whether `lit` is at `p` (which has at least its length of bytes after it). */
  private equalAt(p: number, lit: Lit): boolean {
    const view = this.view;
    const words = lit.words;
    const n = words.length;
    for (let i = 0; i < n; i++) if (view.getUint32(p + 4 * i, true) !== words[i]) return false;
    const bytes = lit.bytes;
    const buf = this.buf;
    for (let i = n * 4; i < lit.length; i++) if (buf[p + i] !== bytes[i]) return false;
    return true;
  }

  /** Range of a string token without escapes (sets ks/ke), or throws for the slow path; false when no string is next. */
  protected stringRange(): boolean {
    if (this.ws() !== C.Quote) return false;
    const s = this.pos + 1;
    const e = this.plainStringEnd(s);
    if (e < 0) throw NOT_FAST;
    this.ks = s;
    this.ke = e;
    this.pos = e + 1;
    return true;
  }

  protected string(): string {
    if (this.ws() !== C.Quote) throw NOT_FAST;
    this.stringRange();
    return this.slices.utf8Slice(this.ks, this.ke);
  }

  protected literal(word: string): void {
    const buf = this.buf;
    for (let i = 0; i < word.length; i++) if (buf[this.pos + i] !== word.charCodeAt(i)) throw NOT_FAST;
    this.pos += word.length;
  }

  protected numberRange(): void {
    const buf = this.buf;
    const s = this.pos;
    let p = s;
    for (;;) {
      const c = buf[p];
      if (c === undefined || !((c >= 0x30 && c <= 0x39) || c === C.Minus || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45)) break;
      p++;
    }
    if (p === s) throw NOT_FAST;
    this.ks = s;
    this.ke = p;
    this.pos = p;
  }

  protected number(): number {
    this.numberRange();
    const buf = this.buf;
    const n = this.ke - this.ks;
    if (n < 16) {
      let p = this.ks;
      const neg = buf[p] === C.Minus;
      if (neg) p++;
      let v = 0;
      let ok = p < this.ke && !(buf[p] === 0x30 && this.ke - p > 1);
      for (; ok && p < this.ke; p++) {
        const d = buf[p]! - 0x30;
        if (d < 0 || d > 9) ok = false;
        else v = v * 10 + d;
      }
      if (ok) return neg ? -v : v;
    }
    const text = this.slices.latin1Slice(this.ks, this.ke);
    if (!NUMBER.test(text)) throw NOT_FAST;
    return Number(text);
  }

  /** Validates and skips any JSON value. */
  protected skip(depth = 0): void {
    if (depth > 64) throw NOT_FAST;
    const c = this.ws();
    if (c === C.Quote) {
      this.stringRangeAllowEscapes();
    } else if (c === C.OpenBrace) {
      if (!this.openObject()) return;
      do {
        this.stringRangeAllowEscapes();
        this.expect(C.Colon);
        this.skip(depth + 1);
      } while (this.more(C.CloseBrace));
    } else if (c === C.OpenBracket) {
      this.pos++;
      if (this.ws() === C.CloseBracket) {
        this.pos++;
        return;
      }
      do this.skip(depth + 1);
      while (this.more(C.CloseBracket));
    } else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else this.number();
  }

  protected stringRangeAllowEscapes(): void {
    if (this.ws() !== C.Quote) throw NOT_FAST;
    const buf = this.buf;
    let p = this.pos + 1;
    for (;;) {
      const c = buf[p];
      if (c === undefined || c < 0x20) throw NOT_FAST;
      if (c === C.Quote) break;
      if (c === C.Backslash) {
        const e = buf[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) {
            const h = buf[p + i];
            if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46))) throw NOT_FAST;
          }
          p += 6;
          continue;
        }
        if (e === undefined || '"\\/bfnrt'.indexOf(String.fromCharCode(e)) < 0) throw NOT_FAST;
        p += 2;
        continue;
      }
      p++;
    }
    this.pos = p + 1;
  }

  /** Raw text of the next value (skipped and validated), for JSON.parse of rare nested parts. */
  protected rawValue(): string {
    const s = (this.ws(), this.pos);
    this.skip();
    return this.slices.utf8Slice(s, this.pos);
  }

  /** Consumes `lit` when it comes next. */
  protected literalAhead(lit: Lit): boolean {
    const p = this.pos;
    if (p + lit.length > this.end || !this.equalAt(p, lit)) return false;
    this.pos = p + lit.length;
    return true;
  }

  /**
   * Nanoseconds (decimal string or integer number, read from its digits: exact) into `out[at]`,
   * `out[at + 1]`; true when absent (nothing written), false when not an OTLP time.
   */
  protected nanos(out: Uint32Array, at: number): boolean {
    const c = this.ws();
    let quoted = false;
    if (c === C.Quote) {
      this.stringRange();
      quoted = true;
    } else if (c === 0x6e) {
      this.literal('null');
      return true;
    } else this.numberRange();
    const buf = this.buf;
    const s = this.ks;
    const e = this.ke;
    const n = e - s;
    if (n === 0 || n > 20) return this.notTime(quoted);
    if (n === 19) {
      // Every time from 2001 to 2286: 13 digits of milliseconds and 6 of the rest, four at a time.
      const view = this.view;
      const w0 = view.getUint32(s, true);
      const w1 = view.getUint32(s + 4, true);
      const w2 = view.getUint32(s + 8, true);
      const w3 = view.getUint32(s + 13, true);
      const d12 = buf[s + 12]! - 0x30;
      const d17 = buf[s + 17]! - 0x30;
      const d18 = buf[s + 18]! - 0x30;
      if (!(fourDigits(w0) && fourDigits(w1) && fourDigits(w2) && fourDigits(w3)) || d12 >>> 0 > 9 || d17 >>> 0 > 9 || d18 >>> 0 > 9) return this.notTime(quoted);
      if (!quoted && buf[s] === 0x30) throw NOT_FAST;
      const ms = ((fourValue(w0) * 10000 + fourValue(w1)) * 10000 + fourValue(w2)) * 10 + d12;
      return msRestToWords(ms, fourValue(w3) * 100 + d17 * 10 + d18, out, at);
    }
    let ms = 0;
    let ns = 0;
    const split = e - 6;
    for (let p = s; p < e; p++) {
      const d = buf[p]! - 0x30;
      if (d < 0 || d > 9) return this.notTime(quoted);
      if (p < split) ms = ms * 10 + d;
      else ns = ns * 10 + d;
    }
    if (!quoted && n > 1 && buf[s] === 0x30) throw NOT_FAST;
    return msRestToWords(ms, ns, out, at);
  }

  /**
   * A time that is not plain digits: refused (false) when it is a string; a bare number (`1.5`,
   * `176.0`, `-1`, or not JSON at all: `.5`) goes to the JSON.parse path, which reads its value.
   */
  private notTime(quoted: boolean): boolean {
    if (!quoted) throw NOT_FAST;
    return false;
  }

  /** A string, or '' for null. */
  protected nullableString(): string {
    if (this.ws() === 0x6e) {
      this.literal('null');
      return '';
    }
    return this.string();
  }
}

/** Whether the four bytes of `w` are all decimal digits: each 0x3_, and 0x3_ + 6 still 0x3_ (not a–f). */
export function fourDigits(w: number): boolean {
  return (w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/** The value of four decimal digits (checked by `fourDigits`) read as a little-endian word: first digit most significant. */
export function fourValue(w: number): number {
  // Digit pairs first (10·d0 + d1 in byte 0, 10·d2 + d3 in byte 2: at most 99, no carry), then the two pairs.
  const d = ((w - 0x30303030) * 10 + ((w - 0x30303030) >>> 8)) & 0x00ff00ff;
  return (d & 0xff) * 100 + (d >>> 16);
}

/**
 * Whether the four bytes of `w` are all lowercase hex digits (0-9, a-f), four at a time: with no
 * byte's high bit set, adding 0x80 - x to a byte sets its high bit exactly when it is ≥ x, without a
 * carry into the next byte.
 */
export function fourHexDigits(w: number): boolean {
  if (w & 0x80808080) return false;
  const digit = (w + 0x50505050) & ~(w + 0x46464646); // ≥ '0' and not ≥ ':'
  const af = (w + 0x1f1f1f1f) & ~(w + 0x19191919); // ≥ 'a' and not ≥ 'g'
  return ((digit | af) & 0x80808080) === (0x80808080 | 0);
}

/** A doubleValue written as a string: 'NaN', 'Infinity', '-Infinity' or a number's text. */
export function jsonDoubleText(s: string): number {
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return Number(s);
  if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s)) throw NOT_FAST;
  return Number(s);
}
