import { ID_WORDS as COLUMNS_ID_WORDS, PARENT_AT as COLUMNS_PARENT_AT, SPAN_AT as COLUMNS_SPAN_AT } from '../../protocol/spanColumns';
import { wordsToDecimal, wordsToMs } from './unixNano';
import { SLAB_WORDS, type SpanExtra, type SpanOrigin } from './spanRecord';
import type { StoredValue } from './largeText';
import { releasableBuffer } from './releasableMemory';
import { ChunkText, type TextScratch } from './chunkText';
import { copyWords, parseHexWords, word, wordsToHex, type SpanIdWords } from './spanIdWords';

/**
 * A run of stored spans as columns: what the store keeps instead of one object per span.
 *
 * Why: an object per span (with its id strings and its value array) is what the storing thread
 * spends its time making, what V8's collector marks over and over for as long as the span is kept,
 * and a good part of the heap per span. Here a span is a row: ids as 32-bit words, times as exact
 * nanosecond words, status/kind/flags packed in one int, its name, key list and origin as indices
 * into small tables of shared strings and objects, its attribute values as a range of one array
 * per chunk. What few spans have (events, links, status message, trace state, dropped counts, odd
 * codes) is in a sparse side table, as `SpanRecord.extra` was.
 *
 * Rows are appended, never moved: a row that is replaced (its span id re-sent) or whose trace is
 * evicted is marked dead, and a chunk that is mostly dead is copied into a smaller one
 * (`compactChunk`), the live rows in order. Readers go through the row accessors, or through a
 * `ChunkSpan` facade (chunkSpan.ts) where a record-like object is handier than speed.
 */

/** Bytes of one-off strings' text a new chunk makes room for per row (it grows as needed). */
const TEXT_PER_ROW = 32;

/** Rows in a full chunk. */
export const CHUNK_ROWS = 4096;

/** Bytes of a row's columns: ids 32, times 16, bits, name, shape, origin, value end, owner, owner place 4 each. */
export const ROW_COLUMN_BYTES = 4 * (8 + 4 + 7);

/**
 * Words per row in `ids`: trace id (4), span id (2) at SPAN_AT, parent span id (2) at PARENT_AT —
 * the timeline batch's encoding (protocol/spanColumns.ts), so a batch copies the rows' words.
 */
export const ID_WORDS = COLUMNS_ID_WORDS;
export const SPAN_AT = COLUMNS_SPAN_AT;
export const PARENT_AT = COLUMNS_PARENT_AT;

// The packed bits of a row.
const STATUS_MASK = 3;
const KIND_SHIFT = 2;
const FLAGS_SHIFT = 5;
const FLAGS_MASK = 1023;
/** Status, kind or flags did not fit the bits: they are in the row's extra. */
const ODD = 1 << 15;
/** No parent (a root span). */
const ROOT = 1 << 16;
/** Replaced or evicted: not part of any trace any more. */
const DEAD = 1 << 17;
/** The row has an entry in `extras`. */
const EXTRA = 1 << 18;
/** Some id of the row is not lowercase hex of the usual length: its text is in `oddIds`. */
const ODD_IDS = 1 << 19;

