import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { AttrTruncated, AttrValue } from '../../protocol/spanView';

/**
 * Large string values held outside the JavaScript heap.
 *
 * Why: a stored value lives until its trace is evicted, so in the V8 heap a 64 KiB response body
 * survives every young-generation collection (copied each time), takes old-space pages that V8
 * sizes with slack, and pauses the thread that stores. As a Buffer its bytes are external memory:
 * never copied by the GC, freed when the record is collected. Small values stay strings: a Buffer
 * costs about 500 bytes beyond its data (its heap objects and the native backing-store
 * bookkeeping; measured, see LARGE_TEXT_OVERHEAD), which a short string does not.
 *
 * The store converts at store time (`toStoredValue`); every read path gives back the string, or
 * the truncation marker, exactly as the decoder made it (`fromStoredValue`), decoded when read.
 */

/**
 * Strings of at least this many UTF-8 bytes are kept off the heap (bytes, not characters: the
 * protobuf decoder decides on a byte range before any string exists, and JSON and protobuf must
 * store a value alike). At 4 KiB a Buffer's fixed cost (~560 B) is ~14% of the value; at 1 KiB it
 * would be 55% (measured 2026-12, Node 20): below this the budget would hold noticeably fewer
 * spans, for a GC saving that short strings do not need.
 */
export const LARGE_TEXT_FROM = 4096;

/** Fewer UTF-16 units than this cannot reach LARGE_TEXT_FROM bytes (at most 3 bytes a unit). */
const MIN_UNITS = Math.ceil(LARGE_TEXT_FROM / 3);

/** Whether a string is kept off the heap once stored. */
export function isLargeString(s: string): boolean {
  // Every UTF-16 unit is at least one UTF-8 byte: only strings in between need counting.
  return s.length >= LARGE_TEXT_FROM || (s.length >= MIN_UNITS && Buffer.byteLength(s, 'utf8') >= LARGE_TEXT_FROM);
}

/**
 * Bytes a LargeText costs beyond its UTF-8 bytes: this object, the Buffer's Uint8Array and
 * ArrayBuffer objects (~190 on the heap), the backing store's native bookkeeping and allocation
 * header (~300). Measured with `npm run bench:memory -- --overhead` (RSS per 16 KiB value after a
 * full GC: 564 B, Node 20, 2026-12-06).
 */
export const LARGE_TEXT_OVERHEAD = 560;

/**
 * Where stored values' bytes are kept (see textSlabs.ts): a slab shared by many values, or a buffer
 * of one value's own. Counted by the store's TextSlabs; the buffer is freed (detached) once no
 * stored value is in it.
 */
export interface TextSlab {
  /** The bytes; undefined once freed. */
  buffer: ArrayBuffer | undefined;
  /** Bytes handed out to values (rounded to 8); a sealed slab counts its unused end as given. */
  given: number;
  /** Bytes of values stored and not released. */
  live: number;
  /** No more values go in (the last slab filled, or a value's own buffer). */
  sealed: boolean;
  /** A buffer of one value's own. */
  own: boolean;
  /**
   * A buffer made by a decode worker with the large values of one body (`adoptableSlab`), kept as
   * a slab by the store that stores the first of them; `given` is its whole size.
   */
  adopted?: boolean;
  /** The TextSlabs that adopted it (until then: none; such a buffer is only garbage-collected). */
  owner?: object;
}

/**
 * A buffer of large values made off the storing thread (a decode worker moved them out of the
 * body, 8-byte aligned one after another), as a slab the store can keep without copying them.
 */
export function adoptableSlab(buffer: ArrayBuffer): TextSlab {
  return { buffer, given: buffer.byteLength, live: 0, sealed: true, own: false, adopted: true };
}

/** The value of `length` bytes at `at` of an adoptable slab; stored in place (TextSlabs.store). */
export function adoptableText(home: TextSlab, at: number, length: number): LargeText {
  const lt = new LargeText(Buffer.from(home.buffer!, at, length), -1);
  lt.home = home;
  return lt;
}

/**
 * A string value (or the kept start of a truncated one) as UTF-8 bytes. Before it is stored, the
 * bytes may be a view of the request body or of a buffer a decode worker made; storing copies them
 * into the store's slabs (TextSlabs.store), where they stay until the span is evicted or replaced.
 */
export class LargeText {
  /** The UTF-8 byte length. */
  readonly size: number;
  /** Bytes the value counts against the budget (TextSlabs.store sets it for the stored form). */
  cost: number;
  /** Where the bytes are kept once stored; undefined before that, and after release. */
  slab: TextSlab | undefined = undefined;
  /** Before it is stored: the adoptable slab its bytes are in (then stored without a copy). */
  home: TextSlab | undefined = undefined;

