import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext } from '../store/decodedBatch';
import { topValue } from './otlpJsonDecoder';
import { doubleValue, EMPTY_VALUE, intFromText, type SpanBudget } from '../store/otlpValues';
import type { KeyInfo } from '../store/stringPool';
import { jsonDoubleText, JsonByteReader, Lit, NOT_FAST, NotFastPath } from './jsonByteReader';
import { IndexBuilder, V_BOOL, V_DICT, V_EMPTY, V_INT, V_OTHER, type IndexScratch } from './spanIndex';

// Byte values (plain constants: a const enum would not be inlined across files here).
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const N = 0x6e;

const KEY = new Lit('key');
const VALUE = new Lit('value');
/** What the OTel JSON serializer writes around attribute keys and values (compact JSON). */
const KV_KEY = new Lit('{"key":"');
const KV_VALUE = new Lit(',"value":');
const STRING_VALUE = new Lit('{"stringValue":"');
const INT_VALUE = new Lit('{"intValue":');
const BOOL_VALUE = new Lit('{"boolValue":');
const DOUBLE_VALUE = new Lit('{"doubleValue":');

/** Places of a span's attribute list whose keys are remembered (see `memoAt`). */
const MEMO_PLACES = 32;
/**
 * Values remembered per place, most recently used first: a batch's spans of two or three kinds
 * (calls, steps) put two or three repeating values at one place (`"EC2"`, `"ELBv2"`, an int), which
 * two ways lost to one another on every span.
 */
const VALUE_WAYS = 4;

/**
 * The attribute part of the OTLP/JSON span indexer (otlpJsonScanner.ts): KeyValues and AnyValues
 * read from the body's bytes into value pairs of a span index (spanIndex.ts) — strings by range or
 * dictionary id, small integers and booleans as they are, anything else decoded whole.
 */
export class JsonAttributeIndexer extends JsonByteReader {
  protected readonly b: IndexBuilder;
  /**
   * The attribute keys last seen at each place of a span's list, two per place (a batch mostly
   * alternates a few key lists): where their text is in this body, its length, and the key. A key
   * whose bytes equal one of them is known without a lookup.
   */
  private readonly memoAt = new Int32Array(2 * MEMO_PLACES).fill(-1);
  private readonly memoLen = new Int32Array(2 * MEMO_PLACES);
  private readonly memoInfo: (KeyInfo | undefined)[] = new Array<KeyInfo | undefined>(2 * MEMO_PLACES).fill(undefined);
  /**
   * The same for values, place by place: the text of a repeated string value (its dictionary id),
   * an int that fits the pair or a boolean, with the attribute's closing brace (`{"intValue":200}}`),
   * its value pair and the bytes it counts against the span's budget.
   */
  private readonly valueAt = new Int32Array(VALUE_WAYS * MEMO_PLACES).fill(-1);
  private readonly valueLen = new Int32Array(VALUE_WAYS * MEMO_PLACES);
  private readonly valueTag = new Int32Array(VALUE_WAYS * MEMO_PLACES);
  private readonly valueArg = new Int32Array(VALUE_WAYS * MEMO_PLACES);
  private readonly valueBytes = new Int32Array(VALUE_WAYS * MEMO_PLACES);

  constructor(
    buf: Buffer,
    protected readonly ctx: DecodeContext,
    scratch?: IndexScratch,
  ) {
    super(buf);
    // Value pairs take 2 integers per attribute, and exporters write at least ~50 bytes per attribute.
    // Scratch arrays (an index read on this thread, or copied out before it is posted) grow to fit
    // once and are reused: no array of the body's size is allocated, zeroed and page-faulted per body.
    this.b = scratch ? new IndexBuilder(4096, scratch) : new IndexBuilder(Math.max(4096, buf.length >> 4));
  }

  /** Whether the `len` bytes at `a` and `b` (both within the body) are equal. */
  protected same(a: number, b: number, len: number): boolean {
    const view = this.view;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (view.getUint32(a + i, true) !== view.getUint32(b + i, true)) return false;
    const buf = this.buf;
    for (; i < len; i++) if (buf[a + i] !== buf[b + i]) return false;
    return true;
  }