/** A row's ids as text, when one is not hex (hand-made or odd imported records). */
interface OddIds {
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

/** What a producer gives for one span (a `SpanRecord` has all of it: see `appendRecord`). */
export interface SpanFields {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  keys: string[];
  values: readonly StoredValue[];
  origin: SpanOrigin;
  extra: SpanExtra | undefined;
  status: number;
  spanKind: number;
  flags: number;
  /** Writes start low, high, end low, high at out[at…]. */
  copyTimes(out: Uint32Array, at: number): void;
}

/** Where a producer appends rows: the store's open chunk, and what it does with each row. */
export interface ChunkSink {
  /** A chunk with room for at least one more row. */
  chunk(): SpanChunk;
  /**
   * Row `row` of `chunk` now holds span `i` of the batch (called right after it is appended).
   * `traceRun`: when known, how many spans of the batch from `i` on have this span's trace id (a
   * producer that knows runs gives it on a run's first span; the store sizes a new trace's tables by it).
   */
  added(chunk: SpanChunk, row: number, i: number, traceRun?: number): void;
}

/** Whether two rows have the same trace id (as words, or as text when one is kept as text). */
export function sameTrace(a: SpanChunk, ra: number, b: SpanChunk, rb: number): boolean {
  if (!a.hasWordIds(ra) || !b.hasWordIds(rb)) return a.traceId(ra) === b.traceId(rb);
  const x = a.ids;
  const y = b.ids;
  const i = ra * ID_WORDS;
  const j = rb * ID_WORDS;
  return x[i] === y[j] && x[i + 1] === y[j + 1] && x[i + 2] === y[j + 2] && x[i + 3] === y[j + 3];
}

export class SpanChunk implements SpanIdWords {
  /** Rows appended (dead ones included). */
  rows = 0;
  /** Rows not dead. */
  live = 0;
  /** ID_WORDS per row. */
  readonly ids: Uint32Array;
  /** SLAB_WORDS per row: start low, high, end low, high (unsigned nanoseconds). */
  readonly times: Uint32Array;
  readonly bits: Int32Array;
  /** Index into `names`. */
  readonly name: Int32Array;
  /** Index into `keyLists`. */
  readonly shape: Int32Array;
  /** Index into `origins`. */
  readonly origin: Int32Array;
  /** End of the row's values in `values` (they start at the previous row's end). */
  readonly valueEnd: Int32Array;
  /**
   * Who holds the row, set by the store: its trace entry's serial and the row's place in that
   * entry's list — what a compaction needs to point the entry at the row's new place.
   */
  readonly owner: Int32Array;
  readonly ownerPos: Int32Array;
  readonly names: string[] = [];
  /** Shared key arrays (the store's interned shapes): a row's keys are one of these as it is. */
  readonly keyLists: string[][] = [];
  readonly origins: SpanOrigin[] = [];
  /** Every row's values, one row after another; read them with `value(i)` (some are offsets in `text`). */
  values: StoredValue[] = [];
  /** The one-off strings' bytes (made with the first). */
  text: ChunkText | undefined;
  /** The rare parts, by row. */
  extras: Map<number, SpanExtra> | undefined;
  private oddIds: Map<number, OddIds> | undefined;
  /** The id texts of the last row begun, when they were words (see beginRow). */
  private lastTrace: string | undefined;
  private lastParent: string | undefined;
  /** Table indices while the chunk is filled (dropped by `seal`). */
  private nameAt: Map<string, number> | undefined = new Map();
  private shapeAt: Map<string[], number> | undefined = new Map();
  private originAt: Map<SpanOrigin, number> | undefined = new Map();

  /** `textBytes`, `scratch`: room for one-off strings' bytes to begin with, and where it is taken from (chunkText.ts). */
  constructor(
    readonly capacity = CHUNK_ROWS,
    private readonly textBytes = capacity * TEXT_PER_ROW,
    private readonly scratch?: TextScratch,
  ) {
    // Every column in one buffer of pages V8 maps itself, not malloc's: a chunk freed (emptied,
    // compacted) gives its memory back to the system when collected, where a malloc arena would
    // keep it (under bench:memory the main arena held 70 MiB of freed columns: releasableMemory.ts).
    const buffer = releasableBuffer(capacity * ROW_COLUMN_BYTES);
    let at = 0;
    const u32 = (words: number): Uint32Array => {
      const a = new Uint32Array(buffer, at, words);
      at += 4 * words;
      return a;
    };
    const i32 = (): Int32Array => {
      const a = new Int32Array(buffer, at, capacity);
      at += 4 * capacity;
      return a;
    };
    this.ids = u32(capacity * ID_WORDS);
    this.times = u32(capacity * SLAB_WORDS);
    this.bits = i32();
    this.name = i32();
    this.shape = i32();
    this.origin = i32();
    this.valueEnd = i32();
    this.owner = i32();
    this.ownerPos = i32();
  }

