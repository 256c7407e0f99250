import { emptySlots, MAX_PROBES, randomSeed, rangeHash, stringHash } from '../trace/idHash';

export { MAX_PROBES, stringHash };

/**
 * Span id → index, for the span tree and for appending live batches. An open-addressing hash table
 * over typed arrays (linear probing). The ids are not copied out: each is a range of one text (the
 * span batch's string table), so indexing a 100k-span trace cuts no strings and leaves almost no
 * garbage behind.
 *
 * Ids come from users' programs, imported files and remote backends, so they may be chosen to
 * collide, which would make every lookup walk one long probe chain (quadratic work for the page).
 * Two defences: the hash starts from a random seed per table (crypto.getRandomValues) and is
 * finished by a full-avalanche mix, so collisions cannot be prepared without knowing the seed; and
 * whatever the ids, no operation looks at more than {@link MAX_PROBES} slots: an id whose probe
 * run is that long goes to a `Map` beside the table (the engine's own seeded string hash), so
 * the worst case is bounded, not merely unlikely.
 */
export class IdIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** Ids that found no free slot within MAX_PROBES (only when ids collide: never seen with random ids). */
  private overflow: Map<string, number> | undefined;
  private readonly seed: number;
  /** Slots looked at by every operation so far (what the hostile-id tests bound). */
  probes = 0;

  /**
   * The id stored at index i is `text.slice(from(i), to(i))` (the index keeps indices, not strings).
   * `seed`: for tests that need ids colliding under a known hash; random otherwise.
   */
  constructor(
    capacity: number,
    private text: string,
    private readonly from: (i: number) => number,
    private readonly to: (i: number) => number,
    seed?: number,
  ) {
    this.slots = emptySlots(capacity);
    this.mask = this.slots.length - 1;
    this.seed = seed ?? randomSeed();
  }

  /** Ids held. */
  get size(): number {
    return this.count + (this.overflow?.size ?? 0);
  }

  /** Ids that went beside the table (see MAX_PROBES). */
  get overflowed(): number {
    return this.overflow?.size ?? 0;
  }

  /** The text grew (a batch appended to): ranges of the indices already held must still be theirs. */
  setText(text: string): void {
    this.text = text;
  }

  /** The text ranges [a, b) and [c, d) hold the same characters. */
  private same(a: number, b: number, c: number, d: number): boolean {
    if (b - a !== d - c) return false;
    const text = this.text;
    for (let i = 0; i < b - a; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(c + i)) return false;
    return true;
  }

  /** Stores `index` under its id; a later index with the same id replaces it. */
  set(index: number): void {
    this.put(index, true);
  }

  /** Stores `index` under its id unless the id is held already; returns the index held for it. */
  add(index: number): number {
    return this.put(index, false);
  }

  private put(index: number, replace: boolean): number {
    const a = this.from(index);
    const b = this.to(index);
    const text = this.text;
    let s = rangeHash(this.seed, text, a, b) & this.mask;
    for (let n = 0; n < MAX_PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      const v = this.slots[s]!;
      // An id beside the table found its run full, and slots are freed only by `grow`, which
      // places every id again: an empty slot here means the id is nowhere.
      if (v === -1) {
        this.slots[s] = index;
        if (++this.count * 2 > this.mask) this.grow();
        return index;
      }
      if (v === index || this.same(this.from(v), this.to(v), a, b)) {
        if (replace) this.slots[s] = index;
        return replace ? index : v;
      }
    }
    const beside = (this.overflow ??= new Map());
    const id = text.slice(a, b);
    const held = beside.get(id);
    if (held !== undefined && !replace) return held;
    beside.set(id, index);
    return index;
  }

  /** Twice the slots, every index placed again (those beside the table too: most now fit). */
  private grow(): void {
    const old = this.slots;
    const beside = this.overflow;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    this.count = 0;
    this.overflow = undefined;
    for (const v of old) if (v !== -1) this.put(v, true);
    if (beside) for (const v of beside.values()) this.put(v, true);
  }

  /** The index whose id is the text between `a` and `b`. */
  getRange(a: number, b: number): number | undefined {
    let s = rangeHash(this.seed, this.text, a, b) & this.mask;
    for (let n = 0; n < MAX_PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      const v = this.slots[s]!;
      if (v === -1) break;
      if (this.same(this.from(v), this.to(v), a, b)) return v;
    }
    return this.overflow?.get(this.text.slice(a, b));
  }

  get(id: string): number | undefined {
    let s = stringHash(this.seed, id) & this.mask;
    const text = this.text;
    for (let n = 0; n < MAX_PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      const v = this.slots[s]!;
      if (v === -1) break;
      const a = this.from(v);
      if (this.to(v) - a === id.length && text.startsWith(id, a)) return v;
    }
    return this.overflow?.get(id);
  }
}
