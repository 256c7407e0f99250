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
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

export class JsonByteReader {
  protected pos = 0;
  protected readonly end: number;
  protected readonly slices: Slices;
  /** No backslash anywhere in the body: strings end at the next quote (found natively). */
  protected readonly noEscapes: boolean;
  // Range of the last member name or string read.
  protected ks = 0;
  protected ke = 0;

  constructor(protected readonly buf: Buffer) {
    this.end = buf.length;
    this.slices = buf as unknown as Slices;
    this.noEscapes = buf.indexOf(C.Backslash) < 0;
  }

  protected ws(): number {
    const buf = this.buf;
    let p = this.pos;
    let c = buf[p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++p];
    this.pos = p;
    return c === undefined ? -1 : c;
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
    const buf = this.buf;
    const s = this.pos;
    let p = s;
    if (this.noEscapes) {
      p = buf.indexOf(C.Quote, s);
      if (p < 0) throw NOT_FAST;
      this.ks = s;
      this.ke = p;
      this.pos = p + 1;
      this.expect(C.Colon);
      return;
    }
    for (;;) {
      const c = buf[p];
      if (c === C.Quote) break;
      if (c === undefined || c === C.Backslash || c < 0x20) throw NOT_FAST;
      p++;
    }
    this.ks = s;
    this.ke = p;
    this.pos = p + 1;
    this.expect(C.Colon);
  }

  protected keyIs(name: Buffer): boolean {
    const n = name.length;
    if (this.ke - this.ks !== n) return false;
    const buf = this.buf;
    const s = this.ks;
    for (let i = 0; i < n; i++) if (buf[s + i] !== name[i]) return false;
    return true;
  }

  /** Range of a string token without escapes (sets ks/ke), or throws for the slow path. */
  protected stringRange(): boolean {
    if (this.ws() !== C.Quote) return false;
    const buf = this.buf;
    let p = this.pos + 1;
    const s = p;
    if (this.noEscapes) {
      // Control characters are not checked on this path (JSON.parse would refuse them).
      p = buf.indexOf(C.Quote, s);
      if (p < 0) throw NOT_FAST;
      this.ks = s;
      this.ke = p;
      this.pos = p + 1;
      return true;
    }
    let hi = 0;
    for (;;) {
      const c = buf[p];
      if (c === C.Quote) break;
      if (c === undefined || c === C.Backslash || c < 0x20) throw NOT_FAST;
      hi |= c;
      p++;
    }
    this.ks = s;
    this.ke = p;
    this.pos = p + 1;
    return hi < 0x80;
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

  protected literalAhead(lit: Buffer): boolean {
    const buf = this.buf;
    const p = this.pos;
    const n = lit.length;
    for (let i = 0; i < n; i++) if (buf[p + i] !== lit[i]) return false;
    this.pos = p + n;
    return true;
  }

  /** End of a string whose opening quote is consumed (no escapes), by a short JS scan. */
  protected quoteEnd(): number {
    const buf = this.buf;
    let p = this.pos;
    for (;;) {
      const c = buf[p];
      if (c === C.Quote) return p;
      if (c === undefined || c === C.Backslash) throw NOT_FAST;
      p++;
    }
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
    if (n === 0 || n > 20) return false;
    let ms = 0;
    let ns = 0;
    const split = e - 6;
    for (let p = s; p < e; p++) {
      const d = buf[p]! - 0x30;
      if (d < 0 || d > 9) return false;
      if (p < split) ms = ms * 10 + d;
      else ns = ns * 10 + d;
    }
    if (!quoted && n > 1 && buf[s] === 0x30) throw NOT_FAST;
    return msRestToWords(ms, ns, out, at);
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

/** A doubleValue written as a string: 'NaN', 'Infinity', '-Infinity' or a number's text. */
export function jsonDoubleText(s: string): number {
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return Number(s);
  if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s)) throw NOT_FAST;
  return Number(s);
}
