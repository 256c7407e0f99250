/**
 * A direct-mapped cache from short byte strings (in a protobuf body) to values made from them:
 * attribute keys, span names, repeated attribute values. A hit costs a hash and a byte compare —
 * no string is decoded or allocated — which is most of what makes protobuf ingest cheap.
 */
export class ByteStringCache<T> {
  private readonly bytes: (Buffer | undefined)[];
  private readonly values: (T | undefined)[];
  private readonly mask: number;
  private slot = 0;

  constructor(
    bits = 12,
    private readonly maxLength = 64,
  ) {
    this.bytes = new Array<Buffer | undefined>(1 << bits).fill(undefined);
    this.values = new Array<T | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
  }

  /** The cached value for buf[start, end), or undefined (then `store` may follow for the same range). */
  get(buf: Buffer, start: number, end: number): T | undefined {
    const n = end - start;
    if (n > this.maxLength) {
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
    const known = this.bytes[slot];
    if (known === undefined || known.length !== n) return undefined;
    for (let i = 0; i < n; i++) if (known[i] !== buf[start + i]) return undefined;
    return this.values[slot];
  }

  /** Caches `value` for the range last passed to `get` (which missed). */
  store(buf: Buffer, start: number, end: number, value: T): void {
    if (this.slot < 0) return;
    this.bytes[this.slot] = Buffer.from(buf.subarray(start, end));
    this.values[this.slot] = value;
  }

  clear(): void {
    this.bytes.fill(undefined);
    this.values.fill(undefined);
  }
}
