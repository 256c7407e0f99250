import { avalanche, emptySlots, MAX_PROBES, randomSeed } from './idHash';

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
    this.slots = emptySlots(capacity);
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
      const v = this.slots[s]!;
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
      const v = this.slots[s]!;
      if (v === -1) {
        this.slots[s] = ref;
        if (++this.count * 2 > this.mask) this.grow();
        return -1;
      }
      if (words.idLow(v) === lo && words.idHigh(v) === hi) {
        this.slots[s] = ref;
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

  /** Every reference held (in no particular order). */
  *refs(): IterableIterator<number> {
    for (const v of this.slots) if (v !== -1) yield v;
    if (this.overflow) yield* this.overflow.values();
  }

  /**
   * Replaces references by `map(ref)` (rows moved by a compaction; the ids are unchanged, so every
   * reference keeps its slot). `map` must give a reference with the same id.
   */
  remap(map: (ref: number) => number): void {
    const slots = this.slots;
    for (let s = 0; s < slots.length; s++) if (slots[s] !== -1) slots[s] = map(slots[s]!);
    if (this.overflow) for (const [k, v] of this.overflow) this.overflow.set(k, map(v));
  }

  private grow(): void {
    const old = this.slots;
    const beside = this.overflow;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    this.count = 0;
    this.overflow = undefined;
    const words = this.words;
    for (const v of old) if (v !== -1) this.set(words.idHigh(v), words.idLow(v), v);
    if (beside) for (const v of beside.values()) this.set(words.idHigh(v), words.idLow(v), v);
  }
}

/** The seeded hash of a span id's words (full avalanche: every bit of the slot depends on every bit of the id). */
export function spanIdHash(seed: number, hi: number, lo: number): number {
  return mix(Math.imul(mix(seed ^ hi), 0x01000193) ^ lo);
}

function key(hi: number, lo: number): string {
  return `${hi}:${lo}`;
}
