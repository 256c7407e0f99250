import { avalanche, MAX_PROBES, randomSeed, slotCount } from './idHash';

// Bindings of this module, read in every probe loop and hash: an imported binding is a getter call
// in the unbundled test and bench builds (measured: 3–4 ms of a 100k-span timeline batch).
const PROBES = MAX_PROBES;
const mix = avalanche;

/** Where the index finds the two words of the span id a reference stands for. */
export interface SpanIdWords {
  /** Most significant word of the span id of `ref`. */
  idHigh(ref: number): number;
  idLow(ref: number): number;
}

/**
 * Span id (two words) → a reference (a non-negative int, e.g. a chunk row), as an open-addressing
 * table over an Int32Array: the ids themselves are not copied, the table reads them through
 * `words` when it compares. Ids come from users' programs and may be chosen to collide: the hash
 * is seeded per table and avalanched, and no operation looks at more than MAX_PROBES slots — an
 * id whose run is that long goes to a Map beside the table (see trace/idHash.ts).
 */
export class SpanIdIndex {
  /**
   * Each slot holds its reference plus one, 0 when empty: a table made or grown is then zeroed by
   * its allocation, not filled (filling was most of the cost of growing a trace's table).
   */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private overflow: Map<string, number> | undefined;
  private readonly seed: number;
  /** Slots looked at so far (what the hostile-id test bounds). */
  probes = 0;

  constructor(
    private readonly words: SpanIdWords,
    capacity = 8,
    seed?: number,
  ) {
    this.slots = new Int32Array(slotCount(capacity));
    this.mask = this.slots.length - 1;
    this.seed = seed ?? randomSeed();
  }

  /** Ids held. */
  get size(): number {
    return this.count + (this.overflow?.size ?? 0);
  }

  /** Heap bytes of the table (its slots; the overflow, empty with honest ids, aside). */
  get bytes(): number {
    return this.slots.byteLength + 64;
  }

  private hash(hi: number, lo: number): number {
    return spanIdHash(this.seed, hi, lo) & this.mask;
  }

  /** The reference held for the id (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    const words = this.words;
    let s = this.hash(hi, lo);
    for (let n = 0; n < PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      const v = this.slots[s]! - 1;
      if (v === -1) return -1;
      if (words.idLow(v) === lo && words.idHigh(v) === hi) return v;
    }
    return this.overflow?.get(key(hi, lo)) ?? -1;
  }

  /**
   * Holds `ref` under the id (hi, lo), replacing what was held for it (last write wins); returns the
   * replaced reference, or -1.
   */
  set(hi: number, lo: number, ref: number): number {
    const words = this.words;
    let s = this.hash(hi, lo);
    for (let n = 0; n < PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      const v = this.slots[s]! - 1;
      if (v === -1) {
        this.slots[s] = ref + 1;
        if (++this.count * 2 > this.mask) this.grow();
        return -1;
      }
      if (words.idLow(v) === lo && words.idHigh(v) === hi) {
        this.slots[s] = ref + 1;
        return v;
      }
    }
    // Slots are freed only by `grow`, which places every id again: an id beside is nowhere in the run.
    const beside = (this.overflow ??= new Map());
    const k = key(hi, lo);
    const old = beside.get(k);
    beside.set(k, ref);
    return old ?? -1;
  }

  /**
   * Holds `ref` under an id the caller knows is not held (it just asked `get`): placed in the first
   * free slot of its run without comparing ids, as `grow` places them.
   */
  add(hi: number, lo: number, ref: number): void {
    this.place(hi, lo, ref);
    if (this.count * 2 > this.mask) this.grow();
  }

  /** Every reference held (in no particular order). */
  *refs(): IterableIterator<number> {
    for (const v of this.slots) if (v !== 0) yield v - 1;
    if (this.overflow) yield* this.overflow.values();
  }

  /**
   * Replaces references by `map(ref)` (rows moved by a compaction; the ids are unchanged, so every
   * reference keeps its slot). `map` must give a reference with the same id.
   */
  remap(map: (ref: number) => number): void {
    const slots = this.slots;
    for (let s = 0; s < slots.length; s++) if (slots[s] !== 0) slots[s] = map(slots[s]! - 1) + 1;
    if (this.overflow) for (const [k, v] of this.overflow) this.overflow.set(k, map(v));
  }

  private grow(): void {
    const old = this.slots;
    const beside = this.overflow;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.count = 0;
    this.overflow = undefined;
    const words = this.words;
    for (let s = 0; s < old.length; s++) {
      const v = old[s]! - 1;
      if (v !== -1) this.place(words.idHigh(v), words.idLow(v), v);
    }
    if (beside) for (const v of beside.values()) this.place(words.idHigh(v), words.idLow(v), v);
  }

  /**
   * `set` for an id known not to be held (the table's own ids, placed again by `grow`): the first
   * free slot of its run, without comparing the ids on the way (each a read of another row).
   */
  private place(hi: number, lo: number, ref: number): void {
    let s = this.hash(hi, lo);
    for (let n = 0; n < PROBES; n++, s = (s + 1) & this.mask) {
      this.probes++;
      if (this.slots[s] === 0) {
        this.slots[s] = ref + 1;
        this.count++;
        return;
      }
    }
    (this.overflow ??= new Map()).set(key(hi, lo), ref);
  }
}

/**
 * Seeds for many tables (one per trace): drawn from the system's random source a block at a time,
 * as one draw costs microseconds (it was 2% of storing a trace of 512 spans).
 */
export class SeedSource {
  private readonly block = new Uint32Array(256);
  private at = this.block.length;

  next(): number {
    if (this.at === this.block.length) {
      crypto.getRandomValues(this.block);
      this.at = 0;
    }
    return this.block[this.at++]!;
  }
}

/** The seeded hash of a span id's words (full avalanche: every bit of the slot depends on every bit of the id). */
export function spanIdHash(seed: number, hi: number, lo: number): number {
  return mix(Math.imul(mix(seed ^ hi), 0x01000193) ^ lo);
}

function key(hi: number, lo: number): string {
  return `${hi}:${lo}`;
}
