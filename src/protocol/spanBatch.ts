/**
 * Spans on their way to the timeline webview, column by column: one string table and typed arrays
 * instead of one object per span (with nested attribute and event objects). A structured clone
 * copies a handful of buffers instead of building 100k objects on arrival (VS Code's webview
 * transport even moves typed arrays as binary buffers and hands them to the page as transferables),
 * and the webview reads the columns in place, without allocating per span.
 *
 * Ids and times are held as the collector stores them (see spanColumns.ts): ids as 32-bit words,
 * times as exact nanosecond words, so that the collector makes a batch by copying its rows' words;
 * the page makes hex text only for the ids it shows and milliseconds when it lays spans out. A
 * span's parent is its position in the batch where the batch has a span with the parent's id.
 * A hand-made batch that repeats an id or points parents anywhere draws a different tree, never an
 * unsafe one; everything else {@link isSpanBatch} checks.
 */
import { Attr } from './attributes';
import { hexToWords, ID_WORDS, isSpanHex, isTraceHex, msToNanoWords, PARENT_AT, SPAN_AT, TIME_WORDS, TRACE_AT } from './spanColumns';
import { type AttrValue, type SpanStatusName, type SpanView } from './spanView';

/** {@link SpanBatch.parent} of a root span. */
export const PARENT_NONE = -1;
/** {@link SpanBatch.parent} of a span whose parent is no span of the batch: its id is in `ids` (or `oddIdText`). */
export const PARENT_ELSEWHERE = -2;

export interface SpanBatch {
  /**
   * False: every attribute of the spans, events and links is in the batch. True (what the
   * collector's store sends a timeline): only {@link SUMMARY_ATTRIBUTE_KEYS} and cut (truncated)
   * values of the spans, no attributes of events and links; a span's whole attributes, events and
   * links are asked for when it is selected (`spanDetails`), and `key=value` search of the other
   * attributes runs where they are (`searchSpans`). A 100k-span trace is then mostly fixed-width
   * columns instead of a million attribute values.
   */
  summary: boolean;
  /** Every string of the batch back to back: string `k` is `text.slice(textEnd[k - 1] ?? 0, textEnd[k])`. */
  text: string;
  textEnd: Uint32Array;
  /**
   * {@link ID_WORDS} per span (see spanColumns.ts): trace id at TRACE_AT, span id at SPAN_AT, parent
   * span id at PARENT_AT (zeros for a root); zeros for an id kept as text (`oddIdText`).
   */
  ids: Uint32Array;
  /** One per span: the position of a span of the batch with the parent's id, {@link PARENT_NONE} or {@link PARENT_ELSEWHERE}. */
  parent: Int32Array;
  /** The spans (ascending) with an id that is not lowercase hex of its length (hand-made, imported): kept as text. */
  oddIdRows: Uint32Array;
  /** Three per odd row: the refs of its trace, span and parent id texts; -1 where that id is words (or, for a parent, none). */
  oddIdText: Int32Array;
  // One entry per span. Strings are refs into the table.
  name: Uint32Array;
  /** {@link TIME_WORDS} per span: start low, high, end low, high (unsigned nanoseconds since the epoch). */
  times: Uint32Array;
  /** Index into {@link STATUS_NAMES}. */
  status: Uint8Array;
  /** -1: none. */
  statusMessage: Int32Array;
  /** OTLP SpanKind (0 unspecified … 5 consumer). */
  kind: Uint8Array;
  /** -1: none. */
  traceState: Int32Array;
  /** OTLP span flags. */
  flags: Uint32Array;
  /** The links of span `i` are `linkFrom[i] .. linkFrom[i + 1] - 1` (one more than spans). */
  linkFrom: Uint32Array;
  // One entry per link.
  linkTraceId: Uint32Array;
  linkSpanId: Uint32Array;
  /** -1: none. */
  linkTraceState: Int32Array;
  linkFlags: Uint32Array;
  /** The attributes of link `l` (one more than links). */
  linkAttrFrom: Uint32Array;
  /** The attributes of span `i` are the entries `attrFrom[i] .. attrFrom[i + 1] - 1` (one more than spans). */
  attrFrom: Uint32Array;
  /** The events of span `i` are `eventFrom[i] .. eventFrom[i + 1] - 1` (one more than spans). */
  eventFrom: Uint32Array;
  // One entry per event.
  eventName: Uint32Array;
  /** Two per event: its time's low and high word (nanoseconds). */
  eventTimes: Uint32Array;
  /** The attributes of event `e` (one more than events). */
  eventAttrFrom: Uint32Array;
  // One entry per attribute (of spans and events).
  attrKey: Uint32Array;
  /** One of {@link AttrKind}. */
  attrType: Uint8Array;
  /**
   * By kind: a string's ref; 1/0 for a boolean; for a number or double its index in `numbers`; the
   * ref of an int's decimal text, of bytes' base64, of a list's or structure's JSON text; 0 for
   * empty; for a truncated value the index in `numbers` of its size, followed by its kept text's ref.
   */
  attrValue: Uint32Array;
  /** The values of number and double attributes, and truncated values' sizes and text refs. */
  numbers: Float64Array;
}

