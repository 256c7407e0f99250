import { allocateBatch, BatchStrings, NO_ODD_IDS, PARENT_ELSEWHERE, PARENT_NONE, SUMMARY_ATTRIBUTE_KEYS, type BatchColumns, type OddIds, type SpanBatch } from '../../protocol/spanBatch';
import { hexToWords, ID_WORDS as BATCH_ID_WORDS, isSpanHex, isTraceHex, msRestToNanoWords, PARENT_AT as BATCH_PARENT_AT, SPAN_AT as BATCH_SPAN_AT, TIME_WORDS as BATCH_TIME_WORDS, TRACE_AT } from '../../protocol/spanColumns';
import type { SpanExtra, SpanLike } from './spanRecord';
import { SpanChunk } from './spanChunk';
import { BatchIdRefs } from './batchIdRefs';
import { fromStoredValue as storedValue, type StoredValue } from './largeText';

/**
 * A key list's entries in the batch being built. Key lists are shared (interned) arrays, so this is
 * worked out once per list, not once per span. A list with a repeated key keeps the key once, at
 * its first place, with its last value (as an attributes object would).
 */
interface Shape {
  /** The string ref of each kept key. */
  refs: Uint32Array;
  /** The key's slot in {@link ValueRefs} (one per distinct key of the batch). */
  slots: Uint32Array;
  /** Index into the values of each kept key. */
  from: Uint32Array;
}

const SUMMARY_KEYS: ReadonlySet<string> = new Set(SUMMARY_ATTRIBUTE_KEYS);
const NO_KEYS: Shape = { refs: new Uint32Array(0), slots: new Uint32Array(0), from: new Uint32Array(0) };

/**
 * The timeline batch of stored spans, read straight from the records: no span views in between,
 * each key list resolved once, equal span and parent ids under one ref (the webview links parents
 * by ref), a key's repeating values stored once. This is what a timeline posts.
 *
 * What a 100k-span trace costs here is per string: a lookup per span id, parent id and repeating
 * value (unique values take none, see ValueRefs), then one join of the table's text. So span ids
 * are looked up in a table of ids only (IdRefs), and values in a small map per key, not in one map
 * of every string of the batch: most lookups then stay in cache. An id and a value with the same
 * text get two refs, which costs a few bytes and nothing else.
 *
 * `summary`: the batch a timeline panel opens with (see SpanBatch.summary): only the attributes the
 * page reads, so that its cost no longer grows with the spans' attributes.
 */
export function encodeRecordBatch(records: readonly SpanLike[], summary = false): SpanBatch {
  // Records (a test's, an importer's) go through a chunk of their own: one encoder, over rows.
  const n = records.length;
  const chunk = new SpanChunk(Math.max(1, n));
  for (let i = 0; i < n; i++) chunk.appendRecord(records[i]!);
  return encodeRowBatch({ chunks: new Array<SpanChunk>(n).fill(chunk), rows: Int32Array.from({ length: n }, (_, i) => i) }, summary);
}

/** The spans of a batch, in order: span i is row `rows[i]` of `chunks[i]`. */
export interface SpanRows {
  chunks: readonly SpanChunk[];
  rows: Int32Array;
}