  /** Attributes of a resource, scope or event, as keys and values (not indexed). */
  protected plainAttributes(budget: SpanBudget): [string[], AttrValue[]] {
    const keys: string[] = [];
    const values: AttrValue[] = [];
    if (this.openArray()) {
      do {
        const info = this.keyValue(budget, -1);
        if (info !== undefined) {
          keys.push(info.key);
          values.push(this.takeValue());
        }
      } while (this.more(CLOSE_BRACKET));
    }
    // Exact-size copy: an array grown by push keeps spare room for as long as it is stored.
    return [this.ctx.shapes.share(keys, keys.length), values.slice()];
  }

  /** Removes the value pair indexed last and returns it as a value. */
  private takeValue(): AttrValue {
    const b = this.b;
    b.valueInts -= 2;
    const a = b.values[b.valueInts]!;
    const arg = b.values[b.valueInts + 1]!;
    if (a >= 0) return arg < 0 ? this.slices.latin1Slice(a, a - 1 - arg) : this.slices.utf8Slice(a, a + arg);
    if (a === V_DICT) return this.ctx.dict.strings[arg]!;
    if (a === V_INT) return arg;
    if (a === V_BOOL) return arg !== 0;
    if (a === V_OTHER) return b.other.pop()!;
    return EMPTY_VALUE;
  }

  private keyInfo(s: number, e: number): KeyInfo {
    const ctx = this.ctx;
    let info = ctx.keyBytes.get(this.buf, s, e);
    if (info === undefined) {
      info = ctx.pool.key(this.slices.utf8Slice(s, e));
      ctx.keyBytes.store(this.buf, s, e, info);
    }
    return info;
  }

  /**
   * One {"key": …, "value": {…}}: its value indexed (one pair), its key returned; undefined (and
   * nothing indexed) when it has no key. A key without a value has the empty value.
   */
  protected keyValue(budget: SpanBudget, place: number): KeyInfo | undefined {
    this.ws();
    const at = this.pos;
    const memo = place >= 0 && place < MEMO_PLACES ? 2 * place : -1;
    // Whether the key was known from the text at this place but the value is in another form.
    let general = false;
    if (memo >= 0) {
      // The text from `{"key":"` to the value, as at this place in the last spans: one compare.
      const buf = this.buf;
      for (let m = memo; m < memo + 2; m++) {
        const from = this.memoAt[m]!;
        const len = this.memoLen[m]!;
        if (from >= 0 && at + len <= this.end && buf[at + len - KV_VALUE.length - 1] === QUOTE && this.same(from, at, len)) {
          const info = this.memoInfo[m]!;
          if (this.knownValue(info, budget, memo, at + len)) return info;
          general = true;
          break;
        }
      }
    }
    // The shape exporters write: {"key":"…","value":{…}} — matched literally, else read generally.
    if (!general && this.literalAhead(KV_KEY)) {
      const s = this.pos;
      const e = this.plainStringEnd(s);
      if (e >= 0) {
        const info = this.keyInfo(s, e);
        this.pos = e + 1;
        if (this.literalAhead(KV_VALUE)) {
          if (memo >= 0) {
            this.memoAt[memo + 1] = this.memoAt[memo]!;
            this.memoLen[memo + 1] = this.memoLen[memo]!;
            this.memoInfo[memo + 1] = this.memoInfo[memo];
            this.memoAt[memo] = at;
            this.memoLen[memo] = this.pos - at;
            this.memoInfo[memo] = info;
          }
          if (this.knownValue(info, budget, memo, this.pos)) return info;
        }
      }
    }
    this.pos = at;
    const b = this.b;
    if (!this.openObject()) return undefined;
    let info: KeyInfo | undefined;
    let valueAt = -1;
    let valueEnd = -1;
    do {
      this.key();
      if (this.keyIs(KEY)) {
        if (!this.stringRange()) throw NOT_FAST;
        info = this.keyInfo(this.ks, this.ke);
      } else if (this.keyIs(VALUE)) {
        // The key may come after its value: its range is kept, and it is read once the key is known.
        valueAt = (this.ws(), this.pos);
        this.skip();
        valueEnd = this.pos;
      } else this.skip();
    } while (this.more(CLOSE_BRACE));
    if (info === undefined) return undefined;
    if (valueAt < 0) b.pushValue(V_EMPTY, 0);
    else {
      const end = this.pos;
      this.pos = valueAt;
      this.value(info, budget, -1);
      if (this.pos !== valueEnd) throw NOT_FAST;
      this.pos = end;
    }
    return info;
  }