  get full(): boolean {
    return this.rows === this.capacity;
  }

  /** Index of a name in `names` (added when new). */
  nameIndex(s: string): number {
    const at = this.nameAt!;
    let i = at.get(s);
    if (i === undefined) {
      i = this.names.push(s) - 1;
      at.set(s, i);
    }
    return i;
  }

  /** Index of a (shared) key array in `keyLists`. */
  shapeIndex(keys: string[]): number {
    const at = this.shapeAt!;
    let i = at.get(keys);
    if (i === undefined) {
      i = this.keyLists.push(keys) - 1;
      at.set(keys, i);
    }
    return i;
  }

  originIndex(o: SpanOrigin): number {
    const at = this.originAt!;
    let i = at.get(o);
    if (i === undefined) {
      i = this.origins.push(o) - 1;
      at.set(o, i);
    }
    return i;
  }

  /**
   * Starts a row with its ids (hex text as decoders give it; anything else is kept as text beside
   * the words), name, key list and origin; the producer then writes its times at row·SLAB_WORDS,
   * pushes its values and calls `endRow`. Returns the row.
   */
  beginRow(traceId: string, spanId: string, parentSpanId: string, nameIndex: number, shapeIndex: number, originIndex: number): number {
    const row = this.rows;
    if (row === this.capacity) throw new Error('span chunk: full');
    const at = row * ID_WORDS;
    const ids = this.ids;
    let bits = 0;
    // Consecutive spans mostly share their trace id (and siblings their parent): the same string
    // as the row before takes its words, without reading the text again.
    const prev = row - 1;
    const sameTrace = prev >= 0 && traceId === this.lastTrace;
    const sameParent = prev >= 0 && parentSpanId !== '' && parentSpanId === this.lastParent;
    if (
      (sameTrace ? copyWords(ids, prev * ID_WORDS, at, 4) : parseHexWords(traceId, 32, ids, at)) &&
      parseHexWords(spanId, 16, ids, at + SPAN_AT) &&
      (parentSpanId === '' || (sameParent ? copyWords(ids, prev * ID_WORDS + PARENT_AT, at + PARENT_AT, 2) : parseHexWords(parentSpanId, 16, ids, at + PARENT_AT)))
    ) {
      if (parentSpanId === '') bits |= ROOT;
      this.lastTrace = traceId;
      this.lastParent = parentSpanId;
    } else {
      this.lastTrace = undefined;
      this.lastParent = undefined;
      bits |= ODD_IDS | (parentSpanId === '' ? ROOT : 0);
      (this.oddIds ??= new Map()).set(row, { traceId, spanId, parentSpanId });
      // Words from the text, so that the row still has some; an index must not take odd rows by them.
      ids.fill(0, at, at + ID_WORDS);
    }
    this.bits[row] = bits;
    this.name[row] = nameIndex;
    this.shape[row] = shapeIndex;
    this.origin[row] = originIndex;
    return row;
  }

  /**
   * `beginRow` for ids as bytes (protobuf): the trace id's 16 bytes at `trace` of `bytes`, the span
   * id's 8 at `span`, the parent's 8 at `parent` (-1 for a root), read as big-endian words.
   */
  beginRowBytes(bytes: Uint8Array, trace: number, span: number, parent: number, nameIndex: number, shapeIndex: number, originIndex: number): number {
    const root = parent < 0;
    return this.beginRowWords(
      word(bytes, trace),
      word(bytes, trace + 4),
      word(bytes, trace + 8),
      word(bytes, trace + 12),
      word(bytes, span),
      word(bytes, span + 4),
      root ? 0 : word(bytes, parent),
      root ? 0 : word(bytes, parent + 4),
      root,
      nameIndex,
      shapeIndex,
      originIndex,
    );
  }