/**
 * The span attributes a summary batch keeps: all the timeline reads from a batch besides names,
 * ids, times and status — the span's kind in a run and a pass's convergence (the tree's rows and
 * marks), the plan's outcome (the root's label), the procedure id (Open Trace from a CodeLens
 * selects its first step) and `code.filepath` (whether "Go to code" is offered).
 */
export const SUMMARY_ATTRIBUTE_KEYS: readonly string[] = [Attr.kind, Attr.passConverged, Attr.planOutcome, Attr.procedureId, Attr.codeFilepath];

export const STATUS_NAMES: readonly SpanStatusName[] = ['unset', 'ok', 'error'];

/**
 * Attribute kinds of a batch: `number` is a plain number (an int when integral, else a double),
 * `double` a double JavaScript would take for an int (3.0, -0) or JSON cannot write (NaN, ±Infinity),
 * `int` an int beyond 2^53, `structure` a tagged list or kvlist (JSON text).
 */
export const AttrKind = { string: 0, number: 1, boolean: 2, array: 3, int: 4, double: 5, bytes: 6, structure: 7, empty: 8, truncated: 9 } as const;

/** The columns of a batch being built (everything but its string table, numbers and odd ids). */
export type BatchColumns = Omit<SpanBatch, 'text' | 'textEnd' | 'numbers' | 'summary' | 'oddIdRows' | 'oddIdText'>;

/** The spans of a batch whose ids are kept as text: see {@link SpanBatch.oddIdRows}. */
export interface OddIds {
  rows: Uint32Array;
  text: Int32Array;
}

/** No odd ids. */
export const NO_ODD_IDS: OddIds = { rows: new Uint32Array(0), text: new Int32Array(0) };

/** Columns sized for `n` spans, `links` links, `events` events and `attrs` attributes (of all three). */
export function allocateBatch(n: number, links: number, events: number, attrs: number): BatchColumns {
  return {
    ids: new Uint32Array(n * ID_WORDS),
    parent: new Int32Array(n),
    name: new Uint32Array(n),
    times: new Uint32Array(n * TIME_WORDS),
    status: new Uint8Array(n),
    statusMessage: new Int32Array(n),
    kind: new Uint8Array(n),
    traceState: new Int32Array(n),
    flags: new Uint32Array(n),
    linkFrom: new Uint32Array(n + 1),
    linkTraceId: new Uint32Array(links),
    linkSpanId: new Uint32Array(links),
    linkTraceState: new Int32Array(links),
    linkFlags: new Uint32Array(links),
    linkAttrFrom: new Uint32Array(links + 1),
    attrFrom: new Uint32Array(n + 1),
    eventFrom: new Uint32Array(n + 1),
    eventName: new Uint32Array(events),
    eventTimes: new Uint32Array(2 * events),
    eventAttrFrom: new Uint32Array(events + 1),
    attrKey: new Uint32Array(attrs),
    attrType: new Uint8Array(attrs),
    attrValue: new Uint32Array(attrs),
  };
}

/** Strings joined at a time: see {@link BatchStrings}. */
const CHUNK = 8192;

/** The string table of a batch being built, with the `numbers` column: each string is stored once. */
export class BatchStrings {
  private readonly refs = new Map<string, number>();
  // The text is joined a chunk of strings at a time, then the chunks: one `join` of a million
  // strings built an internal buffer as large as the array again (4.3 MB for 1.6 MB of text from
  // 100k strings), and the array of every string was another 0.8 MB per 100k.
  private chunk: string[] = new Array<string>(CHUNK);
  private inChunk = 0;
  private readonly chunks: string[] = [];
  private count = 0;
  // Typed and grown by doubling: a million ends pushed to a plain array, then copied, cost several
  // times more (and garbage) than writing them in place.
  private length = 0;
  private nums: Float64Array = new Float64Array(64);
  private numCount = 0;

