import { releasableBuffer } from './releasableMemory';

/**
 * A span chunk's one-off string values as UTF-8 bytes, decoded only when read.
 *
 * Why: a value that is neither interned nor large (a request id, a URL, a note with a step
 * number) was made a V8 string on the thread that stores — the thread protobuf ingest is bound by —
 * and then lived in the heap until its trace went: scavenges copied it, promotion moved it, every
 * full collection marked it. Measured (bench:store's bodies, 2 such values a span): making those
 * strings cost 400–500 ns a span of the 2.0–2.5 µs the storing thread spends (a build that stored
 * a constant instead, CPU per span, three pairs). Here their bytes are copied from the body into
 * one buffer per chunk; a reader (export, read API, timeline batch, queries) decodes them as the
 * body's bytes would have been decoded: UTF-8, an invalid sequence as U+FFFD — the same string the
 * decoders made before.
 *
 * Layout: each value is a 2-byte little-endian length and its bytes (values are under
 * LARGE_TEXT_FROM bytes: larger ones are LargeText), at an offset that the chunk's `values` slot
 * holds as a number; a bit per value slot says which slots are such offsets. Strings that did not
 * come as bytes (escaped JSON text, records, truncated values, lone surrogates) stay strings.
 */
export class ChunkText {
  private buffer: ArrayBuffer;
  private bytes: Buffer;
  /** Over the buffer written in (none once sealed: that buffer went back to the scratch). */
  private view: DataView | undefined;
  /** The body copied from last, and a DataView over it (a body gives many values). */
  private lastFrom: Uint8Array | undefined;
  private lastFromView: DataView | undefined;
  /** Sealed: the bytes are in a releasable buffer of their size (see `seal`). */
  private sealed = false;
  /** Bytes written. */
  end = 0;
  /** Bytes of values whose rows were killed (until the chunk goes or is compacted). */
  dead = 0;
  /** One bit per value slot of the chunk: set when the slot holds an offset here. */
  private marks: Int32Array;

  /** `scratch`: where a buffer left by a chunk sealed before is taken from, and this one's given back to. */
  constructor(
    bytes: number,
    slots: number,
    private readonly scratch?: TextScratch,
  ) {
    const kept = scratch?.buffer;
    if (kept && kept.byteLength >= bytes) scratch.buffer = undefined;
    this.buffer = kept && kept.byteLength >= bytes ? kept : new ArrayBuffer(Math.max(64, bytes));
    this.bytes = Buffer.from(this.buffer, 0, this.buffer.byteLength);
    this.view = new DataView(this.buffer);
    this.marks = new Int32Array(Math.max(2, (slots + 31) >>> 5));
  }

  /** Bytes held (the buffer, its unused end included, and the marks). */
  get size(): number {
    return this.buffer.byteLength + this.marks.byteLength;
  }

  /** Bytes in a releasable buffer (sealed): pages that `process.memoryUsage()` does not show. */
  get mappedBytes(): number {
    return this.sealed ? this.buffer.byteLength : 0;
  }

  /** Whether value slot `slot` holds an offset here. */
  has(slot: number): boolean {
    const w = slot >>> 5;
    return w < this.marks.length && (this.marks[w]! & (1 << (slot & 31))) !== 0;
  }

  /**
   * Copies `n` (1 ≤ n < 65,536) bytes of `from` at `at` in for value slot `slot`; returns what the
   * slot keeps: the bytes' offset, or their string when the buffer may not grow further.
   */
  add(from: Uint8Array, at: number, n: number, slot: number, bulk = false): number | string {
    let o = this.end;
    const need = o + 2 + n;
    if (need > this.buffer.byteLength && !this.grow(need)) return (from as unknown as Utf8Slicer).utf8Slice(at, at + n);
    const out = this.bytes;
    out[o] = n & 255;
    out[o + 1] = n >>> 8;
    o += 2;
    const dst = this.view;
    if (n > 128 || bulk || dst === undefined) out.set(from.subarray(at, at + n), o);
    else {
      // Four bytes at a time through DataViews: 20–43 ns for 25–66 bytes, where a byte loop took
      // 65–105 and `set` of a subarray (an object per value) ~62 (Node 20, measured alone).
      if (from !== this.lastFrom) {
        this.lastFrom = from;
        this.lastFromView = new DataView(from.buffer, from.byteOffset, from.byteLength);
      }
      const src = this.lastFromView!;
      let i = 0;
      for (; i + 4 <= n; i += 4) dst.setUint32(o + i, src.getUint32(at + i, true), true);
      for (; i < n; i++) out[o + i] = from[at + i]!;
    }
    this.end = need;
    this.mark(slot);
    return o - 2;
  }

  /** Lets go of the body copied from last (its producer is done with it: a body must not be kept by a chunk). */
  forget(): void {
    this.lastFrom = undefined;
    this.lastFromView = undefined;
  }

  /** The string at `offset` (as decoded from the bytes received). */
  read(offset: number): string {
    const b = this.bytes;
    const n = b[offset]! | (b[offset + 1]! << 8);
    return (b as unknown as Utf8Slicer).utf8Slice(offset + 2, offset + 2 + n);
  }

  /** Bytes the value at `offset` takes here (its length and its bytes). */
  cost(offset: number): number {
    return 2 + (this.bytes[offset]! | (this.bytes[offset + 1]! << 8));
  }