/** The timeline batch of stored rows (see encodeRecordBatch): what `batchSince` posts. */
export function encodeRowBatch(spans: SpanRows, summary = false): SpanBatch {
  const t = new BatchStrings();
  const values = new ValueRefs(t);
  const shapes = new Map<readonly string[], Shape>();
  const summaryShapes = new Map<readonly string[], Shape>();
  const shapeIn = (cache: Map<readonly string[], Shape>, keys: readonly string[], only: boolean): Shape => {
    let s = cache.get(keys);
    if (!s) {
      const first = new Map<string, number>();
      let order: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const at = first.get(keys[i]!);
        if (at === undefined) {
          first.set(keys[i]!, order.length);
          order.push(i);
        } else order[at] = i;
      }
      if (only) order = order.filter((i) => SUMMARY_KEYS.has(keys[i]!));
      s = {
        refs: Uint32Array.from(order, (i) => t.ref(keys[i]!)),
        slots: Uint32Array.from(order, (i) => values.slot(keys[i]!)),
        from: Uint32Array.from(order),
      };
      cache.set(keys, s);
    }
    return s;
  };
  const fullShapeOf = (keys: readonly string[]): Shape => shapeIn(shapes, keys, false);
  // A summary keeps a span's summary keys, or all of its attributes when the caps cut one of them
  // (few spans: the row's "truncated" mark reads the value's kind), and no event or link attributes.
  const spanShape = summary
    ? (keys: readonly string[], x: SpanExtra | undefined): Shape => (x?.truncatedValues ? fullShapeOf(keys) : shapeIn(summaryShapes, keys, true))
    : (keys: readonly string[]): Shape => fullShapeOf(keys);
  // The key lists of events and links.
  const innerShapeOf = summary ? (): Shape => NO_KEYS : fullShapeOf;
  const n = spans.rows.length;
  // Spans of one kind come in runs with one key list: checked by identity before the map. A span
  // with an extra may take another shape (see spanShape): not remembered for the next span.
  const shapeInRun = (): ShapeOf => {
    let lastKeys: readonly string[] | undefined;
    let lastShape = NO_KEYS;
    return (keys, x) => {
      if (x !== undefined) {
        lastKeys = undefined;
        return (lastShape = spanShape(keys, x));
      }
      if (keys !== lastKeys) {
        lastKeys = keys;
        lastShape = spanShape(keys, undefined);
      }
      return lastShape;
    };
  };
  const counts = countEntries(spans, shapeInRun(), innerShapeOf);
  const attrs = counts.spanAttrs + counts.eventAttrs + counts.linkAttrs;
  const b = allocateBatch(n, counts.links, counts.events, attrs);
  // About: a value per attribute and a few names (it grows beyond); ids are words, not strings.
  t.reserve(attrs + (n >>> 4) + 64);
  // The rows' id and time words as they are (runs of rows copied at once), then every span id in
  // the id table, so that a parent's position is found whether it arrived before or after its child.
  copyIdsAndTimes(b.ids, b.times, spans);
  const ids = new BatchIdRefs(b.ids, n);
  const odd = indexIds(b.ids, spans, ids, t);
  writeParents(b.parent, spans, ids, odd);
  writeSpans(b, spans, { t, values, shapeOf: shapeInRun(), innerShapeOf }, counts);
  return t.finish(b, summary, odd.rows.length ? odd : NO_ODD_IDS);
}

// What the loops below read per span, as bindings of this module: an imported binding is a getter
// call in the unbundled test and bench builds.
const ID_WORDS = BATCH_ID_WORDS;
const SPAN_AT = BATCH_SPAN_AT;
const PARENT_AT = BATCH_PARENT_AT;
const TIME_WORDS = BATCH_TIME_WORDS;
const ELSEWHERE = PARENT_ELSEWHERE;
const NONE = PARENT_NONE;
const fromStored = storedValue;

/** The shape of a span's attributes from its key list and its extra. */
type ShapeOf = (keys: readonly string[], x: SpanExtra | undefined) => Shape;

/**
 * The rows' id and time words into the batch's columns, which hold them as the chunk does
 * (spanColumns.ts): a run of consecutive rows of one chunk (a trace's spans mostly are, in arrival
 * order) is one copy of each column.
 */
function copyIdsAndTimes(ids: Uint32Array, times: Uint32Array, spans: SpanRows): void {
  const { chunks, rows } = spans;
  const n = rows.length;
  for (let i = 0; i < n; ) {
    const chunk = chunks[i]!;
    const first = rows[i]!;
    let j = i + 1;
    while (j < n && chunks[j] === chunk && rows[j] === first + (j - i)) j++;
    const end = first + (j - i);
    ids.set(chunk.ids.subarray(first * ID_WORDS, end * ID_WORDS), i * ID_WORDS);
    times.set(chunk.times.subarray(first * TIME_WORDS, end * TIME_WORDS), i * TIME_WORDS);
    i = j;
  }
}

/**
 * Every span's id into the table. Rows whose ids the chunk keeps as text (zeros in their words)
 * get the words of those that are hex after all, and the others' text as odd ids.
 */