  /**
   * The value at `vs` of an attribute whose key is known and whose `{"key":"…","value":` prefix was
   * in the exporters' shape: indexed, with the attribute's closing `}` consumed; false (nothing
   * indexed, the budget as it was) when it is in another form, for the general path.
   */
  private knownValue(info: KeyInfo, budget: SpanBudget, memo: number, vs: number): boolean {
    const b = this.b;
    const buf = this.buf;
    if (memo >= 0) {
      // A value at this place of the list as in the last spans (`{"stringValue":"…"}}`,
      // `{"intValue":200}}`): compared whole, its pair known without reading it.
      const first = (memo >> 1) * VALUE_WAYS;
      for (let m = first; m < first + VALUE_WAYS; m++) {
        const from = this.valueAt[m]!;
        if (from < 0) break;
        const len = this.valueLen[m]!;
        if (vs + len <= this.end && buf[vs + len - 2] === CLOSE_BRACE && this.same(from, vs, len)) {
          const tag = this.valueTag[m]!;
          const arg = this.valueArg[m]!;
          const bytes = this.valueBytes[m]!;
          // A dictionary id stands for the value only where the key's values are shared.
          if ((tag === V_DICT && info.values === undefined) || !budget.take(bytes)) break;
          if (m !== first) this.toFront(first, m, from, len, tag, arg, bytes);
          this.pos = vs + len;
          b.pushValue(tag, arg);
          return true;
        }
      }
    }
    this.pos = vs;
    const mark = b.valueInts;
    const other = b.other.length;
    const used = budget.used;
    const cut = budget.cut;
    this.value(info, budget, memo);
    if (buf[this.pos] === CLOSE_BRACE) {
      this.pos++;
      return true;
    }
    b.valueInts = mark;
    b.other.length = other;
    budget.used = used;
    budget.cut = cut;
    return false;
  }

  /** Indexes an AnyValue as one value pair (see spanIndex.ts), within `budget`. */
  private value(info: KeyInfo, budget: SpanBudget, memo: number): void {
    const b = this.b;
    if (this.ws() === N) {
      this.literal('null');
      b.pushValue(V_EMPTY, 0);
      return;
    }
    const start = this.pos;
    if (this.literalAhead(STRING_VALUE)) {
      const s = this.pos;
      const buf = this.buf;
      const e = this.plainStringEnd(s);
      if (e >= 0 && buf[e + 1] === CLOSE_BRACE) {
        this.pos = e + 2;
        const id = this.stringValue(info, budget, s, e, this.ascii);
        if (id >= 0) this.remember(memo, start, e - s);
        return;
      }
    } else if (this.literalAhead(INT_VALUE)) {
      if (this.intValue(budget)) {
        if (b.values[b.valueInts - 2] === V_INT) this.remember(memo, start, 8);
        return;
      }
    } else if (this.literalAhead(BOOL_VALUE)) {
      const c = this.ws();
      if (c === 0x74 || c === 0x66) {
        const v = c === 0x74;
        this.literal(v ? 'true' : 'false');
        if (this.closeValue()) {
          if (budget.take(8)) {
            b.pushValue(V_BOOL, v ? 1 : 0);
            this.remember(memo, start, 8);
          } else b.pushValue(V_OTHER, b.keep(budget.scalar(v)));
          return;
        }
      }
    } else if (this.literalAhead(DOUBLE_VALUE)) {
      if (this.doubleValue(budget)) return;
    } else if (this.buf[start] === 0x7b && this.buf[start + 1] === CLOSE_BRACE) {
      this.pos = start + 2;
      b.pushValue(V_EMPTY, 0);
      return;
    }
    // Arrays, kvlists, bytes, escaped strings, odd forms: this value decoded as the object decoder does.
    this.pos = start;
    b.pushValue(V_OTHER, b.keep(topValue(JSON.parse(this.rawValue()), this.ctx, info, budget)));
  }