  /** Copies the value at `offset` of `from` in for slot `slot`; returns what the slot keeps (its offset here, or its string). */
  copy(from: ChunkText, offset: number, slot: number): number | string {
    // A sealed chunk's bytes are copied by `set` (`add` reads views of a plain buffer only).
    const n = from.cost(offset) - 2;
    return this.add(from.sealed ? from.bytes.subarray(offset + 2, offset + 2 + n) : from.bytes, from.sealed ? 0 : offset + 2, n, slot, from.sealed);
  }

  /**
   * Copies the text values of a row (slots [start, end) of `values`, offsets into `from`) in one
   * go: a row's values were written one after another. Compaction copied them one by one, with two
   * buffer views each — a tenth of the storing thread's time while small spans were evicted
   * (bench:memory). Returns what to add to their offsets (their slots are marked by `adopt`), or
   * undefined to copy them one by one (none here, not one run, or no room).
   */
  copyRow(from: ChunkText, values: readonly unknown[], start: number, end: number): number | undefined {
    let lo = Infinity;
    let hi = -1;
    let bytes = 0;
    for (let i = start; i < end; i++) {
      if (!from.has(i)) continue;
      const at = values[i] as number;
      const cost = from.cost(at);
      if (at < lo) lo = at;
      if (at + cost > hi) hi = at + cost;
      bytes += cost;
    }
    if (hi < 0 || hi - lo !== bytes) return undefined;
    const o = this.end;
    const need = o + bytes;
    if (need > this.buffer.byteLength && !this.grow(need)) return undefined;
    this.bytes.set(from.bytes.subarray(lo, hi), o);
    this.end = need;
    return o - lo;
  }

  /** Value slot `slot` holds an offset that `copyRow` brought. */
  adopt(slot: number): void {
    this.mark(slot);
  }

  /** Bytes of the values in slots [from, to) of `values` (0 when none is here). */
  costOf(values: readonly unknown[], from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.has(i)) n += this.cost(values[i] as number);
    return n;
  }

  /** The values in slots [from, to) of `values` are let go (their row was killed): counted dead until the chunk is compacted. */
  kill(values: readonly unknown[], from: number, to: number): void {
    this.dead += this.costOf(values, from, to);
    this.unmark(from, to);
  }

  /** The values in slots [from, to) of `values`, the last written, are taken back (their row was dropped). */
  drop(values: readonly unknown[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (!this.has(i)) continue;
      this.end = values[i] as number;
      break;
    }
    this.unmark(from, to);
  }

  private unmark(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const w = i >>> 5;
      if (w < this.marks.length) this.marks[w] = this.marks[w]! & ~(1 << (i & 31));
    }
  }

  /**
   * No more values come: the bytes move into a releasable buffer of their size (pages V8 maps
   * itself, unmapped when freed: releasableMemory.ts), and the buffer they were written in goes
   * back to the scratch for the next chunk. Written in place, the buffers of the chunks of a busy
   * store were malloc'd and freed by the hundred: under bench:memory the main malloc arena held
   * 77 MiB at the peak (17 without them), peak RSS 420 MiB against 407.
   */
  seal(slots: number): void {
    const written = this.buffer;
    const buffer = releasableBuffer(Math.max(8, this.end));
    const bytes = Buffer.from(buffer, 0, buffer.byteLength);
    bytes.set(this.bytes.subarray(0, this.end));
    this.buffer = buffer;
    this.bytes = bytes;
    this.sealed = true;
    this.view = undefined;
    this.lastFrom = undefined;
    this.lastFromView = undefined;
    const scratch = this.scratch;
    if (scratch && written.byteLength <= MAX_SCRATCH && written.byteLength > (scratch.buffer?.byteLength ?? 0)) scratch.buffer = written;
    const words = Math.max(1, (slots + 31) >>> 5);
    if (words < this.marks.length) this.marks = this.marks.slice(0, words);
  }

  private mark(slot: number): void {
    const w = slot >>> 5;
    if (w >= this.marks.length) {
      const marks = new Int32Array(Math.max(w + 1, 2 * this.marks.length));
      marks.set(this.marks);
      this.marks = marks;
    }
    this.marks[w] = this.marks[w]! | (1 << (slot & 31));
  }

  private grow(need: number): boolean {
    if (need > MAX_CHUNK_TEXT) return false;
    this.resize(Math.min(MAX_CHUNK_TEXT, Math.max(need, 2 * this.buffer.byteLength)));
    return true;
  }

  private resize(bytes: number): void {
    const buffer = new ArrayBuffer(bytes);
    const out = Buffer.from(buffer, 0, bytes);
    out.set(this.bytes.subarray(0, this.end));
    this.buffer = buffer;
    this.bytes = out;
    this.view = new DataView(buffer);
  }
}

/**
 * Where an open chunk's text is written: a plain ArrayBuffer, kept from chunk to chunk by the
 * store's chunk table. Written in a resizable one (releasableMemory.ts), a byte loop over its view
 * made storing 1.3 µs a span slower (bench:store).
 */
export interface TextScratch {
  buffer?: ArrayBuffer;
}

/** Largest buffer kept as scratch. */
const MAX_SCRATCH = 4 * 1024 * 1024;

/**
 * Largest text buffer of one chunk: offsets stay small integers (V8 keeps them in the slot, no
 * boxed number), and a chunk of very large spans keeps its further values as strings.
 */
const MAX_CHUNK_TEXT = 256 * 1024 * 1024;

/** Node's Buffer method that decodes UTF-8 without argument checks (`toString` checks them first). */
interface Utf8Slicer {
  utf8Slice(start: number, end: number): string;
}