function indexIds(words: Uint32Array, spans: SpanRows, ids: BatchIdRefs, t: BatchStrings): OddIds {
  const { chunks, rows } = spans;
  const oddRows: number[] = [];
  const oddText: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const chunk = chunks[i]!;
    const row = rows[i]!;
    if (chunk.hasWordIds(row)) {
      ids.span(i);
      continue;
    }
    const at = i * ID_WORDS;
    const trace = chunk.traceId(row);
    const span = chunk.spanId(row);
    const parent = chunk.isRoot(row) ? undefined : chunk.parentSpanId(row);
    const traceOk = isTraceHex(trace);
    const spanOk = isSpanHex(span);
    const parentOk = parent === undefined || isSpanHex(parent);
    if (traceOk) hexToWords(trace, words, at + TRACE_AT);
    if (parent !== undefined && parentOk) hexToWords(parent, words, at + PARENT_AT);
    if (spanOk) {
      hexToWords(span, words, at + SPAN_AT);
      ids.span(i);
    } else ids.spanText(i, span);
    if (traceOk && spanOk && parentOk) continue;
    oddRows.push(i);
    oddText.push(traceOk ? -1 : t.ref(trace), spanOk ? -1 : t.ref(span), parentOk ? -1 : t.ref(parent!));
  }
  return { rows: Uint32Array.from(oddRows), text: Int32Array.from(oddText) };
}

/** Each span's parent: its position in the batch, or none, or elsewhere (its words, or text, in the batch). */
function writeParents(parent: Int32Array, spans: SpanRows, ids: BatchIdRefs, odd: OddIds): void {
  const { chunks, rows } = spans;
  const words = ids.words;
  // Siblings often come one after the other: their parent's position is the one just looked up.
  let parentHi = 0;
  let parentLo = 0;
  let last = -3;
  for (let i = 0; i < rows.length; i++) {
    const chunk = chunks[i]!;
    const row = rows[i]!;
    if (chunk.isRoot(row)) {
      parent[i] = NONE;
      continue;
    }
    const at = i * ID_WORDS + PARENT_AT;
    const hi = words[at]!;
    const lo = words[at + 1]!;
    if (last === -3 || hi !== parentHi || lo !== parentLo) {
      parentHi = hi;
      parentLo = lo;
      last = ids.parent(hi, lo);
      if (last === -1) last = ELSEWHERE;
    }
    parent[i] = last;
  }
  // Odd parents (text, not words) again, by their text.
  for (let k = 0; k < odd.rows.length; k++) {
    const i = odd.rows[k]!;
    const chunk = chunks[i]!;
    const row = rows[i]!;
    if (odd.text[3 * k + 2] === -1) continue;
    const p = chunk.parentSpanId(row);
    const found = p === '' ? -1 : ids.parentText(p);
    parent[i] = found === -1 ? ELSEWHERE : found;
  }
}

/** How many entries each column of the batch takes. */
interface EntryCounts {
  spanAttrs: number;
  eventAttrs: number;
  linkAttrs: number;
  events: number;
  links: number;
}

/** What writing the spans uses: the batch's strings, value refs, and the shapes of key lists. */
interface Writers {
  t: BatchStrings;
  values: ValueRefs;
  shapeOf: ShapeOf;
  innerShapeOf: (keys: readonly string[]) => Shape;
}

// The passes over the records are functions of their own, not loops of encodeRecordBatch: the first
// batch a process makes runs them before V8 has compiled them, and V8 compiles a long loop while it
// runs (on-stack replacement). A loop compiled inside a larger function gave up that code at the
// next loop, which had not run yet, and ran it slowly again until compiled anew.

/** Counts the attributes, events and links the batch will hold. */
function countEntries(spans: SpanRows, shapeOf: ShapeOf, innerShapeOf: (keys: readonly string[]) => Shape): EntryCounts {
  const c: EntryCounts = { spanAttrs: 0, eventAttrs: 0, linkAttrs: 0, events: 0, links: 0 };
  const { chunks, rows } = spans;
  for (let i = 0; i < rows.length; i++) {
    const chunk = chunks[i]!;
    const row = rows[i]!;
    const x = chunk.extra(row);
    c.spanAttrs += shapeOf(chunk.keys(row), x).refs.length;
    if (x === undefined) continue;
    if (x.events) {
      c.events += x.events.length;
      for (const e of x.events) c.eventAttrs += innerShapeOf(e.keys).refs.length;
    }
    if (x.links) {
      c.links += x.links.length;
      for (const l of x.links) c.linkAttrs += innerShapeOf(l.keys).refs.length;
    }
  }
  return c;
}