  /**
   * Remembers the value just indexed (its pair the last one pushed, its text from `start`) at its
   * place, when the attribute's closing brace follows: a repeat is then one compare. `bytes`: what
   * it counts against the span's budget.
   */
  private remember(memo: number, start: number, bytes: number): void {
    if (memo < 0 || this.buf[this.pos] !== CLOSE_BRACE) return;
    const b = this.b;
    const first = (memo >> 1) * VALUE_WAYS;
    this.toFront(first, first + VALUE_WAYS - 1, start, this.pos + 1 - start, b.values[b.valueInts - 2]!, b.values[b.valueInts - 1]!, bytes);
  }

  /** Puts a value first among its place's ways, the ways before `m` moved one down (the one at `m` dropped). */
  private toFront(first: number, m: number, at: number, len: number, tag: number, arg: number, bytes: number): void {
    for (let w = m; w > first; w--) {
      this.valueAt[w] = this.valueAt[w - 1]!;
      this.valueLen[w] = this.valueLen[w - 1]!;
      this.valueTag[w] = this.valueTag[w - 1]!;
      this.valueArg[w] = this.valueArg[w - 1]!;
      this.valueBytes[w] = this.valueBytes[w - 1]!;
    }
    this.valueAt[first] = at;
    this.valueLen[first] = len;
    this.valueTag[first] = tag;
    this.valueArg[first] = arg;
    this.valueBytes[first] = bytes;
  }

  /** The `}` that closes a one-member AnyValue; false (nothing consumed) when something else follows. */
  private closeValue(): boolean {
    if (this.ws() !== CLOSE_BRACE) return false;
    this.pos++;
    return true;
  }

  /**
   * A string value of the body's bytes [s, e) (`ascii`: known to be all ASCII): by range, by
   * dictionary id when it repeats, or its marker when over the caps. Returns the dictionary id, or -1.
   */
  private stringValue(info: KeyInfo, budget: SpanBudget, s: number, e: number, ascii: boolean): number {
    const b = this.b;
    const bytes = e - s;
    if (!budget.take(bytes)) {
      b.pushValue(V_OTHER, b.keep(budget.string(this.slices.utf8Slice(s, e), bytes)));
      return -1;
    }
    if (info.values !== undefined) {
      const ctx = this.ctx;
      const known = ctx.valueIds.get(this.buf, s, e);
      if (known !== undefined) {
        b.pushValue(V_DICT, known);
        return known;
      }
      const v = ctx.pool.value(info, this.slices.utf8Slice(s, e));
      if (ctx.pool.isShared(v, info)) {
        const id = ctx.dict.id(v);
        ctx.valueIds.store(this.buf, s, e, id);
        b.pushValue(V_DICT, id);
        return id;
      }
    }
    // All-ASCII text is marked (length as -1 - length): its string is made without UTF-8 decoding.
    b.pushValue(s, ascii ? -1 - bytes : bytes);
    return -1;
  }

  /** After `{"intValue":`: a number or decimal string; false (for the general path) when it is neither a safe integer nor an int64's text. */
  private intValue(budget: SpanBudget): boolean {
    const b = this.b;
    let v: AttrValue | undefined;
    if (this.ws() === QUOTE) v = intFromText(this.string());
    else {
      const x = this.number();
      v = Number.isSafeInteger(x) ? x : undefined;
    }
    if (v === undefined || !this.closeValue()) return false;
    if (typeof v === 'number') {
      if ((v | 0) === v && !Object.is(v, -0) && budget.take(8)) b.pushValue(V_INT, v);
      else b.pushValue(V_OTHER, b.keep(budget.scalar(v)));
    } else b.pushValue(V_OTHER, b.keep(budget.value(v)));
    return true;
  }

  /** After `{"doubleValue":`: a number, or the strings OTLP/JSON writes for NaN and ±Infinity. */
  private doubleValue(budget: SpanBudget): boolean {
    let x: number;
    try {
      x = this.ws() === QUOTE ? jsonDoubleText(this.string()) : this.number();
    } catch (e) {
      if (e instanceof NotFastPath) return false;
      throw e;
    }
    if (!this.closeValue()) return false;
    const d = doubleValue(x);
    this.b.pushValue(V_OTHER, this.b.keep(typeof d === 'number' ? budget.scalar(d) : budget.value(d)));
    return true;
  }
}