  private ends: Uint32Array = new Uint32Array(1024);

  /** How many strings the table holds. */
  get size(): number {
    return this.count;
  }

  /**
   * Makes room for about `capacity` strings (it grows beyond): a million ends grown by doubling
   * are copied twenty times over, and left behind as garbage each time.
   */
  reserve(capacity: number): void {
    if (capacity > this.ends.length) {
      const ends = new Uint32Array(capacity);
      ends.set(this.ends.subarray(0, this.count));
      this.ends = ends;
    }
  }

  /** The ref of `s` (added to the table when new). */
  ref(s: string): number {
    let r = this.refs.get(s);
    if (r === undefined) {
      r = this.add(s);
      this.refs.set(s, r);
    }
    return r;
  }

  /**
   * Adds `s` as a string of its own, without looking for an equal one (values known not to repeat,
   * strings the caller dedupes itself). Such a string is not found by {@link ref} later.
   */
  add(s: string): number {
    const r = this.count++;
    this.chunk[this.inChunk++] = s;
    if (this.inChunk === CHUNK) {
      this.chunks.push(this.chunk.join(''));
      this.chunk = new Array<string>(CHUNK);
      this.inChunk = 0;
    }
    if (r === this.ends.length) this.ends = grownU32(this.ends);
    this.ends[r] = this.length += s.length;
    return r;
  }

  /** Appends to `numbers`; returns the index. */
  number(x: number): number {
    if (this.numCount === this.nums.length) {
      const next = new Float64Array(this.nums.length * 2);
      next.set(this.nums);
      this.nums = next;
    }
    this.nums[this.numCount] = x;
    return this.numCount++;
  }

  /** Writes attribute `a`'s type and value (its key ref is the caller's). */
  putValue(b: BatchColumns, a: number, v: AttrValue): void {
    if (typeof v === 'string') {
      b.attrValue[a] = this.ref(v);
    } else if (typeof v === 'number') {
      b.attrType[a] = AttrKind.number;
      b.attrValue[a] = this.number(v);
    } else if (typeof v === 'boolean') {
      b.attrType[a] = AttrKind.boolean;
      b.attrValue[a] = v ? 1 : 0;
    } else if (Array.isArray(v)) {
      b.attrType[a] = AttrKind.array;
      b.attrValue[a] = this.ref(JSON.stringify(v, nonFiniteAsText));
    } else {
      switch (v.kind) {
        case 'int':
          b.attrType[a] = AttrKind.int;
          b.attrValue[a] = this.ref(v.value);
          break;
        case 'double':
          b.attrType[a] = AttrKind.double;
          b.attrValue[a] = this.number(Number(v.value));
          break;
        case 'bytes':
          b.attrType[a] = AttrKind.bytes;
          b.attrValue[a] = this.ref(v.base64);
          break;
        case 'empty':
          b.attrType[a] = AttrKind.empty;
          break;
        case 'truncated':
          b.attrType[a] = AttrKind.truncated;
          b.attrValue[a] = this.number(v.length);
          this.number(this.ref(v.value));
          break;
        default:
          b.attrType[a] = AttrKind.structure;
          b.attrValue[a] = this.ref(JSON.stringify(v));
      }
    }
  }

  /** The finished batch of these columns (`summary`: see {@link SpanBatch.summary}). */
  finish(b: BatchColumns, summary = false, odd: OddIds = NO_ODD_IDS): SpanBatch {
    // Exact-size copies: a view on the grown buffers would post all of their spare room.
    this.chunk.length = this.inChunk;
    this.chunks.push(this.chunk.join(''));
    const text = this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
    return { summary, text, textEnd: this.ends.slice(0, this.count), ...b, oddIdRows: odd.rows, oddIdText: odd.text, numbers: this.nums.slice(0, this.numCount) };
  }
}

function grownU32(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(a.length * 2);
  next.set(a);
  return next;
}