/** Writes every column but ids, times and parents, and closes the ranges of attributes, events and links. */
function writeSpans(b: BatchColumns, spans: SpanRows, w: Writers, counts: EntryCounts): void {
  const { t, values, shapeOf, innerShapeOf } = w;
  const { chunks, rows } = spans;
  const n = rows.length;
  let a = 0;
  let ea = counts.spanAttrs;
  let la = counts.spanAttrs + counts.eventAttrs;
  let ev = 0;
  let lk = 0;
  // A name's ref by its index in the chunk's names, per chunk: a span's name is then an array read,
  // not a string lookup (names change from span to span; a lookup per span was a quarter of the
  // process's first batch, run before V8 had compiled it).
  const nameRefsOf = new Map<SpanChunk, Int32Array>();
  let refsChunk: SpanChunk | undefined;
  let nameRefs: Int32Array = new Int32Array(0);
  for (let i = 0; i < n; i++) {
    const chunk = chunks[i]!;
    const row = rows[i]!;
    if (chunk !== refsChunk) {
      refsChunk = chunk;
      let refs = nameRefsOf.get(chunk);
      if (refs === undefined || refs.length < chunk.names.length) nameRefsOf.set(chunk, (refs = grownRefs(refs, chunk.names.length)));
      nameRefs = refs;
    }
    const nameAt = chunk.name[row]!;
    let nameRef = nameRefs[nameAt]!;
    if (nameRef === -1) nameRef = nameRefs[nameAt] = t.ref(chunk.names[nameAt]!);
    b.name[i] = nameRef;
    const status = chunk.status(row);
    // OTLP codes 0–2 are the batch's status indices; an unknown code shows as unset.
    b.status[i] = status === 1 || status === 2 ? status : 0;
    const kind = chunk.spanKind(row);
    b.kind[i] = kind >= 0 && kind < 256 ? kind : 0;
    b.flags[i] = chunk.flags(row);
    b.linkFrom[i] = lk;
    b.attrFrom[i] = a;
    const x = chunk.extra(row);
    a = values.put(b, shapeOf(chunk.keys(row), x), chunk.values, chunk.valueStart(row), a, chunk);
    b.eventFrom[i] = ev;
    if (x === undefined) {
      b.statusMessage[i] = -1;
      b.traceState[i] = -1;
      continue;
    }
    b.statusMessage[i] = x.statusMessage ? t.ref(x.statusMessage) : -1;
    b.traceState[i] = x.traceState ? t.ref(x.traceState) : -1;
    if (x.links) {
      for (const l of x.links) {
        b.linkTraceId[lk] = t.ref(l.traceId);
        b.linkSpanId[lk] = t.ref(l.spanId);
        b.linkTraceState[lk] = l.traceState ? t.ref(l.traceState) : -1;
        b.linkFlags[lk] = l.flags;
        b.linkAttrFrom[lk] = la;
        la = values.put(b, innerShapeOf(l.keys), l.values, 0, la);
        lk++;
      }
    }
    if (x.events) {
      for (const e of x.events) {
        b.eventName[ev] = t.ref(e.name);
        msRestToNanoWords(e.timeMs, e.timeRest, b.eventTimes, 2 * ev);
        b.eventAttrFrom[ev] = ea;
        ea = values.put(b, innerShapeOf(e.keys), e.values, 0, ea);
        ev++;
      }
    }
  }
  b.attrFrom[n] = a;
  b.eventFrom[n] = ev;
  b.eventAttrFrom[ev] = ea;
  b.linkFrom[n] = lk;
  b.linkAttrFrom[lk] = la;
}

/** A chunk's name refs (-1: not looked up yet) for `names` names, keeping those of `refs`. */
function grownRefs(refs: Int32Array | undefined, names: number): Int32Array {
  const out = new Int32Array(names).fill(-1);
  if (refs) out.set(refs);
  return out;
}

/** Values looked at per key before deciding whether they repeat. */
const SAMPLE = 64;

/**
 * String values' refs, per key: equal values share a ref while a key's values repeat (kinds,
 * names, statuses); a key whose first values are mostly new (ids, request bodies) has the rest
 * added as they come, without a lookup each. The batch is then as small as it was with a lookup
 * for every value, for a fraction of the time: looking up a million unique strings is most of the
 * cost of a batch. Each key has its map of values: a few hundred entries stay in cache where one
 * map of every string of the batch does not.
 */
