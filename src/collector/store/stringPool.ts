/**
 * Interning of what repeats across spans — attribute keys, span names, low-cardinality attribute
 * values — so that the store keeps one copy of each. Values are interned per key, and a key whose
 * values turn out to be mostly unique (request ids, URLs) stops being interned: no time is spent on
 * lookups that never hit, and no memory on a table of one-off strings.
 */
export class KeyInfo {
  /** Known values of this key; undefined once the key proved high-cardinality. */
  values: Map<string, string> | undefined = new Map();
  misses = 0;
  constructor(readonly key: string) {}
}

const MAX_KEYS = 10_000;
/** Distinct values a key may have and still be interned. */
const MAX_VALUES_PER_KEY = 512;
const MAX_VALUE_LENGTH = 200;
/**
 * UTF-8 bytes past which a value is never interned (a UTF-16 unit takes at most 3 bytes, so such a
 * value is longer than MAX_VALUE_LENGTH units). Decoders check it before making the string: a key
 * whose values are all long (response bodies) stays "repeating" forever, since long values are not
 * counted, and each of its 64 KiB values was made a string only to be dropped — under bench:memory
 * a GiB of strings on the large bodies' decode worker, 15 % of its time in scavenges.
 */
export const MAX_INTERNED_BYTES = 3 * MAX_VALUE_LENGTH;

export class StringPool {
  private readonly keys = new Map<string, KeyInfo>();
  private names = new KeyInfo('');

  /** The shared info of an attribute key (its `key` is the interned string). */
  key(k: string): KeyInfo {
    let info = this.keys.get(k);
    if (info === undefined) {
      info = new KeyInfo(k);
      if (this.keys.size < MAX_KEYS) this.keys.set(k, info);
      else info.values = undefined;
    }
    return info;
  }

  /** A shared copy of a value of the given key, when that key's values repeat. */
  value(info: KeyInfo, v: string): string {
    const values = info.values;
    if (values === undefined || v.length > MAX_VALUE_LENGTH) return v;
    const known = values.get(v);
    if (known !== undefined) return known;
    if (values.size >= MAX_VALUES_PER_KEY) info.values = undefined;
    else values.set(v, v);
    return v;
  }

  /** Whether a value of `bytes` UTF-8 bytes of this key may be interned (else: not worth making its string to ask). */
  mayIntern(info: KeyInfo, bytes: number): boolean {
    return info.values !== undefined && bytes <= MAX_INTERNED_BYTES;
  }

  /** Whether `v` is the pool's shared copy among the values of `info` (or among the names, without it). */
  isShared(v: string, info?: KeyInfo): boolean {
    return (info ?? this.names).values?.get(v) === v;
  }

  /** Interns a string that is not an attribute value (span and event names, scope names). */
  intern(s: string): string {
    return this.value(this.names, s);
  }

  clear(): void {
    this.keys.clear();
    this.names = new KeyInfo('');
  }
}

/**
 * Shares key arrays: spans whose attribute keys come in the same order get the same array, found by
 * walking a trie of interned keys (one map lookup per key, no string joining).
 */
export class KeyShapes {
  private readonly root: ShapeNode = { keys: [], next: undefined };
  private nodes = 0;
  /** The last few shapes returned: a batch mostly repeats a handful (checked by identity first). */
  private readonly recent: string[][] = [];
  private recentAt = 0;
  constructor(private readonly maxNodes = 50_000) {}

  /**
   * Returns a shared array equal to the first `n` of `keys` (interned keys). `keys` may be a
   * scratch array: it is never kept.
   */
  share(keys: string[], n: number): string[] {
    const recent = this.recent;
    for (let r = 0; r < recent.length; r++) {
      const shape = recent[r]!;
      if (shape.length !== n) continue;
      let i = 0;
      while (i < n && shape[i] === keys[i]) i++;
      if (i === n) return shape;
    }
    let node = this.root;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      let child = node.next?.get(k);
      if (!child) {
        if (this.nodes >= this.maxNodes) return keys.slice(0, n);
        child = { keys: keys.slice(0, i + 1), next: undefined };
        (node.next ??= new Map()).set(k, child);
        this.nodes++;
      }
      node = child;
    }
    recent[this.recentAt] = node.keys;
    this.recentAt = (this.recentAt + 1) & (RECENT_SHAPES - 1);
    return node.keys;
  }
}

/** Shapes remembered by KeyShapes.share (a power of two). */
const RECENT_SHAPES = 8;

interface ShapeNode {
  keys: string[];
  next: Map<string, ShapeNode> | undefined;
}