  /**
   * `beginRow` for ids already as words (t0…t3 the trace id, s0 s1 the span id, p0 p1 the parent,
   * 0 0 for a root): what a producer that reads ids from bytes, and keeps the words of a trace or
   * parent named again, calls (spanIndex.ts).
   */
  beginRowWords(t0: number, t1: number, t2: number, t3: number, s0: number, s1: number, p0: number, p1: number, root: boolean, nameIndex: number, shapeIndex: number, originIndex: number): number {
    const row = this.rows;
    if (row === this.capacity) throw new Error('span chunk: full');
    const at = row * ID_WORDS;
    const ids = this.ids;
    ids[at] = t0;
    ids[at + 1] = t1;
    ids[at + 2] = t2;
    ids[at + 3] = t3;
    ids[at + SPAN_AT] = s0;
    ids[at + SPAN_AT + 1] = s1;
    ids[at + PARENT_AT] = p0;
    ids[at + PARENT_AT + 1] = p1;
    this.bits[row] = root ? ROOT : 0;
    this.lastTrace = undefined;
    this.lastParent = undefined;
    this.name[row] = nameIndex;
    this.shape[row] = shapeIndex;
    this.origin[row] = originIndex;
    return row;
  }

  /**
   * Ends the row begun last: its status, kind and flags (packed when they fit, else kept in its
   * extra, which must then be given) and its rare parts.
   */
  endRow(row: number, status: number, kind: number, flags: number, extra: SpanExtra | undefined): void {
    let bits = this.bits[row]!;
    if (status >>> 0 === status && status < 4 && kind >>> 0 === kind && kind < 8 && flags >>> 0 === flags && flags <= FLAGS_MASK) {
      bits |= status | (kind << KIND_SHIFT) | (flags << FLAGS_SHIFT);
    } else {
      bits |= ODD;
      // A producer that packed them already put the true codes in the extra (a packed batch writes 255).
      if (extra?.status === undefined) extra = { ...extra, status, kind, flags };
    }
    if (extra) {
      bits |= EXTRA;
      (this.extras ??= new Map()).set(row, extra);
    }
    this.bits[row] = bits;
    this.valueEnd[row] = this.values.length;
    this.rows = row + 1;
    this.live++;
  }

  /** Appends a record-shaped span (the adapter for decoders that make records); returns its row. */
  appendRecord(rec: SpanFields): number {
    const row = this.beginRow(rec.traceId, rec.spanId, rec.parentSpanId, this.nameIndex(rec.name), this.shapeIndex(rec.keys), this.originIndex(rec.origin));
    rec.copyTimes(this.times, row * SLAB_WORDS);
    const vals = rec.values;
    const out = this.values;
    for (let i = 0; i < vals.length; i++) out.push(vals[i]!);
    this.endRow(row, rec.status, rec.spanKind, rec.flags, rec.extra);
    return row;
  }

  /** No more rows go in: the tables' indices are dropped, and the values array cut to its size. */
  seal(): void {
    this.nameAt = undefined;
    this.shapeAt = undefined;
    this.originAt = undefined;
    this.values = this.values.slice();
    this.text?.seal(this.values.length);
  }

  get sealed(): boolean {
    return this.nameAt === undefined;
  }

  isDead(row: number): boolean {
    return (this.bits[row]! & DEAD) !== 0;
  }

  /**
   * Marks a row dead (replaced, evicted); returns false when it already was. What the row refers
   * to (its values, its extra) is let go at once: the store no longer counts it, so it must not
   * stay reachable until the chunk is compacted.
   */
  kill(row: number): boolean {
    const b = this.bits[row]!;
    if (b & DEAD) return false;
    this.bits[row] = (b | DEAD) & ~EXTRA;
    this.live--;
    const start = this.valueStart(row);
    const end = this.valueEnd[row]!;
    this.text?.kill(this.values, start, end);
    this.values.fill('', start, end);
    this.extras?.delete(row);
    return true;
  }

