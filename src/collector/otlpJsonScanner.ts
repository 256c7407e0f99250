import type { AttrValue } from '../protocol/spanView';
import { spanProblem, type DecodeContext, type DecodedBatch } from './decodedBatch';
import { anyValue as objectAnyValue } from './otlpJsonDecoder';
import { SpanRecord, TimeSlab, type EventRecord, type SpanOrigin } from './spanRecord';
import type { KeyInfo } from './stringPool';
import { JsonByteReader, NOT_FAST, NotFastPath } from './jsonByteReader';

// Byte values (plain constants: a const enum would not be inlined across files here).
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;

const k = (s: string): Buffer => Buffer.from(s, 'latin1');
const K = {
  resourceSpans: k('resourceSpans'),
  resource: k('resource'),
  scopeSpans: k('scopeSpans'),
  scope: k('scope'),
  spans: k('spans'),
  attributes: k('attributes'),
  name: k('name'),
  version: k('version'),
  traceId: k('traceId'),
  spanId: k('spanId'),
  parentSpanId: k('parentSpanId'),
  kind: k('kind'),
  startTimeUnixNano: k('startTimeUnixNano'),
  endTimeUnixNano: k('endTimeUnixNano'),
  events: k('events'),
  status: k('status'),
  code: k('code'),
  message: k('message'),
  timeUnixNano: k('timeUnixNano'),
  key: k('key'),
  value: k('value'),
  stringValue: k('stringValue'),
  intValue: k('intValue'),
  boolValue: k('boolValue'),
  doubleValue: k('doubleValue'),
};

/** What the OTel JSON serializer writes around attribute keys and string values (compact JSON). */
const KV_KEY = k('{"key":"');
const KV_VALUE = k(',"value":');
const STRING_VALUE = k('{"stringValue":"');

/**
 * Decodes OTLP/JSON straight from the body's bytes into span records, without building the parsed
 * object tree that JSON.parse would (that tree, not the parsing, is what costs). It handles the
 * shape exporters send; anything else — escapes in keys, base64 ids, odd types, malformed JSON —
 * makes it give up (returns undefined) and the caller decodes with JSON.parse, which also gives the
 * precise error message.
 */
export function scanOtlpJson(buf: Buffer, ctx: DecodeContext): DecodedBatch | undefined {
  try {
    return new Scanner(buf, ctx).request();
  } catch (e) {
    if (e instanceof NotFastPath || e instanceof RangeError) return undefined;
    throw e;
  }
}

class Scanner extends JsonByteReader {
  private readonly out: DecodedBatch = { spans: [], rejected: 0, firstError: '' };
  private readonly keys: string[] = [];
  private readonly values: AttrValue[] = [];
  private readonly times = new TimeSlab();
  // Where the last trace id / parent id were read, and their strings.
  private readonly lastTrace = { s: -1, value: '' };
  private readonly lastParent = { s: -1, value: '' };

  constructor(
    buf: Buffer,
    private readonly ctx: DecodeContext,
  ) {
    super(buf);
  }