/** Builds the batch of these spans (test fixtures, spans from elsewhere than the store). Equal strings are stored once. */
export function encodeSpanBatch(spans: readonly SpanView[]): SpanBatch {
  const t = new BatchStrings();
  const n = spans.length;
  let spanAttrs = 0;
  let eventAttrs = 0;
  let eventCount = 0;
  let linkCount = 0;
  let linkAttrs = 0;
  for (const s of spans) {
    spanAttrs += Object.keys(s.attributes).length;
    eventCount += s.events.length;
    for (const e of s.events) eventAttrs += Object.keys(e.attributes).length;
    if (s.links) {
      linkCount += s.links.length;
      for (const l of s.links) linkAttrs += Object.keys(l.attributes).length;
    }
  }
  const b = allocateBatch(n, linkCount, eventCount, spanAttrs + eventAttrs + linkAttrs);
  // The spans' attributes first, then the events', then the links' (see isSpanBatch).
  const putAttrs = (attrs: Record<string, AttrValue>, a: number): number => {
    for (const key of Object.keys(attrs)) {
      b.attrKey[a] = t.ref(key);
      t.putValue(b, a, attrs[key]!);
      a++;
    }
    return a;
  };
  let a = 0;
  let ea = spanAttrs;
  let la = spanAttrs + eventAttrs;
  let ev = 0;
  let lk = 0;
  // The last position of each span id (a repeated id: the page takes the last span with it).
  const position = new Map<string, number>();
  spans.forEach((s, i) => position.set(s.spanId, i));
  const oddRows: number[] = [];
  const oddText: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    const at = i * ID_WORDS;
    const parent = s.parentSpanId;
    const traceOk = isTraceHex(s.traceId);
    const spanOk = isSpanHex(s.spanId);
    const parentOk = parent === undefined || isSpanHex(parent);
    if (traceOk) hexToWords(s.traceId, b.ids, at + TRACE_AT);
    if (spanOk) hexToWords(s.spanId, b.ids, at + SPAN_AT);
    if (parent !== undefined && parentOk) hexToWords(parent, b.ids, at + PARENT_AT);
    if (!traceOk || !spanOk || !parentOk) {
      oddRows.push(i);
      oddText.push(traceOk ? -1 : t.ref(s.traceId), spanOk ? -1 : t.ref(s.spanId), parentOk ? -1 : t.ref(parent!));
    }
    b.parent[i] = parent === undefined ? PARENT_NONE : parent === '' ? PARENT_ELSEWHERE : (position.get(parent) ?? PARENT_ELSEWHERE);
    b.name[i] = t.ref(s.name);
    msToNanoWords(s.startMs, b.times, i * TIME_WORDS);
    msToNanoWords(s.endMs, b.times, i * TIME_WORDS + 2);
    b.status[i] = Math.max(0, STATUS_NAMES.indexOf(s.status));
    b.statusMessage[i] = s.statusMessage === undefined ? -1 : t.ref(s.statusMessage);
    b.kind[i] = s.kind !== undefined && s.kind >= 0 && s.kind < 256 ? s.kind : 0;
    b.traceState[i] = s.traceState ? t.ref(s.traceState) : -1;
    b.flags[i] = s.flags ?? 0;
    b.linkFrom[i] = lk;
    if (s.links) {
      for (const l of s.links) {
        b.linkTraceId[lk] = t.ref(l.traceId);
        b.linkSpanId[lk] = t.ref(l.spanId);
        b.linkTraceState[lk] = l.traceState ? t.ref(l.traceState) : -1;
        b.linkFlags[lk] = l.flags ?? 0;
        b.linkAttrFrom[lk] = la;
        la = putAttrs(l.attributes, la);
        lk++;
      }
    }
    b.attrFrom[i] = a;
    a = putAttrs(s.attributes, a);
    b.eventFrom[i] = ev;
    for (const e of s.events) {
      b.eventName[ev] = t.ref(e.name);
      msToNanoWords(e.timeMs, b.eventTimes, 2 * ev);
      b.eventAttrFrom[ev] = ea;
      ea = putAttrs(e.attributes, ea);
      ev++;
    }
  }
  b.attrFrom[n] = a;
  b.eventFrom[n] = ev;
  b.eventAttrFrom[ev] = ea;
  b.linkFrom[n] = lk;
  b.linkAttrFrom[lk] = la;
  return t.finish(b, false, { rows: Uint32Array.from(oddRows), text: Int32Array.from(oddText) });
}

/** JSON has no NaN or Infinity: such array items travel as their text. */
function nonFiniteAsText(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