  /** Takes back the last row appended (a span refused as it was stored): as if never appended. */
  dropLast(row: number): void {
    if (row !== this.rows - 1 || this.sealed) throw new Error('span chunk: only the last row of an open chunk can be dropped');
    const start = this.valueStart(row);
    this.text?.drop(this.values, start, this.valueEnd[row]!);
    this.values.length = start;
    this.extras?.delete(row);
    this.oddIds?.delete(row);
    this.bits[row] = 0;
    this.rows = row;
    this.live--;
    this.lastTrace = undefined;
    this.lastParent = undefined;
  }

  /** Whether the row's ids are words (it can be found by a SpanIdIndex). */
  hasWordIds(row: number): boolean {
    return (this.bits[row]! & ODD_IDS) === 0;
  }

  idHigh(row: number): number {
    return this.ids[row * ID_WORDS + SPAN_AT]!;
  }

  idLow(row: number): number {
    return this.ids[row * ID_WORDS + SPAN_AT + 1]!;
  }

  traceId(row: number): string {
    if (this.bits[row]! & ODD_IDS) return this.oddIds!.get(row)!.traceId;
    return wordsToHex(this.ids, row * ID_WORDS, 4);
  }

  spanId(row: number): string {
    if (this.bits[row]! & ODD_IDS) return this.oddIds!.get(row)!.spanId;
    return wordsToHex(this.ids, row * ID_WORDS + SPAN_AT, 2);
  }

  /** '' for a root span. */
  parentSpanId(row: number): string {
    const b = this.bits[row]!;
    if (b & ROOT) return '';
    if (b & ODD_IDS) return this.oddIds!.get(row)!.parentSpanId;
    return wordsToHex(this.ids, row * ID_WORDS + PARENT_AT, 2);
  }

  isRoot(row: number): boolean {
    return (this.bits[row]! & ROOT) !== 0;
  }

  spanName(row: number): string {
    return this.names[this.name[row]!]!;
  }

  keys(row: number): string[] {
    return this.keyLists[this.shape[row]!]!;
  }

  /** Where the row's values start in `values` (they end at `valueEnd[row]`). */
  valueStart(row: number): number {
    return row === 0 ? 0 : this.valueEnd[row - 1]!;
  }

  /** A copy of the row's values (strings kept as bytes decoded). */
  rowValues(row: number): StoredValue[] {
    const start = this.valueStart(row);
    const out = this.values.slice(start, this.valueEnd[row]);
    if (this.text) for (let i = 0; i < out.length; i++) out[i] = this.value(start + i);
    return out;
  }

  /** Value slot `i` of `values` as stored (a string kept as bytes is decoded). */
  value(i: number): StoredValue {
    const v = this.values[i]!;
    return typeof v === 'number' && this.text !== undefined && this.text.has(i) ? this.text.read(v) : v;
  }

  /** Appends the string of the `n` (< LARGE_TEXT_FROM) UTF-8 bytes at bytes[at…] as a value: its bytes copied (chunkText.ts). */
  pushText(bytes: Buffer, at: number, n: number): void {
    const values = this.values;
    if (n === 0) values.push('');
    else values.push((this.text ??= new ChunkText(this.textBytes, this.capacity * 4, this.scratch)).add(bytes, at, n, values.length));
  }

  /** Bytes the row's strings kept as bytes take in `text`. */
  rowTextBytes(row: number): number {
    return this.text ? this.text.costOf(this.values, this.valueStart(row), this.valueEnd[row]!) : 0;
  }

  spanOrigin(row: number): SpanOrigin {
    return this.origins[this.origin[row]!]!;
  }

  extra(row: number): SpanExtra | undefined {
    return this.bits[row]! & EXTRA ? this.extras!.get(row) : undefined;
  }

