import { emptyOriginParts, timesProblem, BAD_END, BAD_START, type DecodeContext, type DecodedBatch, type RowBatch } from '../store/decodedBatch';
import { decodeOtlpJson } from './otlpJsonDecoder';
import { SpanBudget } from '../store/otlpValues';
import { SLAB_WORDS, spanExtra, type EventRecord, type LinkRecord, type OriginParts, type SpanExtra } from '../store/spanRecord';
import { Lit, NOT_FAST, NotFastPath } from './jsonByteReader';
import { JsonSpanPartsIndexer } from './otlpJsonSpanParts';
import { F_PARENT, F_SPAN, F_TRACE, materialize, NONE, SAME, V_DICT, type IndexScratch, type SpanIndex } from './spanIndex';
import { indexRows } from './indexRows';

// Byte values (plain constants: a const enum would not be inlined across files here).
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const N = 0x6e;

const k = (s: string): Lit => new Lit(s);
const K = {
  resourceSpans: k('resourceSpans'),
  resource: k('resource'),
  scopeSpans: k('scopeSpans'),
  scope: k('scope'),
  spans: k('spans'),
  attributes: k('attributes'),
  name: k('name'),
  version: k('version'),
  code: k('code'),
  message: k('message'),
  schemaUrl: k('schemaUrl'),
  droppedAttributesCount: k('droppedAttributesCount'),
};

/** A span's members, in the order the OTel JSON serializer writes them (the M_* indices). */
const SPAN_MEMBER_TEXT = ['traceId', 'spanId', 'parentSpanId', 'traceState', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'status', 'links', 'droppedLinksCount', 'flags'];
const M_TRACE_ID = 0;
const M_SPAN_ID = 1;
const M_PARENT_SPAN_ID = 2;
const M_TRACE_STATE = 3;
const M_NAME = 4;
const M_KIND = 5;
const M_START = 6;
const M_END = 7;
const M_ATTRIBUTES = 8;
const M_DROPPED_ATTRIBUTES = 9;
const M_EVENTS = 10;
const M_DROPPED_EVENTS = 11;
const M_STATUS = 12;
const M_LINKS = 13;
const M_DROPPED_LINKS = 14;
const M_FLAGS = 15;
/** The members a remembered text after a span's attributes may hold (bits by M_* index). */
const TAIL_MEMBERS = (1 << M_DROPPED_ATTRIBUTES) | (1 << M_EVENTS) | (1 << M_DROPPED_EVENTS) | (1 << M_STATUS) | (1 << M_LINKS) | (1 << M_DROPPED_LINKS) | (1 << M_FLAGS);
/** Each member as compact JSON writes it (`"name":`), and its bare name. */
const SPAN_MEMBERS = SPAN_MEMBER_TEXT.map((m) => new Lit(`"${m}":`));
const SPAN_MEMBER_NAMES = SPAN_MEMBER_TEXT.map((m) => new Lit(m));


/**
 * Indexes OTLP/JSON straight from the body's bytes: a span index (spanIndex.ts) over the same
 * bytes, as the protobuf reader makes — ids and one-off strings as ranges of the body, what repeats
 * as dictionary ids, small integers as they are. No parsed object tree and no per-span object is
 * made here: on a decode worker only integers (and the dictionary's new strings) are posted back,
 * and `materialize` makes the records where they are stored. It handles the shape exporters send;
 * anything else — escapes in names or keys, uppercase or base64 ids, enum names, malformed JSON —
 * makes it give up (returns undefined) and the caller decodes with JSON.parse, which also gives the
 * precise error message. Attribute values it does not read itself (arrays, kvlists, bytes, escaped
 * strings) are parsed one by one with JSON.parse and the object decoder.
 */
