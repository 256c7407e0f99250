import { IGNORE_MARKER } from './fixes';
import { RULE_IDS, type RuleId } from '../protocol/lintTypes';

const MARKER = new RegExp(`//\\s*${IGNORE_MARKER}\\b([^\\n]*)`, 'g');

/**
 * `// instrument-first-ignore <rule…>` comments of one file, by the 0-based line they cover: the
 * comment's own line (trailing) and the line below it. Without rule ids, every rule is ignored.
 */
export class IgnoreComments {
  private readonly byLine = new Map<number, Set<RuleId> | 'all'>();

  constructor(text: string, lineOf: (pos: number) => number) {
    if (!text.includes(IGNORE_MARKER)) return;
    for (const m of text.matchAll(MARKER)) {
      const tokens = (m[1] ?? '').split(/[\s,]+/).filter((t) => t && !t.startsWith('--'));
      const rules = tokens.filter((t): t is RuleId => (RULE_IDS as readonly string[]).includes(t));
      const entry: Set<RuleId> | 'all' = rules.length ? new Set(rules) : 'all';
      const line = lineOf(m.index);
      for (const l of [line, line + 1]) this.add(l, entry);
    }
  }

  private add(line: number, entry: Set<RuleId> | 'all'): void {
    const prev = this.byLine.get(line);
    if (prev === 'all' || entry === 'all') this.byLine.set(line, 'all');
    else this.byLine.set(line, new Set([...(prev ?? []), ...entry]));
  }

  /** True when `rule` is ignored on any of `lines` (the finding's line, its owner's first line). */
  ignores(rule: RuleId, lines: readonly number[]): boolean {
    if (this.byLine.size === 0) return false;
    return lines.some((l) => {
      const e = this.byLine.get(l);
      return e === 'all' || (e !== undefined && e.has(rule));
    });
  }
}
