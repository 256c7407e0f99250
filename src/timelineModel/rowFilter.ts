/**
 * The timeline's search and filter: text matches span names, `key=value` tokens match attributes
 * (`key=` only asks for the key), plus "errors only" and a minimum duration. All given criteria
 * must hold. Parsed once per change, then evaluated per node while rows are built.
 */
import type { AttrValue } from '../protocol/spanView';
import type { TimelineFilter } from '../protocol/timelineMessages';
import type { TreeNode } from './spanTree';

export type RowFilter = TimelineFilter;

export const NO_FILTER: RowFilter = { text: '', errorsOnly: false, minDurationMs: 0 };

interface AttrToken {
  key: string;
  /** Lower-cased; empty means "the key is present". */
  value: string;
}

export interface ParsedFilter {
  readonly active: boolean;
  readonly names: readonly string[];
  readonly attrs: readonly AttrToken[];
  readonly errorsOnly: boolean;
  readonly minDurationMs: number;
}

export function parseFilter(f: RowFilter): ParsedFilter {
  const names: string[] = [];
  const attrs: AttrToken[] = [];
  for (const token of f.text.trim().split(/\s+/)) {
    if (!token) continue;
    const eq = token.indexOf('=');
    if (eq > 0) attrs.push({ key: token.slice(0, eq), value: token.slice(eq + 1).toLowerCase() });
    else names.push(token.toLowerCase());
  }
  const minDurationMs = Number.isFinite(f.minDurationMs) && f.minDurationMs > 0 ? f.minDurationMs : 0;
  return {
    active: names.length > 0 || attrs.length > 0 || f.errorsOnly || minDurationMs > 0,
    names,
    attrs,
    errorsOnly: f.errorsOnly,
    minDurationMs,
  };
}

export function attrText(v: AttrValue): string {
  return Array.isArray(v) ? v.map(String).join(', ') : String(v);
}

export function matchesFilter(n: TreeNode, f: ParsedFilter): boolean {
  if (f.errorsOnly && !n.error) return false;
  if (f.minDurationMs > 0 && n.totalMs < f.minDurationMs) return false;
  if (f.names.length) {
    const name = n.span.name.toLowerCase();
    for (const t of f.names) if (!name.includes(t)) return false;
  }
  for (const a of f.attrs) {
    const v = n.span.attributes[a.key];
    if (v === undefined) return false;
    if (a.value && !attrText(v).toLowerCase().includes(a.value)) return false;
  }
  return true;
}

/** A stable key for memoization. */
export function filterKey(f: RowFilter): string {
  return `${f.errorsOnly ? 1 : 0}|${f.minDurationMs}|${f.text.trim()}`;
}