export function indexOtlpJson(buf: Buffer, ctx: DecodeContext, scratch?: IndexScratch): SpanIndex | undefined {
  if (ctx.dict.full) ctx.clear();
  try {
    return new JsonSpanIndexer(buf, ctx, scratch).request();
  } catch (e) {
    if (e instanceof NotFastPath || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** The records of a body the index reads (in place); undefined when it takes the slow path. */
export function scanOtlpJson(buf: Buffer, ctx: DecodeContext): DecodedBatch | undefined {
  const ix = indexOtlpJson(buf, ctx);
  return ix && materialize(ix, buf, ctx.dict, ctx);
}

/**
 * Decodes an OTLP/JSON body from its bytes: the index for the common shape, JSON.parse and the
 * object walk for everything else (and for the error message of a malformed body).
 */
export function decodeOtlpJsonBytes(body: Buffer, ctx: DecodeContext): DecodedBatch {
  return scanOtlpJson(body, ctx) ?? decodeOtlpJson(body.toString('utf8'), ctx);
}

/**
 * `decodeOtlpJsonBytes` for the store: a body in the exporters' shape as rows written straight
 * from its index (no record per span, as a worker's index is stored); the JSON.parse path's records
 * otherwise.
 */
export function decodeOtlpJsonRows(body: Buffer, ctx: DecodeContext): DecodedBatch | RowBatch {
  // The index lives in this thread's scratch arrays until the next body is indexed (as protobuf's).
  const ix = indexOtlpJson(body, ctx, ctx.indexScratch);
  return ix ? indexRows(ix, body, ctx.dict, ctx) : decodeOtlpJson(body.toString('utf8'), ctx);
}

class JsonSpanIndexer extends JsonSpanPartsIndexer {
  /** Per ScopeSpans: its origin (the resource's parts are filled in when the resource is read). */
  private readonly origins: OriginParts[] = [];
  private readonly extras: [number, SpanExtra][] = [];
  /** The times of the span being read. */
  private readonly times = new Uint32Array(SLAB_WORDS);
  private readonly keys: string[] = [];
  /** Values kept whole (`b.other`) before the span being read: dropped with it when it is rejected. */
  private otherFrom = 0;
  private rejected = 0;
  private firstError = '';
  // Where the trace id and parent id of the last indexed span were: equal text is marked SAME.
  private lastTrace = -1;
  private lastParent = -1;
  /**
   * The text of the last span after its attributes (`],"droppedAttributesCount":0,…,"flags":257}`)
   * when it held only counts, flags, a status code and empty events and links: where it is, its
   * length (0: none), which members it set (bits by M_* index) and their values. A span whose text
   * after its attributes is the same bytes takes those values without reading them again.
   */
  private tailAt = 0;
  private tailLen = 0;
  private tailSet = 0;
  private readonly tailValues = new Float64Array(SPAN_MEMBER_TEXT.length);

  request(): SpanIndex {
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
    const ix = this.b.index({ origins: this.origins, extras: this.extras, generation: this.ctx.dict.generation, idText: true, rejected: this.rejected, firstError: this.firstError });
    // Records keep views of this array while stored: a few spans must not keep room for 256 alive.
    if (2 * ix.times.byteLength < ix.times.buffer.byteLength) ix.times = ix.times.slice();
    return ix;
  }

  private resourceSpans(): void {
    const resource = emptyOriginParts();
    // Scopes may come before the resource: their origins get its parts once the object is read.
    const firstScope = this.origins.length;
    if (this.openObject()) {
      do {
        this.key();
        if (this.keyIs(K.resource)) {
          if (this.ws() === N) this.literal('null');
          else if (this.openObject()) {
            do {
              this.key();
              if (this.keyIs(K.attributes)) [resource.resourceKeys, resource.resourceValues] = this.plainAttributes(new SpanBudget(this.ctx.limits));
              else if (this.keyIs(K.droppedAttributesCount)) resource.resourceDropped = this.count();
              else this.skip();
            } while (this.more(CLOSE_BRACE));
          }
        } else if (this.keyIs(K.schemaUrl)) resource.resourceSchemaUrl = this.nullableString();
        else if (this.keyIs(K.scopeSpans)) {
          if (this.openArray()) {
            do this.scopeSpans();
            while (this.more(CLOSE_BRACKET));
          }
        } else this.skip();
      } while (this.more(CLOSE_BRACE));
    }
    for (let i = firstScope; i < this.origins.length; i++) {
      const o = this.origins[i]!;
      o.resourceKeys = resource.resourceKeys;
      o.resourceValues = resource.resourceValues;
      o.resourceDropped = resource.resourceDropped;
      o.resourceSchemaUrl = resource.resourceSchemaUrl;
    }
  }

  private scopeSpans(): void {
    const parts = emptyOriginParts();
    const origin = this.origins.push(parts) - 1;
    if (!this.openObject()) return;
    do {
      this.key();
      if (this.keyIs(K.scope)) {
        if (this.ws() === N) this.literal('null');
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
          do this.span(origin);
          while (this.more(CLOSE_BRACKET));
        }
      } else this.skip();
    } while (this.more(CLOSE_BRACE));
  }

  /** A uint32 (count or flags), as a number or decimal string; 0 when absent or out of range. */
  /** A trace id: the previous span's (already checked) is recognised by comparing its text. */
  private traceId(): number {
    const last = this.lastTrace;
    if (last >= 0 && this.ws() === QUOTE && this.buf[this.pos + 33] === QUOTE && this.same(last, this.pos + 1, 32)) {
      this.pos += 34;
      return last;
    }
    return this.hexId(32);
  }

  private span(origin: number): void {
    const ctx = this.ctx;
    const b = this.b;
    const buf = this.buf;
    let trace = NONE;
    let span = NONE;
    let parent = NONE;
    // The name: [offset, length] of its text, or [V_DICT, id]; '' when absent.
    let nameA = 0;
    let nameB = 0;
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
    const times = this.times;
    times[0] = times[1] = times[2] = times[3] = 0;
    const valuesFrom = b.valueInts;
    const budget = this.budget;
    budget.reset();
    // Where the text after the attributes began (-1: not a tail to remember), the members it set.
    let tailFrom = -1;
    let tailSet = 0;
    let replayed = false;
    // The members read so far (bits by M_* index): a repeated one (JSON.parse keeps the last, and
    // its lists would be indexed twice) sends the body to the JSON.parse path.
    let seen = 0;
    if (this.openObject()) {
      // Exporters write the members in one order: the expected one (or the one after, as optional
      // members may be left out) is confirmed by a few word compares, without scanning its name.
      let next = 0;
      do {
        let m = -1;
        if (this.ws() === QUOTE) {
          for (let j = next; j < next + 2 && j < SPAN_MEMBERS.length; j++) {
            if (this.literalAhead(SPAN_MEMBERS[j]!)) {
              m = j;
              next = j + 1;
              break;
            }
          }
        }
        if (m < 0) {
          this.key();
          for (let j = 0; j < SPAN_MEMBER_NAMES.length && m < 0; j++) if (this.keyIs(SPAN_MEMBER_NAMES[j]!)) m = j;
        }
        if (m >= 0) {
          if (seen & (1 << m)) throw NOT_FAST;
          seen |= 1 << m;
        }
        if (tailFrom >= 0) {
          if (m < 0 || ((1 << m) & TAIL_MEMBERS) === 0) tailFrom = -1;
          else tailSet |= 1 << m;
        }
        switch (m) {
          case M_TRACE_ID:
            trace = this.traceId();
            break;
          case M_SPAN_ID:
            span = this.hexId(16);
            break;
          case M_PARENT_SPAN_ID:
            parent = this.hexId(16);
            break;
          case M_TRACE_STATE:
            traceState = this.nullableString();
            break;
          case M_NAME: {
            if (!this.stringRange()) throw NOT_FAST;
            const s = this.ks;
            const e = this.ke;
            const known = ctx.nameIds.get(buf, s, e);
            if (known !== undefined) {
              nameA = V_DICT;
              nameB = known;
            } else {
              const name = ctx.pool.intern(this.slices.utf8Slice(s, e));
              if (ctx.pool.isShared(name)) {
                nameA = V_DICT;
                nameB = ctx.dict.id(name);
                ctx.nameIds.store(buf, s, e, nameB);
              } else {
                nameA = s;
                nameB = e - s;
              }
            }
            break;
          }
          case M_KIND:
            kind = this.int();
            break;
          case M_START:
            if (!this.nanos(times, 0)) timeProblem ||= BAD_START;
            break;
          case M_END:
            if (!this.nanos(times, 2)) timeProblem ||= BAD_END;
            break;
          case M_ATTRIBUTES: {
            n = this.attributes();
            const at = this.pos;
            const len = this.tailLen;
            if (len > 0 && at + len <= this.end && buf[at + len - 1] === CLOSE_BRACE && this.same(this.tailAt, at, len)) {
              // The same text after the attributes as the last span's: its members as they were read there.
              const set = this.tailSet;
              if (seen & set) throw NOT_FAST;
              const v = this.tailValues;
              if (set & (1 << M_DROPPED_ATTRIBUTES)) droppedAttributes = v[M_DROPPED_ATTRIBUTES]!;
              if (set & (1 << M_EVENTS)) events = undefined;
              if (set & (1 << M_DROPPED_EVENTS)) droppedEvents = v[M_DROPPED_EVENTS]!;
              if (set & (1 << M_STATUS)) {
                status = v[M_STATUS]!;
                statusMessage = '';
              }
              if (set & (1 << M_LINKS)) links = undefined;
              if (set & (1 << M_DROPPED_LINKS)) droppedLinks = v[M_DROPPED_LINKS]!;
              if (set & (1 << M_FLAGS)) flags = v[M_FLAGS]!;
              this.pos = at + len;
              replayed = true;
            } else {
              tailFrom = at;
              tailSet = 0;
            }
            break;
          }
          case M_DROPPED_ATTRIBUTES:
            droppedAttributes = this.count();
            break;
          case M_EVENTS: {
            const at = (this.ws(), this.pos);
            events = this.events();
            // Only an empty list is remembered (a list of dropped events counts against the budget).
            if (this.pos - at !== 2) tailFrom = -1;
            break;
          }
          case M_DROPPED_EVENTS:
            droppedEvents = this.count();
            break;
          case M_STATUS: {
            // A status member is the whole status (as JSON.parse keeps the last of repeated members).
            status = 0;
            statusMessage = '';
            if (this.ws() === N) this.literal('null');
            else if (this.openObject()) {
              do {
                this.key();
                if (this.keyIs(K.code)) status = this.int();
                else if (this.keyIs(K.message)) {
                  statusMessage = this.nullableString();
                  tailFrom = -1;
                } else this.skip();
              } while (this.more(CLOSE_BRACE));
            }
            break;
          }
          case M_LINKS: {
            const at = (this.ws(), this.pos);
            links = this.links();
            if (this.pos - at !== 2) tailFrom = -1;
            break;
          }
          case M_DROPPED_LINKS:
            droppedLinks = this.count();
            break;
          case M_FLAGS:
            flags = this.count();
            break;
          default:
            this.skip();
        }
      } while (!replayed && this.more(CLOSE_BRACE));
    }
    if (tailFrom >= 0) {
      this.tailAt = tailFrom;
      this.tailLen = this.pos - tailFrom;
      this.tailSet = tailSet;
      const v = this.tailValues;
      v[M_DROPPED_ATTRIBUTES] = droppedAttributes;
      v[M_DROPPED_EVENTS] = droppedEvents;
      v[M_STATUS] = status;
      v[M_DROPPED_LINKS] = droppedLinks;
      v[M_FLAGS] = flags;
    }
    let problem = '';
    if (trace < 0) problem = 'traceId must be 16 bytes of hex, not all zero';
    else if (span < 0) problem = 'spanId must be 8 bytes of hex, not all zero';
    else problem = timeProblem || timesProblem(times, 0);
    if (problem) {
      b.valueInts = valuesFrom;
      b.other.length = this.otherFrom;
      if (this.rejected++ === 0) this.firstError = `span ${b.count + this.rejected - 1}: ${problem}`;
      return;
    }
    this.otherFrom = b.other.length;
    const o = b.openSpan();
    const spans = b.spans;
    if (trace === this.lastTrace) spans[o + F_TRACE] = SAME;
    else if (this.lastTrace >= 0 && this.same(this.lastTrace, trace, 32)) spans[o + F_TRACE] = SAME;
    else spans[o + F_TRACE] = this.lastTrace = trace;
    spans[o + F_SPAN] = span;
    // An all-zero parent id is a root, as an empty one.
    if (parent < 0) spans[o + F_PARENT] = NONE;
    else if (this.lastParent >= 0 && this.same(this.lastParent, parent, 16)) spans[o + F_PARENT] = SAME;
    else spans[o + F_PARENT] = this.lastParent = parent;
    b.writeFields(o, nameA, nameB, status, kind, flags, n === 0 ? NONE : ctx.dict.shapeId(ctx.shapes.share(this.keys, n)), origin, times);
    if (!(status >>> 0 === status && status < 4 && kind >>> 0 === kind && kind < 8 && flags < 1024) || statusMessage || traceState || events || links || droppedAttributes || droppedEvents || droppedLinks || budget.cut) {
      const extra = spanExtra(status, kind, flags, statusMessage, traceState, events, links, droppedAttributes, droppedEvents, droppedLinks, budget.cut);
      if (extra) this.extras.push([b.count, extra]);
    }
    b.count++;
  }

  /** Span attributes: keys into the scratch array, values indexed; returns how many. */
  private attributes(): number {
    let n = 0;
    if (!this.openArray()) return 0;
    do {
      const info = this.keyValue(this.budget, n);
      if (info !== undefined) this.keys[n++] = info.key;
    } while (this.more(CLOSE_BRACKET));
    return n;
  }

}