  request(): DecodedBatch {
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.resourceSpans)) {
          if (this.openArray()) {
            do this.resourceSpans();
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    if (this.ws() !== -1) throw NOT_FAST;
    return this.out;
  }

  private resourceSpans(): void {
    let rKeys: string[] = [];
    let rValues: AttrValue[] = [];
    const scopes: [number, number, string, string][] = [];
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.resource)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.attributes)) [rKeys, rValues] = this.plainAttributes();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (this.keyIs(K.scopeSpans)) {
          if (this.openArray()) {
            do scopes.push(this.scopeSpans());
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    const spans = this.out.spans;
    for (const [from, to, name, version] of scopes) {
      const origin = this.ctx.origin(rKeys, rValues, name, version);
      for (let i = from; i < to; i++) spans[i]!.origin = origin;
    }
  }

  private scopeSpans(): [number, number, string, string] {
    const from = this.out.spans.length;
    let name = '';
    let version = '';
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.scope)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.name)) name = this.string();
              else if (this.keyIs(K.version)) version = this.string();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (this.keyIs(K.spans)) {
          if (this.openArray()) {
            do this.span();
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    return [from, this.out.spans.length, name, version];
  }

  /** A hex id of `len` characters, lowercase; '' when invalid (a base64 id takes the slow path). */
  private hexId(len: number): string {
    if (this.ws() === 0x6e) {
      this.literal('null');
      return '';
    }
    if (this.ws() !== QUOTE) throw NOT_FAST;
    this.stringRange();
    if (this.ke - this.ks !== len) {
      if (this.ke - this.ks === 0) return '';
      throw NOT_FAST;
    }
    const buf = this.buf;
    // Spans of a batch mostly share their trace id, and siblings their parent: reuse the string
    // decoded for the same bytes last time (one retained string less per span).
    const memo = len === 32 ? this.lastTrace : this.lastParent;
    if (memo.s >= 0) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (buf[memo.s + i] !== buf[this.ks + i]) {
          same = false;
          break;
        }
      }
      if (same) return memo.value;
    }
    let upper = false;
    let nonzero = false;
    for (let p = this.ks; p < this.ke; p++) {
      const c = buf[p]!;
      if (c >= 0x61 && c <= 0x66) nonzero = true;
      else if (c >= 0x30 && c <= 0x39) nonzero ||= c !== 0x30;
      else if (c >= 0x41 && c <= 0x46) nonzero = upper = true;
      else throw NOT_FAST;
    }
    if (!nonzero) return '';
    const text = this.slices.latin1Slice(this.ks, this.ke);
    const id = upper ? text.toLowerCase() : text;
    memo.s = this.ks;
    memo.value = id;
    return id;
  }

  /** A span's own id is unique: decoded without the memo (which is for parent ids). */
  private spanIdNoMemo(): string {
    const memo = this.lastParent;
    const savedAt = memo.s;
    const savedValue = memo.value;
    memo.s = -1;
    const id = this.hexId(16);
    memo.s = savedAt;
    memo.value = savedValue;
    return id;
  }

  /** Nanoseconds (decimal string or integer number) to epoch ms; NaN when absent or odd. */
  private nanos(): number {
    const c = this.ws();
    let quoted = false;
    if (c === QUOTE) {
      this.stringRange();
      quoted = true;
    } else if (c === 0x6e) {
      this.literal('null');
      return NaN;
    } else this.numberRange();
    const buf = this.buf;
    const s = this.ks;
    const e = this.ke;
    const n = e - s;
    if (n === 0 || n > 20) throw NOT_FAST;
    let ms = 0;
    let ns = 0;
    const split = e - 6;
    for (let p = s; p < e; p++) {
      const d = buf[p]! - 0x30;
      if (d < 0 || d > 9) throw NOT_FAST;
      if (p < split) ms = ms * 10 + d;
      else ns = ns * 10 + d;
    }
    if (!quoted && n > 1 && buf[s] === 0x30) throw NOT_FAST;
    return ms + ns / 1e6;
  }

  private int(): number {
    const c = this.ws();
    if (c === QUOTE) return Number(this.string()) | 0;
    if (c === 0x6e) {
      this.literal('null');
      return 0;
    }
    return this.number() | 0;
  }

  private span(): void {
    let traceId = '';
    let spanId = '';
    let parent = '';
    let name = '';
    let kind = 0;
    let startMs = NaN;
    let endMs = NaN;
    let status = 0;
    let statusMessage = '';
    let n = 0;
    let events: EventRecord[] | undefined;
    const ctx = this.ctx;
    if (this.openObject()) {
      do {
        this.key();
        const len = this.ke - this.ks;
        // Dispatch on the name's length first: one byte compare settles most members.
        if (len === 7 && this.keyIs(K.traceId)) traceId = this.hexId(32);
        else if (len === 6 && this.keyIs(K.spanId)) spanId = this.spanIdNoMemo();
        else if (len === 12 && this.keyIs(K.parentSpanId)) {
          parent = this.hexId(16);
        } else if (len === 4 && this.keyIs(K.name)) {
          this.stringRange();
          const cached = ctx.nameBytes.get(this.buf, this.ks, this.ke);
          if (cached !== undefined) name = cached;
          else {
            name = ctx.pool.intern(this.slices.utf8Slice(this.ks, this.ke));
            ctx.nameBytes.store(this.buf, this.ks, this.ke, name);
          }
        } else if (len === 4 && this.keyIs(K.kind)) {
          if (this.ws() === QUOTE) throw NOT_FAST;
          kind = this.int();
        } else if (len === 17 && this.keyIs(K.startTimeUnixNano)) startMs = this.nanos();
        else if (len === 15 && this.keyIs(K.endTimeUnixNano)) endMs = this.nanos();
        else if (len === 10 && this.keyIs(K.attributes)) n = this.attributes();
        else if (len === 6 && this.keyIs(K.events)) events = this.events();
        else if (len === 6 && this.keyIs(K.status)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.code)) {
                if (this.ws() === QUOTE) throw NOT_FAST;
                status = this.int();
              } else if (this.keyIs(K.message)) statusMessage = this.string();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    let problem = '';
    if (!traceId) problem = 'traceId must be 16 bytes of hex, not all zero';
    else if (!spanId) problem = 'spanId must be 8 bytes of hex, not all zero';
    else problem = spanProblem(startMs, endMs);
    const out = this.out;
    if (problem) {
      if (out.rejected++ === 0) out.firstError = `span ${out.spans.length + out.rejected - 1}: ${problem}`;
      return;
    }
    if (events) for (const e of events) if (!e.timeMs) e.timeMs = startMs;
    const values = n === 0 ? EMPTY_VALUES : this.values.slice(0, n);
    const keys = n === 0 ? EMPTY_KEYS : ctx.shapes.share(this.keys, n);
    const at = this.times.put(startMs, endMs);
    out.spans.push(new SpanRecord(traceId, spanId, parent, name, this.times.array, at, status, kind, statusMessage, keys, values, events, PENDING_ORIGIN));
  }

  /** Span attributes into the scratch arrays; returns how many. */
  private attributes(): number {
    let n = 0;
    if (!this.openArray()) return 0;
    do {
      if (this.keyValue(this.keys, this.values, n)) n++;
    } while (this.more(CLOSE_BRACKET));
    return n;
  }

  private plainAttributes(): [string[], AttrValue[]] {
    const keys: string[] = [];
    const values: AttrValue[] = [];
    let n = 0;
    if (this.openArray()) {
      do {
        if (this.keyValue(keys, values, n)) n++;
      } while (this.more(CLOSE_BRACKET));
    }
    keys.length = n;
    values.length = n;
    return [this.ctx.shapes.share(keys, n), values];
  }

  /** Consumes `lit` when the input continues with exactly it. */
  private keyValue(keys: string[], values: AttrValue[], n: number): boolean {
    const ctx = this.ctx;
    let info: KeyInfo | undefined;
    let value: AttrValue | undefined;
    this.ws();
    const at = this.pos;
    // The shape exporters write: {"key":"…","value":{…}} — matched literally, else read generally.
    if (this.literalAhead(KV_KEY)) {
      const s = this.pos;
      const e = this.quoteEnd();
      this.pos = e + 1;
      if (this.literalAhead(KV_VALUE)) {
        info = ctx.keyBytes.get(this.buf, s, e);
        if (info === undefined) {
          info = ctx.pool.key(this.slices.utf8Slice(s, e));
          ctx.keyBytes.store(this.buf, s, e, info);
        }
        value = this.anyValue(info);
        if (this.buf[this.pos] === CLOSE_BRACE) {
          this.pos++;
          if (value === undefined) return false;
          keys[n] = info.key;
          values[n] = value;
          return true;
        }
      }
      this.pos = at;
      info = undefined;
      value = undefined;
    }
    if (!this.openObject()) return false;
    do {
      this.key();
      if (this.keyIs(K.key)) {
        this.stringRange();
        info = ctx.keyBytes.get(this.buf, this.ks, this.ke);
        if (info === undefined) {
          info = ctx.pool.key(this.slices.utf8Slice(this.ks, this.ke));
          ctx.keyBytes.store(this.buf, this.ks, this.ke, info);
        }
      } else if (this.keyIs(K.value)) value = this.anyValue(info);
      else this.skip();
    } while (this.more(CLOSE_BRACE));
    if (info === undefined || value === undefined) return false;
    keys[n] = info.key;
    values[n] = value;
    return true;
  }

  private anyValue(info: KeyInfo | undefined): AttrValue | undefined {
    if (this.ws() === 0x6e) {
      this.literal('null');
      return undefined;
    }
    const start = this.pos;
    if (info !== undefined && this.literalAhead(STRING_VALUE)) {
      const s = this.pos;
      const e = this.noEscapes ? this.buf.indexOf(QUOTE, s) : this.quoteEnd();
      if (e > 0 && this.buf[e + 1] === CLOSE_BRACE) {
        this.pos = e + 2;
        if (info.values === undefined) return this.slices.utf8Slice(s, e);
        const ctx = this.ctx;
        const known = ctx.valueBytes.get(this.buf, s, e);
        if (known !== undefined) return known;
        const v = ctx.pool.value(info, this.slices.utf8Slice(s, e));
        if (info.values !== undefined) ctx.valueBytes.store(this.buf, s, e, v);
        return v;
      }
      this.pos = start;
    }
    let v: AttrValue | undefined = '';
    if (!this.openObject()) return v;
    do {
      this.key();
      const len = this.ke - this.ks;
      if (len === 11 && this.keyIs(K.stringValue)) {
        if (this.ws() !== QUOTE) throw NOT_FAST;
        this.stringRange();
        if (info !== undefined && info.values !== undefined) {
          const ctx = this.ctx;
          const known = ctx.valueBytes.get(this.buf, this.ks, this.ke);
          if (known !== undefined) v = known;
          else {
            v = ctx.pool.value(info, this.slices.utf8Slice(this.ks, this.ke));
            if (info.values !== undefined) ctx.valueBytes.store(this.buf, this.ks, this.ke, v);
          }
        } else v = this.slices.utf8Slice(this.ks, this.ke);
      } else if (len === 8 && this.keyIs(K.intValue)) {
        const c = this.ws();
        const x = c === QUOTE ? this.string() : this.number();
        const num = Number(x);
        if (typeof x === 'string' && !/^-?\d+$/.test(x)) throw NOT_FAST;
        v = Number.isSafeInteger(num) ? num : String(x);
      } else if (len === 9 && this.keyIs(K.boolValue)) {
        const c = this.ws();
        if (c === 0x74) {
          this.literal('true');
          v = true;
        } else {
          this.literal('false');
          v = false;
        }
      } else if (len === 11 && this.keyIs(K.doubleValue)) {
        if (this.ws() === QUOTE) throw NOT_FAST;
        v = this.number();
      } else {
        // arrayValue, kvlistValue, bytesValue and the unexpected: decode this AnyValue the slow way.
        this.pos = start;
        return objectAnyValue(JSON.parse(this.rawValue()), this.ctx, 0, info);
      }
    } while (this.more(CLOSE_BRACE));
    return v;
  }

  private events(): EventRecord[] | undefined {
    if (!this.openArray()) return undefined;
    const events: EventRecord[] = [];
    do {
      let name = '';
      let timeMs = 0;
      let keys: string[] = EMPTY_KEYS;
      let values: AttrValue[] = EMPTY_VALUES;
      if (this.openObject()) {
        do {
          this.key();
          if (this.keyIs(K.name)) name = this.ctx.pool.intern(this.string());
          else if (this.keyIs(K.timeUnixNano)) timeMs = this.nanos();
          else if (this.keyIs(K.attributes)) [keys, values] = this.plainAttributes();
          else this.skip();
        } while (this.more(CLOSE_BRACE));
      }
      events.push({ name, timeMs: Number.isFinite(timeMs) ? timeMs : 0, keys, values });
    } while (this.more(CLOSE_BRACKET));
    return events;
  }
}

const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: AttrValue[] = [];
/** Replaced once the resource and scope of the spans are known. */
const PENDING_ORIGIN: SpanOrigin = { resourceKeys: [], resourceValues: [], serviceName: 'unknown_service', scopeName: '', scopeVersion: '' };
