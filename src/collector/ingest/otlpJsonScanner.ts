import type { AttrValue } from '../../protocol/spanView';
import { BAD_END, BAD_START, emptyOriginParts, timesProblem, type DecodeContext, type DecodedBatch } from '../store/decodedBatch';
import { count, decodeOtlpJson, jsonLink, anyValue as objectAnyValue } from './otlpJsonDecoder';
import { doubleValue, EMPTY_VALUE, intFromText, SpanBudget } from '../store/otlpValues';
import { oddBits, packBits, shareExtraStrings, spanExtra, SpanRecord, TimeSlab, type EventRecord, type LinkRecord, type OriginParts, type SpanOrigin } from '../store/spanRecord';
import type { KeyInfo } from '../store/stringPool';
import { jsonDoubleText, JsonByteReader, NOT_FAST, NotFastPath } from './jsonByteReader';
import { wordsToMsRest } from '../store/unixNano';

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
  schemaUrl: k('schemaUrl'),
  droppedAttributesCount: k('droppedAttributesCount'),
  droppedEventsCount: k('droppedEventsCount'),
  droppedLinksCount: k('droppedLinksCount'),
  traceState: k('traceState'),
  flags: k('flags'),
  links: k('links'),
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
  /** The caps of the span being read (its attributes, events and links). */
  private readonly budget: SpanBudget;
  /** Scratch words for an event's time. */
  private readonly eventWords = new Uint32Array(2);
  // Where the last trace id / parent id were read, and their strings.
  private readonly lastTrace = { s: -1, value: '' };
  private readonly lastParent = { s: -1, value: '' };

  constructor(
    buf: Buffer,
    private readonly ctx: DecodeContext,
  ) {
    super(buf);
    this.budget = new SpanBudget(ctx.limits);
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
    const parts = emptyOriginParts();
    const scopes: [number, number, OriginParts][] = [];
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.resource)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.attributes)) [parts.resourceKeys, parts.resourceValues] = this.plainAttributes(new SpanBudget(this.ctx.limits));
              else if (this.keyIs(K.droppedAttributesCount)) parts.resourceDropped = this.count();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (this.keyIs(K.schemaUrl)) parts.resourceSchemaUrl = this.nullableString();
        else if (this.keyIs(K.scopeSpans)) {
          if (this.openArray()) {
            do scopes.push(this.scopeSpans());
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    const spans = this.out.spans;
    for (const [from, to, scope] of scopes) {
      const origin = this.ctx.origin({ ...scope, resourceKeys: parts.resourceKeys, resourceValues: parts.resourceValues, resourceDropped: parts.resourceDropped, resourceSchemaUrl: parts.resourceSchemaUrl });
      for (let i = from; i < to; i++) spans[i]!.origin = origin;
    }
  }

  private scopeSpans(): [number, number, OriginParts] {
    const from = this.out.spans.length;
    const parts = emptyOriginParts();
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.scope)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.name)) parts.scopeName = this.nullableString();
              else if (this.keyIs(K.version)) parts.scopeVersion = this.nullableString();
              else if (this.keyIs(K.attributes)) [parts.scopeKeys, parts.scopeValues] = this.plainAttributes(new SpanBudget(this.ctx.limits));
              else if (this.keyIs(K.droppedAttributesCount)) parts.scopeDropped = this.count();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (this.keyIs(K.schemaUrl)) parts.scopeSchemaUrl = this.nullableString();
        else if (this.keyIs(K.spans)) {
          if (this.openArray()) {
            do this.span();
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    return [from, this.out.spans.length, parts];
  }

  /** A uint32 (count or flags), as a number or decimal string; 0 when absent or out of range. */
  private count(): number {
    const c = this.ws();
    if (c === 0x6e) {
      this.literal('null');
      return 0;
    }
    return count(c === QUOTE ? this.string() : this.number());
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
    let status = 0;
    let statusMessage = '';
    let n = 0;
    let events: EventRecord[] | undefined;
    let links: LinkRecord[] | undefined;
    let traceState = '';
    let flags = 0;
    let droppedAttributes = 0;
    let droppedEvents = 0;
    let droppedLinks = 0;
    let timeProblem = '';
    const ctx = this.ctx;
    const slot = this.times.next();
    const slab = this.times.array;
    const at = slot * 4;
    this.budget.reset();
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
        } else if (len === 17 && this.keyIs(K.startTimeUnixNano)) {
          if (!this.nanos(slab, at)) timeProblem ||= BAD_START;
        } else if (len === 15 && this.keyIs(K.endTimeUnixNano)) {
          if (!this.nanos(slab, at + 2)) timeProblem ||= BAD_END;
        } else if (len === 10 && this.keyIs(K.attributes)) n = this.attributes();
        else if (len === 6 && this.keyIs(K.events)) events = this.events();
        else if (len === 6 && this.keyIs(K.status)) {
          if (this.ws() === 0x6e) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.code)) {
                if (this.ws() === QUOTE) throw NOT_FAST;
                status = this.int();
              } else if (this.keyIs(K.message)) statusMessage = this.nullableString();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (len === 10 && this.keyIs(K.traceState)) traceState = this.nullableString();
        else if (len === 5 && this.keyIs(K.flags)) flags = this.count();
        else if (len === 5 && this.keyIs(K.links)) links = this.links();
        else if (len === 22 && this.keyIs(K.droppedAttributesCount)) droppedAttributes = this.count();
        else if (len === 18 && this.keyIs(K.droppedEventsCount)) droppedEvents = this.count();
        else if (len === 17 && this.keyIs(K.droppedLinksCount)) droppedLinks = this.count();
        else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    let problem = '';
    if (!traceId) problem = 'traceId must be 16 bytes of hex, not all zero';
    else if (!spanId) problem = 'spanId must be 8 bytes of hex, not all zero';
    else problem = timeProblem || timesProblem(slab, at);
    const out = this.out;
    if (problem) {
      if (out.rejected++ === 0) out.firstError = `span ${out.spans.length + out.rejected - 1}: ${problem}`;
      return;
    }
    const values = n === 0 ? EMPTY_VALUES : this.values.slice(0, n);
    const keys = n === 0 ? EMPTY_KEYS : ctx.shapes.share(this.keys, n);
    const bits = packBits(slot, status, kind, flags);
    const rare = oddBits(bits) || statusMessage || traceState || events || links || droppedAttributes || droppedEvents || droppedLinks || this.budget.cut;
    const extra = rare ? spanExtra(status, kind, flags, statusMessage, traceState, events, links, droppedAttributes, droppedEvents, droppedLinks, this.budget.cut) : undefined;
    if (extra) shareExtraStrings(extra, traceId, (s) => ctx.traceState(s));
    out.spans.push(new SpanRecord(traceId, spanId, parent, name, slab, bits, keys, values, PENDING_ORIGIN, extra));
  }

  /** Links are rare: read with JSON.parse and the object decoder. */
  private links(): LinkRecord[] | undefined {
    // Exporters send `"links":[]` with every span: settled without leaving the fast path.
    if (this.ws() === 0x5b) {
      const at = this.pos;
      this.pos++;
      if (this.ws() === CLOSE_BRACKET) {
        this.pos++;
        return undefined;
      }
      this.pos = at;
    }
    const raw: unknown = JSON.parse(this.rawValue());
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    const links: LinkRecord[] = [];
    for (const l of raw) {
      const link = typeof l === 'object' && l !== null && !Array.isArray(l) ? jsonLink(l as Record<string, unknown>, this.ctx, this.budget) : undefined;
      if (link) links.push(link);
    }
    return links.length > 0 ? links : undefined;
  }

  /** Span attributes into the scratch arrays; returns how many. */
  private attributes(): number {
    let n = 0;
    if (!this.openArray()) return 0;
    do {
      if (this.keyValue(this.keys, this.values, n, this.budget)) n++;
    } while (this.more(CLOSE_BRACKET));
    return n;
  }

  private plainAttributes(budget: SpanBudget): [string[], AttrValue[]] {
    const keys: string[] = [];
    const values: AttrValue[] = [];
    let n = 0;
    if (this.openArray()) {
      do {
        if (this.keyValue(keys, values, n, budget)) n++;
      } while (this.more(CLOSE_BRACKET));
    }
    keys.length = n;
    values.length = n;
    // Exact-size copy: a grown array keeps spare room for as long as it is stored.
    return [this.ctx.shapes.share(keys, n), values.slice(0, n)];
  }

  /** One {"key": …, "value": {…}} into slot n; false when it has no key. */
  private keyValue(keys: string[], values: AttrValue[], n: number, budget: SpanBudget): boolean {
    const ctx = this.ctx;
    let info: KeyInfo | undefined;
    let value: AttrValue | undefined;
    this.ws();
    const at = this.pos;
    const used = budget.used;
    const cut = budget.cut;
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
        value = this.anyValue(info, budget);
        if (this.buf[this.pos] === CLOSE_BRACE) {
          this.pos++;
          keys[n] = info.key;
          values[n] = value;
          return true;
        }
      }
      this.pos = at;
      info = undefined;
      value = undefined;
      budget.used = used;
      budget.cut = cut;
    }
    if (!this.openObject()) return false;
    let valueAt = -1;
    let valueEnd = -1;
    do {
      this.key();
      if (this.keyIs(K.key)) {
        this.stringRange();
        info = ctx.keyBytes.get(this.buf, this.ks, this.ke);
        if (info === undefined) {
          info = ctx.pool.key(this.slices.utf8Slice(this.ks, this.ke));
          ctx.keyBytes.store(this.buf, this.ks, this.ke, info);
        }
      } else if (this.keyIs(K.value)) {
        // The key may come after its value: read the value as raw text, decode it once the key is known.
        const s = (this.ws(), this.pos);
        this.skip();
        valueAt = s;
        valueEnd = this.pos;
      } else this.skip();
    } while (this.more(CLOSE_BRACE));
    if (info === undefined) return false;
    if (valueAt >= 0) {
      const end = this.pos;
      this.pos = valueAt;
      value = this.anyValue(info, budget);
      if (this.pos !== valueEnd) throw NOT_FAST;
      this.pos = end;
    }
    keys[n] = info.key;
    values[n] = value ?? EMPTY_VALUE;
    return true;
  }

  private anyValue(info: KeyInfo | undefined, budget: SpanBudget): AttrValue {
    if (this.ws() === 0x6e) {
      this.literal('null');
      return EMPTY_VALUE;
    }
    const start = this.pos;
    if (info !== undefined && this.literalAhead(STRING_VALUE)) {
      const s = this.pos;
      const e = this.noEscapes ? this.buf.indexOf(QUOTE, s) : this.quoteEnd();
      if (e > 0 && this.buf[e + 1] === CLOSE_BRACE) {
        this.pos = e + 2;
        if (info.values === undefined) return budget.string(this.slices.utf8Slice(s, e), e - s);
        const ctx = this.ctx;
        const known = ctx.valueBytes.get(this.buf, s, e);
        if (known !== undefined) return budget.string(known, e - s);
        const v = ctx.pool.value(info, this.slices.utf8Slice(s, e));
        if (info.values !== undefined) ctx.valueBytes.store(this.buf, s, e, v);
        return budget.string(v, e - s);
      }
      this.pos = start;
    }
    let v: AttrValue = EMPTY_VALUE;
    if (!this.openObject()) return v;
    do {
      this.key();
      const len = this.ke - this.ks;
      if (len === 11 && this.keyIs(K.stringValue)) {
        if (this.ws() !== QUOTE) throw NOT_FAST;
        this.stringRange();
        const bytes = this.ke - this.ks;
        if (info !== undefined && info.values !== undefined) {
          const ctx = this.ctx;
          const known = ctx.valueBytes.get(this.buf, this.ks, this.ke);
          if (known !== undefined) v = known;
          else {
            v = ctx.pool.value(info, this.slices.utf8Slice(this.ks, this.ke));
            if (info.values !== undefined) ctx.valueBytes.store(this.buf, this.ks, this.ke, v);
          }
        } else v = this.slices.utf8Slice(this.ks, this.ke);
        v = budget.string(v, bytes);
      } else if (len === 8 && this.keyIs(K.intValue)) {
        const c = this.ws();
        const x = c === QUOTE ? this.string() : this.number();
        if (typeof x === 'number') {
          if (!Number.isSafeInteger(x)) throw NOT_FAST;
          v = x;
        } else {
          const i = intFromText(x);
          if (i === undefined) throw NOT_FAST;
          v = i;
        }
        v = typeof v === 'number' ? budget.scalar(v) : budget.value(v);
      } else if (len === 9 && this.keyIs(K.boolValue)) {
        const c = this.ws();
        if (c === 0x74) {
          this.literal('true');
          v = true;
        } else {
          this.literal('false');
          v = false;
        }
        v = budget.scalar(v);
      } else if (len === 11 && this.keyIs(K.doubleValue)) {
        // Numbers, and the strings OTLP/JSON writes for NaN and ±Infinity.
        const d = doubleValue(this.ws() === QUOTE ? jsonDoubleText(this.string()) : this.number());
        v = typeof d === 'number' ? budget.scalar(d) : budget.value(d);
      } else {
        // arrayValue, kvlistValue, bytesValue and the unexpected: decode this AnyValue the slow way.
        this.pos = start;
        return budget.value(objectAnyValue(JSON.parse(this.rawValue()), this.ctx, 0, info));
      }
    } while (this.more(CLOSE_BRACE));
    return v;
  }

  private events(): EventRecord[] | undefined {
    if (!this.openArray()) return undefined;
    const events: EventRecord[] = [];
    const words = this.eventWords;
    do {
      let name = '';
      let keys: string[] = EMPTY_KEYS;
      let values: AttrValue[] = EMPTY_VALUES;
      let dropped = 0;
      let valid = true;
      words[0] = words[1] = 0;
      if (this.openObject()) {
        do {
          this.key();
          if (this.keyIs(K.name)) name = this.ctx.pool.intern(this.nullableString());
          else if (this.keyIs(K.timeUnixNano)) valid = this.nanos(words, 0);
          else if (this.keyIs(K.attributes)) [keys, values] = this.plainAttributes(this.budget);
          else if (this.keyIs(K.droppedAttributesCount)) dropped = this.count();
          else this.skip();
        } while (this.more(CLOSE_BRACE));
      }
      if (!valid) continue;
      const time = wordsToMsRest(words[0]!, words[1]!);
      events.push({ name, timeMs: time.ms, timeRest: time.rest, keys, values, dropped });
    } while (this.more(CLOSE_BRACKET));
    return events.length > 0 ? events : undefined;
  }
}

const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: AttrValue[] = [];
/** Replaced once the resource and scope of the spans are known. */
const PENDING_ORIGIN: SpanOrigin = { ...emptyOriginParts(), serviceName: 'unknown_service' };

/**
 * Decodes an OTLP/JSON body from its bytes: the byte scanner for the common shape, JSON.parse and
 * the object walk for everything else (and for the error message of a malformed body).
 */
export function decodeOtlpJsonBytes(body: Buffer, ctx: DecodeContext): DecodedBatch {
  return scanOtlpJson(body, ctx) ?? decodeOtlpJson(body.toString('utf8'), ctx);
}
