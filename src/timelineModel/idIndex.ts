/**
 * Span id → index, for the span tree. An open-addressing hash table over typed arrays (FNV-1a of
 * the id's UTF-16 code units, linear probing). The ids are not copied out: each is a range of one
 * text (the span batch's string table), so indexing a 100k-span trace cuts no strings and leaves
 * almost no garbage behind.
 */
export class IdIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** The id stored at index i is `text.slice(from(i), to(i))` (the index keeps indices, not strings). */
  constructor(
    capacity: number,
    private readonly text: string,
    private readonly from: (i: number) => number,
    private readonly to: (i: number) => number,
  ) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  private hash(a: number, b: number): number {
    let h = 0x811c9dc5;
    for (let i = a; i < b; i++) h = Math.imul(h ^ this.text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  /** The text ranges [a, b) and [c, d) hold the same characters. */
  private same(a: number, b: number, c: number, d: number): boolean {
    if (b - a !== d - c) return false;
    for (let i = 0; i < b - a; i++) if (this.text.charCodeAt(a + i) !== this.text.charCodeAt(c + i)) return false;
    return true;
  }

  /** Stores `index` under its id; a later index with the same id replaces it. */
  set(index: number): void {
    const a = this.from(index);
    const b = this.to(index);
    let s = this.hash(a, b) & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === -1) {
        this.slots[s] = index;
        this.count++;
        return;
      }
      if (this.same(this.from(v), this.to(v), a, b)) {
        this.slots[s] = index;
        return;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** The index whose id is the text between `a` and `b`. */
  getRange(a: number, b: number): number | undefined {
    let s = this.hash(a, b) & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === -1) return undefined;
      if (this.same(this.from(v), this.to(v), a, b)) return v;
      s = (s + 1) & this.mask;
    }
  }

  get(id: string): number | undefined {
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    let s = (h >>> 0) & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === -1) return undefined;
      const a = this.from(v);
      if (this.to(v) - a === id.length && this.text.startsWith(id, a)) return v;
      s = (s + 1) & this.mask;
    }
  }
}
