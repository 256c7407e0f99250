import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext } from '../store/decodedBatch';
import { count, jsonLink } from './otlpJsonDecoder';
import { SpanBudget } from '../store/otlpValues';
import type { EventRecord, LinkRecord } from '../store/spanRecord';
import { fourHexDigits, Lit, NOT_FAST } from './jsonByteReader';
import { wordsToMsRest } from '../store/unixNano';
import { JsonAttributeIndexer } from './otlpJsonAttributes';
import { NONE, type IndexScratch } from './spanIndex';

// Byte values (plain constants: a const enum would not be inlined across files here).
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACKET = 0x5b;
const QUOTE = 0x22;
const N = 0x6e;

const K = {
  attributes: new Lit('attributes'),
  name: new Lit('name'),
  timeUnixNano: new Lit('timeUnixNano'),
  droppedAttributesCount: new Lit('droppedAttributesCount'),
};

/** An id that is present but all zero (invalid for a trace or span id; a root for a parent id). */
export const ZERO_ID = -2;

/**
 * The parts of a span the OTLP/JSON scanner (otlpJsonScanner.ts) reads with their own small
 * grammars: counts and enums, hex ids, events, links — under the caps of the span being read.
 */
export class JsonSpanPartsIndexer extends JsonAttributeIndexer {
  /** The caps of the span being read (its attributes, events and links). */
  protected readonly budget: SpanBudget;
  /** Scratch words for an event's time. */
  private readonly eventWords = new Uint32Array(2);

  constructor(buf: Buffer, ctx: DecodeContext, scratch: IndexScratch | undefined) {
    super(buf, ctx, scratch);
    this.budget = new SpanBudget(ctx.limits);
  }

  protected count(): number {
    const c = this.ws();
    if (c === N) {
      this.literal('null');
      return 0;
    }
    return count(c === QUOTE ? this.string() : this.number());
  }

  protected int(): number {
    const c = this.ws();
    if (c === QUOTE) throw NOT_FAST; // enum names: the object decoder knows them
    if (c === N) {
      this.literal('null');
      return 0;
    }
    return this.number() | 0;
  }

  /**
   * A hex id of `len` characters (a multiple of 4): its offset; NONE when absent (null or ""),
   * ZERO_ID when all zero. Anything else (uppercase, base64, another length) takes the slow path.
   */
  protected hexId(len: number): number {
    const c = this.ws();
    if (c === N) {
      this.literal('null');
      return NONE;
    }
    if (c !== QUOTE) throw NOT_FAST;
    this.stringRange();
    const s = this.ks;
    if (this.ke - s !== len) {
      if (this.ke === s) return NONE;
      throw NOT_FAST;
    }
    // Four characters at a time (ids are 32 or 16 of them).
    const view = this.view;
    let zero = true;
    for (let p = s; p < this.ke; p += 4) {
      const w = view.getUint32(p, true);
      if (!fourHexDigits(w)) throw NOT_FAST;
      if (w !== 0x30303030) zero = false;
    }
    return zero ? ZERO_ID : s;
  }

  /** Links are rare: read with JSON.parse and the object decoder. */
  protected links(): LinkRecord[] | undefined {
    // Exporters send `"links":[]` with every span: settled without leaving the fast path.
    if (this.ws() === OPEN_BRACKET) {
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

  protected events(): EventRecord[] | undefined {
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
