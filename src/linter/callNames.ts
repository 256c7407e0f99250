/** What the index records of each named function: whether it catches, and the names it calls. */
export interface FunctionFacts {
  name: string;
  /** Has a catch clause or a `.catch`/`.then` handler. */
  catches: boolean;
  calls: string[];
}

/**
 * Names of project functions that catch, and of those that call them — maintained per file, so
 * swallowed-error only asks the type checker to resolve calls that can lead to a catch. Resolving
 * every call of every procedure costs as much as the rest of the analysis together.
 */
export class CallNames {
  private readonly byFile = new Map<string, FunctionFacts[]>();
  private readonly catchCount = new Map<string, number>();
  /** Function name → names it calls (over all functions of that name) → how many such calls. */
  private readonly callees = new Map<string, Map<string, number>>();
  private memo = new Map<string, boolean>();

  setFile(file: string, facts: FunctionFacts[]): void {
    this.removeFile(file);
    this.byFile.set(file, facts);
    for (const f of facts) {
      if (f.catches) this.catchCount.set(f.name, (this.catchCount.get(f.name) ?? 0) + 1);
      if (f.calls.length === 0) continue;
      let counts = this.callees.get(f.name);
      if (!counts) this.callees.set(f.name, (counts = new Map()));
      for (const c of f.calls) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    if (this.memo.size) this.memo = new Map();
  }

  removeFile(file: string): void {
    const old = this.byFile.get(file);
    if (!old) return;
    this.byFile.delete(file);
    for (const f of old) {
      if (f.catches) decrement(this.catchCount, f.name);
      const counts = this.callees.get(f.name);
      if (!counts) continue;
      for (const c of f.calls) decrement(counts, c);
      if (counts.size === 0) this.callees.delete(f.name);
    }
    if (this.memo.size) this.memo = new Map();
  }

  /** True when a function called `name` may reach a catch within `depth` calls. */
  mayReachCatch(name: string, depth: number): boolean {
    if (depth <= 0) return false;
    const key = `${depth}:${name}`;
    const m = this.memo.get(key);
    if (m !== undefined) return m;
    this.memo.set(key, false); // cycles
    let result = this.catchCount.has(name);
    if (!result && depth > 1) {
      for (const c of this.callees.get(name)?.keys() ?? []) {
        if (this.mayReachCatch(c, depth - 1)) {
          result = true;
          break;
        }
      }
    }
    this.memo.set(key, result);
    return result;
  }
}

function decrement(m: Map<string, number>, key: string): void {
  const n = (m.get(key) ?? 1) - 1;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}
