/**
 * The timeline's search and filter: text matches span names, `key=value` tokens match attributes
 * (`key=` only asks for the key), plus "errors only" and a minimum duration. All given criteria
 * must hold. Parsed once per change, then evaluated per node (in place, on the span table) while
 * rows are built.
 */
import { AttrKind } from '../protocol/spanBatch';
import { attrText as protocolAttrText, type AttrValue } from '../protocol/spanView';
import type { TimelineFilter } from '../protocol/timelineMessages';
import type { SpanTree } from './spanTree';

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

/** A value as text: lists joined with ', ', the tagged kinds as the protocol writes them. */
export function attrText(v: AttrValue): string {
  return protocolAttrText(v);
}

/** Evaluates the filter on nodes of this tree (names and string values lower-cased once per distinct string). */
export function nodeMatcher(tree: SpanTree, f: ParsedFilter): (node: number) => boolean {
  const t = tree.table;
  const b = t.batch;
  const valueText = (e: number): string => (b.attrType[e] === AttrKind.string ? t.lower(b.attrValue[e]!) : attrText(t.value(e)).toLowerCase());
  return (i) => {
    if (f.errorsOnly && !tree.error(i)) return false;
    if (f.minDurationMs > 0 && tree.totalMs(i) < f.minDurationMs) return false;
    const row = tree.row[i]!;
    if (f.names.length) {
      const name = t.lower(b.name[row]!);
      for (const w of f.names) if (!name.includes(w)) return false;
    }
    for (const a of f.attrs) {
      const e = t.attrEntry(row, a.key);
      if (e === -1) return false;
      if (a.value && !valueText(e).includes(a.value)) return false;
    }
    return true;
  };
}

/** A stable key for memoization. */
export function filterKey(f: RowFilter): string {
  return `${f.errorsOnly ? 1 : 0}|${f.minDurationMs}|${f.text.trim()}`;
}