class ValueRefs {
  private readonly slots = new Map<string, number>();
  private seen: number[] = [];
  private hits: number[] = [];
  /** undefined until the key's first string value (an empty string is a value). */
  private lastValue: (string | undefined)[] = [];
  private lastRef: number[] = [];
  private maps: (Map<string, number> | undefined)[] = [];

  constructor(private readonly t: BatchStrings) {}

  /** The slot of attribute key `key` (made on first sight). */
  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(key, s);
      this.seen.push(0);
      this.hits.push(0);
      this.lastValue.push(undefined);
      this.lastRef.push(-1);
      this.maps.push(new Map());
    }
    return s;
  }

  /** Writes the entries of a span's (event's, link's) attributes from `a` on; returns the next entry. */
  /** `chunk`: the chunk whose `values` these are (read through it: some are kept as bytes). */
  put(b: BatchColumns, shape: Shape, vals: readonly StoredValue[], start: number, a: number, chunk?: SpanChunk): number {
    const { refs, slots, from } = shape;
    const { attrKey, attrValue } = b;
    for (let k = 0; k < refs.length; k++, a++) {
      attrKey[a] = refs[k]!;
      // Large strings are stored off the heap: the timeline gets them as text.
      const i = start + from[k]!;
      const v = fromStored(chunk ? chunk.value(i) : vals[i]!);
      // attrType stays 0 (string) from allocation.
      if (typeof v === 'string') attrValue[a] = this.ref(slots[k]!, v);
      else this.t.putValue(b, a, v);
    }
    return a;
  }

  private ref(slot: number, v: string): number {
    if (this.lastValue[slot] === v) return this.lastRef[slot]!;
    const map = this.maps[slot];
    let r: number;
    if (map === undefined) r = this.t.add(v);
    else {
      const known = map.get(v);
      const seen = ++this.seen[slot]!;
      if (known !== undefined) {
        r = known;
        this.hits[slot]!++;
      } else {
        map.set(v, (r = this.t.add(v)));
        // Mostly new after a sample: stop looking (and keeping) this key's values.
        if (seen >= SAMPLE && this.hits[slot]! * 2 < seen) this.maps[slot] = undefined;
      }
    }
    this.lastValue[slot] = v;
    this.lastRef[slot] = r;
    return r;
  }
}

/** Bytes a batch holds: its columns, and its text at two bytes a character (an upper bound). */
export function batchBytes(b: SpanBatch): number {
  let n = b.text.length * 2;
  for (const v of Object.values(b)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}

/**
 * The last full batch made, kept for the next full ask of the same trace unchanged: a timeline panel
 * that is hidden and shown again reloads and asks for its whole run each time, and making the batch
 * of a 100k-span trace costs 60–200 ms where handing out a kept one costs nothing. A trace's batch
 * is a function of its entry, generation and span count (spans are only appended within a
 * generation), so those are the key. It lives in the budget's free room only: the store keeps it
 * when it fits there, and drops it as soon as stored data needs the room (after every ingest).
 */
export class LastBatch {
  private kept: { entry: object; generation: number; spans: number; batch: SpanBatch; bytes: number } | undefined;

  get bytes(): number {
    return this.kept?.bytes ?? 0;
  }

  /** The kept batch of this entry at this generation and span count (a summary or not), if that is the one kept. */
  get(entry: object, generation: number, spans: number, summary = false): SpanBatch | undefined {
    const k = this.kept;
    return k && k.entry === entry && k.generation === generation && k.spans === spans && k.batch.summary === summary ? k.batch : undefined;
  }

  /** Keeps `batch` (instead of the one kept) when it takes at most `room` bytes. */
  keep(entry: object, generation: number, spans: number, batch: SpanBatch, room: number): void {
    this.kept = undefined;
    const bytes = batchBytes(batch);
    if (bytes <= room) this.kept = { entry, generation, spans, batch, bytes };
  }

  /** Drops the kept batch (all of it, or only when it is the batch of `entry`). */
  drop(entry?: object): void {
    if (entry === undefined || this.kept?.entry === entry) this.kept = undefined;
  }
}
