/**
 * A direct-mapped cache from short byte strings (in a request body) to values made from them:
 * attribute keys, span names, repeated attribute values. A hit costs a hash and a compare — no
 * string is decoded or allocated — which is most of what makes protobuf ingest cheap.
 *
 * The cached bytes live in one arena (a fixed 64-byte slot per entry), compared four bytes at a
 * time through DataViews: one typed array for every entry instead of a Buffer each.
 */
export class ByteStringCache<T> {
  private readonly arena: Uint8Array;
  private readonly arenaView: DataView;
  /** Byte length of each slot's entry, -1 when empty. */
  private readonly lengths: Int32Array;
  private readonly values: (T | undefined)[];
  private readonly mask: number;
  private slot = 0;
  // The body last looked into, and a DataView over it (the same body serves many lookups).
  private lastBuf: Uint8Array | undefined;
  private lastView: DataView | undefined;

  constructor(bits = 12) {
    const slots = 1 << bits;
    this.arena = new Uint8Array(slots * SLOT_BYTES);
    this.arenaView = new DataView(this.arena.buffer);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The cached value for buf[start, end), or undefined (then `store` may follow for the same range). */
  get(buf: Uint8Array, start: number, end: number): T | undefined {
    const n = end - start;
    if (n > SLOT_BYTES) {
      this.slot = -1;
      return undefined;
    }
    // A sampled hash (length and seven bytes): O(1) per string; the compare below settles it.
    let h = n;
    if (n > 0) {
      h = Math.imul(h ^ buf[start]!, 0x01000193);
      h = Math.imul(h ^ buf[end - 1]!, 0x01000193);
      h = Math.imul(h ^ buf[start + (n >> 1)]!, 0x01000193);
      h = Math.imul(h ^ buf[start + (n >> 2)]!, 0x01000193);
      h = Math.imul(h ^ buf[start + ((3 * n) >> 2)]!, 0x01000193);
      h = Math.imul(h ^ buf[end - 2 + (n < 2 ? 1 : 0)]!, 0x01000193);
      h = Math.imul(h ^ buf[start + 1 - (n < 2 ? 1 : 0)]!, 0x01000193);
    }
    const slot = (h ^ (h >>> 15)) & this.mask;
    this.slot = slot;
    if (this.lengths[slot] !== n) return undefined;
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.lastView!;
    const arenaView = this.arenaView;
    const base = slot * SLOT_BYTES;
    let i = 0;
    for (; i + 4 <= n; i += 4) if (view.getUint32(start + i, true) !== arenaView.getUint32(base + i, true)) return undefined;
    const arena = this.arena;
    for (; i < n; i++) if (buf[start + i] !== arena[base + i]) return undefined;
    return this.values[slot];
  }

  /** Caches `value` for the range last passed to `get` (which missed). */
  store(buf: Uint8Array, start: number, end: number, value: T): void {
    if (this.slot < 0) return;
    this.arena.set(buf.subarray(start, end), this.slot * SLOT_BYTES);
    this.lengths[this.slot] = end - start;
    this.values[this.slot] = value;
  }

  clear(): void {
    this.lengths.fill(-1);
    this.values.fill(undefined);
    this.lastBuf = undefined;
    this.lastView = undefined;
  }
}

/** Longest string cached (and the arena's slot size). */
const SLOT_BYTES = 64;
