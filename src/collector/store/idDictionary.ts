import type { KeyShapes, StringPool } from './stringPool';

/** Strings and key lists by id: what a span index's ids point into. */
export interface DictionaryView {
  readonly strings: readonly string[];
  readonly shapes: readonly string[][];
  /** Which filling of the dictionary this is (an index names the one its ids belong to). */
  readonly generation: number;
}

/** What a dictionary gained since it was last read: sent beside each span index from a worker. */
export interface DictionaryAdditions {
  /** The dictionary was emptied before these were added (ids start again at 0). */
  reset: boolean;
  /** Counts the resets: a mirror that sees another generation than its own is out of step. */
  generation: number;
  strings: string[];
  /** New key lists, as ids into `strings`. */
  shapes: number[][];
}

/** Strings and shapes held at most; beyond it the dictionary (and the caches feeding it) start over. */
const MAX_ENTRIES = 200_000;

/**
 * The decoding side's dictionary: the repeated strings (span names, low-cardinality attribute
 * values, keys) and key lists of decoded spans get small integer ids, so a span index carries
 * integers rather than strings, and a mirror on another thread receives each string only once.
 */
export class IdDictionary implements DictionaryView {
  readonly strings: string[] = [];
  readonly shapes: string[][] = [];
  private readonly ids = new Map<string, number>();
  private readonly shapeIds = new Map<string[], number>();
  private sentStrings = 0;
  private sentShapes = 0;
  private resetPending = false;
  private gen = 0;

  /** The id of a (shared) string, adding it when new. */
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of a shared key list (by identity, as KeyShapes returns them), adding it when new. */
  shapeId(keys: string[]): number {
    let id = this.shapeIds.get(keys);
    if (id === undefined) {
      for (const k of keys) this.id(k);
      id = this.shapes.push(keys) - 1;
      this.shapeIds.set(keys, id);
    }
    return id;
  }

  /** True when the dictionary should start over before the next body (see MAX_ENTRIES). */
  get full(): boolean {
    return this.strings.length + this.shapes.length > MAX_ENTRIES;
  }

  get generation(): number {
    return this.gen;
  }

  clear(): void {
    this.strings.length = 0;
    this.shapes.length = 0;
    this.ids.clear();
    this.shapeIds.clear();
    this.sentStrings = 0;
    this.sentShapes = 0;
    this.resetPending = true;
    this.gen++;
  }

  /** What was added since the last call (for a mirror on the thread that stores the spans). */
  takeAdditions(): DictionaryAdditions {
    const strings = this.strings.slice(this.sentStrings);
    const shapes = this.shapes.slice(this.sentShapes).map((keys) => keys.map((k) => this.ids.get(k)!));
    this.sentStrings = this.strings.length;
    this.sentShapes = this.shapes.length;
    const reset = this.resetPending;
    this.resetPending = false;
    return { reset, generation: this.gen, strings, shapes };
  }
}

/**
 * The storing thread's copy of one decode worker's dictionary, kept in step by applying each
 * response's additions in the order the worker sent them. Keys go through the store's string pool
 * and key lists through its shapes, so spans decoded anywhere share them.
 */
export class DictionaryMirror implements DictionaryView {
  readonly strings: string[] = [];
  readonly shapes: string[][] = [];
  private gen = 0;

  // Only the pools: the store's decode context passes itself.
  constructor(private readonly ctx: { readonly pool: StringPool; readonly shapes: KeyShapes }) {}

  get generation(): number {
    return this.gen;
  }

  /** Applies one response's additions; on bad ones the mirror goes out of step (generation -1) until a reset. */
  apply(a: DictionaryAdditions): void {
    if (a.reset) {
      this.strings.length = 0;
      this.shapes.length = 0;
      this.gen = a.generation;
    }
    if (this.gen !== a.generation) return;
    const pool = this.ctx.pool;
    for (const s of a.strings) this.strings.push(typeof s === 'string' ? s : String(s));
    for (const ids of a.shapes) {
      const keys: string[] = [];
      for (const i of ids) {
        const s = this.strings[i];
        if (s === undefined) {
          this.gen = -1;
          return;
        }
        keys.push(pool.key(s).key);
      }
      this.shapes.push(this.ctx.shapes.share(keys, keys.length));
    }
  }
}