  constructor(
    public bytes: Buffer,
    /** -1 for a whole string; else the original size of a truncated value (AttrTruncated.length). */
    readonly truncatedLength: number,
  ) {
    this.size = bytes.byteLength;
    this.cost = LARGE_TEXT_OVERHEAD + this.size;
  }

  /**
   * Whether the bytes are gone: the value was released (its span evicted or replaced) and its slab
   * freed. Only a reader that kept a record past its eviction can see this.
   */
  get freed(): boolean {
    return this.bytes.byteLength !== this.size;
  }

  /** The string (whole, or the kept start of a truncated value); '' once freed. */
  text(): string {
    return this.freed ? '' : this.bytes.toString('utf8');
  }

  /** The value as the decoder made it: the string, or its truncation marker (an empty one once freed). */
  value(): string | AttrTruncated {
    if (this.freed) return { kind: 'truncated', value: '', length: this.truncatedLength < 0 ? this.size : this.truncatedLength };
    const s = this.text();
    return this.truncatedLength < 0 ? s : { kind: 'truncated', value: s, length: this.truncatedLength };
  }
}

/** A value as the store holds it: what the decoders make, with large strings off the heap. */
export type StoredValue = AttrValue | LargeText;

/** UTF-8 bytes of `s` in a Buffer of its own (not from Node's pool, which small Buffers share). */
export function ownBytes(s: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(s, 'utf8'));
  b.write(s, 0, 'utf8');
  return b;
}

/**
 * Whether a value may be large: a string or truncation marker (the rest is left without a call).
 * Strings shorter than this many units are never large.
 */
export function mayBeLarge(v: StoredValue): boolean {
  return typeof v === 'string' ? v.length >= MIN_UNITS : typeof v === 'object' && v !== null && !Array.isArray(v) && (v instanceof LargeText || (v as { kind?: string }).kind === 'truncated');
}

/**
 * Bytes `[start, start + length)` of `body` (a UTF-8 string field) as a value to store, never made
 * a JS string: a view of the body, copied into the store's slabs when the span is stored.
 */
export function largeTextOfRange(body: Uint8Array, start: number, length: number): LargeText {
  return new LargeText(Buffer.from(body.buffer, body.byteOffset + start, length), -1);
}

/** A stored value as it was received. */
export function fromStoredValue(v: StoredValue): AttrValue {
  return v instanceof LargeText ? v.value() : v;
}

/** Stored values as received (the same array when none is off the heap). */
export function fromStoredValues(values: readonly StoredValue[]): readonly AttrValue[] {
  for (let i = 0; i < values.length; i++) {
    if (values[i] instanceof LargeText) return values.map(fromStoredValue);
  }
  return values as readonly AttrValue[];
}

/**
 * Frees ArrayBuffers' memory at once: a buffer posted (transferred) to a closed message port is
 * detached and its memory released with the dropped message. Why: an ArrayBuffer's memory otherwise
 * comes back only when V8 collects the object (detached into a throw-away buffer: the next
 * young-generation collection; in a decode worker, whose heap hardly grows, much later) — bench:memory
 * showed tens of MiB of emptied slabs waiting for it.
 */
export class BufferSink {
  private readonly port: MessagePort;

  constructor() {
    const { port1 } = new MessageChannel();
    // Closing one end closes both: nothing is ever delivered, and no handle is left open.
    port1.close();
    this.port = port1;
  }

  /** Detaches `buffer` and frees its memory; false if it could not (then it is left as it was). */
  drop(buffer: ArrayBuffer): boolean {
    try {
      this.port.postMessage(null, [buffer]);
    } catch {
      return false;
    }
    return buffer.byteLength === 0;
  }

  /**
   * Frees the memory of a chunk whose bytes were copied elsewhere, when the chunk is the whole of
   * an ArrayBuffer of its own (as node:http hands each piece of a request body: one malloc'd
   * buffer per socket read, up to 64 KiB); a view of a shared or pooled buffer is left alone.
   * Why: such a chunk is otherwise freed when the garbage collector next finds it, and a socket's
   * 64 KiB pieces, each below malloc's mmap threshold, pile up in the main malloc arena in the
   * meantime, which keeps the high-water mark: 27–37 MiB of main arena under bench:memory, against
   * 7 at start (docs/performance.md, `rss-small`).
   */
  dropCopied(chunk: Uint8Array): boolean {
    const buffer = chunk.buffer;
    // Node's pool hands out pieces under 4 KiB of 8 KiB buffers: a whole buffer is never pooled.
    if (!(buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength || chunk.byteLength < 4096) return false;
    return this.drop(buffer);
  }
}
