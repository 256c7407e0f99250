/**
 * Interns strings that repeat across spans (attribute keys, span names, short attribute values)
 * so that the store keeps one copy of each. Bounded: once full it only returns known copies, so a
 * stream of unique values cannot grow it without limit.
 */
export class StringPool {
  private readonly map = new Map<string, string>();
  constructor(
    private readonly maxEntries = 200_000,
    private readonly maxLength = 96,
  ) {}

  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const known = this.map.get(s);
    if (known !== undefined) return known;
    if (this.map.size < this.maxEntries) this.map.set(s, s);
    return s;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Shares key arrays: spans whose attribute keys come in the same order get the same array, found by
 * walking a trie of interned keys (one map lookup per key, no string joining).
 */
export class KeyShapes {
  private readonly root: ShapeNode = { keys: [], next: undefined };
  private nodes = 0;
  constructor(private readonly maxNodes = 50_000) {}

  /**
   * Returns a shared array equal to the first `n` of `keys` (interned keys). `keys` may be a
   * scratch array: it is never kept.
   */
  share(keys: string[], n: number): string[] {
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
    return node.keys;
  }
}

interface ShapeNode {
  keys: string[];
  next: Map<string, ShapeNode> | undefined;
}