  status(row: number): number {
    const b = this.bits[row]!;
    return b & ODD ? (this.extras!.get(row)!.status ?? 0) : b & STATUS_MASK;
  }

  spanKind(row: number): number {
    const b = this.bits[row]!;
    return b & ODD ? (this.extras!.get(row)!.kind ?? 0) : (b >>> KIND_SHIFT) & 7;
  }

  flags(row: number): number {
    const b = this.bits[row]!;
    return b & ODD ? (this.extras!.get(row)!.flags ?? 0) : (b >>> FLAGS_SHIFT) & FLAGS_MASK;
  }

  startMs(row: number): number {
    const at = row * SLAB_WORDS;
    return wordsToMs(this.times[at]!, this.times[at + 1]!);
  }

  endMs(row: number): number {
    const at = row * SLAB_WORDS;
    return wordsToMs(this.times[at + 2]!, this.times[at + 3]!);
  }

  startTimeUnixNano(row: number): string {
    const at = row * SLAB_WORDS;
    return wordsToDecimal(this.times[at]!, this.times[at + 1]!);
  }

  endTimeUnixNano(row: number): string {
    const at = row * SLAB_WORDS;
    return wordsToDecimal(this.times[at + 2]!, this.times[at + 3]!);
  }

  /**
   * Heap bytes of the chunk's own structure: its columns, tables' slots and the values array's
   * slots (what the rows point to — value strings, names, key arrays, origins, extras — is counted
   * by the store where it is first met, as for records).
   */
  get bytes(): number {
    const columns = this.capacity * ROW_COLUMN_BYTES + 9 * 64;
    const slots = 8 * (this.names.length + this.keyLists.length + this.origins.length + this.values.length);
    const side = 48 * ((this.extras?.size ?? 0) + (this.oddIds?.size ?? 0));
    return columns + slots + side + (this.text?.size ?? 0);
  }

  /** Copies row `row` of `from` in as the next row here (its tables' entries added when new); returns the new row. */
  copyRow(from: SpanChunk, row: number): number {
    const to = this.rows;
    if (to === this.capacity) throw new Error('span chunk: full');
    this.ids.set(from.ids.subarray(row * ID_WORDS, (row + 1) * ID_WORDS), to * ID_WORDS);
    this.times.set(from.times.subarray(row * SLAB_WORDS, (row + 1) * SLAB_WORDS), to * SLAB_WORDS);
    const b = from.bits[row]! & ~DEAD;
    this.lastTrace = undefined;
    this.lastParent = undefined;
    this.owner[to] = from.owner[row]!;
    this.ownerPos[to] = from.ownerPos[row]!;
    this.bits[to] = b;
    this.name[to] = this.nameIndex(from.spanName(row));
    this.shape[to] = this.shapeIndex(from.keys(row));
    this.origin[to] = this.originIndex(from.spanOrigin(row));
    if (b & ODD_IDS) (this.oddIds ??= new Map()).set(to, from.oddIds!.get(row)!);
    if (b & EXTRA) (this.extras ??= new Map()).set(to, from.extras!.get(row)!);
    const vals = from.values;
    const end = from.valueEnd[row]!;
    const text = from.text;
    const start = from.valueStart(row);
    const delta = text === undefined ? undefined : (this.text ??= new ChunkText(text.end, this.capacity * 4, this.scratch)).copyRow(text, vals, start, end);
    for (let i = start; i < end; i++) {
      const v = vals[i]!;
      if (text === undefined || !text.has(i)) this.values.push(v);
      else if (delta !== undefined) {
        this.text!.adopt(this.values.length);
        this.values.push((v as number) + delta);
      } else this.values.push((this.text ??= new ChunkText(text.end, this.capacity * 4, this.scratch)).copy(text, v as number, this.values.length));
    }
    this.valueEnd[to] = this.values.length;
    this.rows = to + 1;
    this.live++;
    return to;
  }
}
