import { LARGE_TEXT_FROM } from '../store/largeText';
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
export function moveLargeValues(ix: SpanIndex, body: Uint8Array, maxBuffer: number): number {
  const values = ix.values;
  const isLarge = (a: number, b: number): boolean => a >= 0 && b >= LARGE_TEXT_FROM && a + b <= body.length;
  // Sizes of the buffers: values in order, a new buffer when the next does not fit.
  const sizes: number[] = [];
  let size = 0;
  for (let i = 0; i < values.length; i += 2) {
    const b = values[i + 1]!;
    if (!isLarge(values[i]!, b)) continue;
    if (size > 0 && size + room(b) > maxBuffer) {
      sizes.push(size);
      size = 0;
    }
    size += room(b);
  }
  if (size > 0) sizes.push(size);
  if (sizes.length === 0) return 0;
  // Not zero-filled (every value's bytes are written; the padding between them is never read), and
  // not from Node's pool: each buffer is transferred and kept whole.
  const buffers = sizes.map((n) => Buffer.allocUnsafeSlow(n));
  let k = 0;
  let at = 0;
  let total = 0;
  for (let i = 0; i < values.length; i += 2) {
    const a = values[i]!;
    const b = values[i + 1]!;
    if (!isLarge(a, b)) continue;
    if (at + b > buffers[k]!.length) {
      k++;
      at = 0;
    }
    // fill() copies natively (memcpy); set() from shared memory copies word by word (sharedBodies.ts).
    buffers[k]!.fill(body.subarray(a, a + b), at, at + b);
    values[i] = V_LARGE;
    at += room(b);
    total += room(b);
  }
  ix.large = buffers.map((x) => x.buffer as ArrayBuffer);
  return total;
}
