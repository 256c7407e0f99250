import { BufferSink, LARGE_TEXT_FROM } from '../store/largeText';
import { releasableBuffer } from '../store/releasableMemory';
import { V_LARGE, type SpanIndex } from './spanIndex';

const room = (n: number): number => (n + 7) & ~7;

/**
 * Moves the large string values of an index (UTF-8 ranges of LARGE_TEXT_FROM bytes or more) out of
 * the body into new buffers of at most `maxBuffer` bytes (a value larger than that gets one of its
 * own), 8-byte aligned one after another, and marks each [V_LARGE, length] in `values`; a value that
 * does not fit in the rest of a buffer starts the next (`materialize` follows the same rule). Run by
 * the large bodies' decode worker (decodePool.ts): the buffers are transferred with the index and
 * the store keeps each as a slab (TextSlabs.store adopts it), so the thread that stores spans copies
 * none of these bytes (it copied each value into a slab: ~5 % of its time while 1 MiB bodies of
 * 64 KiB values arrived, docs/performance.md). Buffers no larger than the store's slabs keep what
 * one long-lived value can pin (counted whole by the budget) as small as a slab. Returns the bytes moved.
 */
export function moveLargeValues(ix: SpanIndex, body: Uint8Array, maxBuffer: number, reuse?: LargeBuffers): number {
  const values = ix.values;
  // A range's length, whether or not the indexer marked it all-ASCII (-1 - length: spanIndex.ts).
  const lengthOf = (b: number): number => (b < 0 ? -1 - b : b);
  const isLarge = (a: number, b: number): boolean => a >= 0 && lengthOf(b) >= LARGE_TEXT_FROM && a + lengthOf(b) <= body.length;
  // Sizes of the buffers: values in order, a new buffer when the next does not fit.
  const sizes: number[] = [];
  let size = 0;
  for (let i = 0; i < values.length; i += 2) {
    if (!isLarge(values[i]!, values[i + 1]!)) continue;
    const b = lengthOf(values[i + 1]!);
    if (size > 0 && size + room(b) > maxBuffer) {
      sizes.push(size);
      size = 0;
    }
    size += room(b);
  }
  if (size > 0) sizes.push(size);
  if (sizes.length === 0) return 0;
  // Each buffer is transferred and kept whole (not from Node's pool), made of pages that go back to
  // the system when it is freed (releasableMemory.ts: not malloc'd, so no arena keeps them after
  // the store let go of its values). Fresh pages are zero already: nothing is filled twice.
  const buffers = sizes.map((n) => Buffer.from(reuse?.take(n) ?? releasableBuffer(n)));
  let k = 0;
  let at = 0;
  let total = 0;
  for (let i = 0; i < values.length; i += 2) {
    const a = values[i]!;
    if (!isLarge(a, values[i + 1]!)) continue;
    const b = lengthOf(values[i + 1]!);
    if (at + b > buffers[k]!.length) {
      k++;
      at = 0;
    }
    // fill() copies natively (memcpy); set() from shared memory copies word by word (sharedBodies.ts).
    buffers[k]!.fill(body.subarray(a, a + b), at, at + b);
    values[i] = V_LARGE;
    values[i + 1] = b;
    at += room(b);
    total += room(b);
  }
  ix.large = buffers.map((x) => x.buffer as ArrayBuffer);
  return total;
}

/**
 * Buffers kept for reuse: at most this many bytes (a slab's worth at the default budget). Kept
 * buffers are memory beside the budget; when the store empties buffers faster than bodies take them
 * (small spans taking the budget back), those beyond this are freed at once.
 */
export const MAX_KEPT_BYTES = 4 * 1024 * 1024;
/** Kept buffers are all let go once none was given back or taken for this long (ms). */
export const KEPT_IDLE_MS = 1000;

/**
 * Emptied buffers of large values sent back by the store (TextSlabs `recycle`), reused for a body
 * whose values need exactly that size (a buffer is adopted whole, and `materialize` finds where each
 * value is from the buffers' sizes, so no slack is allowed): senders of like bodies (the same
 * exporter, batches of like spans) reuse them; others let them go. Why: a new buffer per 1 MiB body
 * is a malloc and fresh pages to fault in (1 GiB of them under bench:memory), and a freed one
 * lingered until the storing thread's next young-generation collection. Once large bodies stop
 * coming, what is kept is let go (`releaseIfIdle`): until 2026-12-06 (`rss-lean`) up to 8 MiB
 * stayed in the worker for good after the last large body.
 */
export class LargeBuffers {
  private readonly kept: ArrayBuffer[] = [];
  private bytes = 0;
  private lastUse = -Infinity;
  private idleCheck: NodeJS.Timeout | undefined;
  /** Buffers let go are freed at once: a decode worker's heap hardly grows, so V8 would collect them late. */
  private readonly sink = new BufferSink();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Takes a buffer back (the oldest ones are freed when over MAX_KEPT_BYTES). */
  give(buffer: ArrayBuffer): void {
    this.lastUse = this.clock();
    if (buffer.byteLength === 0) return;
    if (buffer.byteLength > MAX_KEPT_BYTES) {
      this.sink.drop(buffer);
      return;
    }
    this.kept.push(buffer);
    this.bytes += buffer.byteLength;
    while (this.bytes > MAX_KEPT_BYTES) {
      const old = this.kept.shift()!;
      this.bytes -= old.byteLength;
      this.sink.drop(old);
    }
  }

  /** A kept buffer of exactly `n` bytes, if any. */
  take(n: number): ArrayBuffer | undefined {
    this.lastUse = this.clock();
    for (let i = this.kept.length - 1; i >= 0; i--) {
      if (this.kept[i]!.byteLength !== n) continue;
      const b = this.kept.splice(i, 1)[0]!;
      this.bytes -= n;
      return b;
    }
    return undefined;
  }

  /**
   * Frees every kept buffer when none was given back or taken for KEPT_IDLE_MS. True while buffers
   * are still kept (the caller asks again later), false when nothing is kept any more.
   */
  releaseIfIdle(): boolean {
    if (this.kept.length === 0) return false;
    if (this.clock() - this.lastUse < KEPT_IDLE_MS) return true;
    for (const b of this.kept.splice(0)) this.sink.drop(b);
    this.bytes = 0;
    return false;
  }

  /**
   * Checks every KEPT_IDLE_MS, while buffers are kept, whether they can all be let go
   * (`releaseIfIdle`); the check never keeps the thread alive.
   */
  releaseWhenIdle(): void {
    if (this.idleCheck || this.kept.length === 0) return;
    this.idleCheck = setTimeout(() => {
      this.idleCheck = undefined;
      if (this.releaseIfIdle()) this.releaseWhenIdle();
    }, KEPT_IDLE_MS);
    this.idleCheck.unref();
  }

  /** Bytes kept. */
  get keptBytes(): number {
    return this.bytes;
  }
}
