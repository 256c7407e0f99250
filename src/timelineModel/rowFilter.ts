/**
 * The timeline's search and filter: text matches span names, `key=value` tokens match attributes
 * (`key=` only asks for the key), plus "errors only" and a minimum duration. All given criteria
 * must hold. Parsed once per change, then evaluated per node (in place, on the span table) while
 * rows are built.
 */
import { AttrKind } from '../protocol/spanBatch';
import { attrText as protocolAttrText, type AttrValue } from '../protocol/spanView';
import type { AttrToken, TimelineFilter } from '../protocol/timelineMessages';
import type { SpanTree } from './spanTree';

export type RowFilter = TimelineFilter;

export const NO_FILTER: RowFilter = { text: '', errorsOnly: false, minDurationMs: 0 };

export interface ParsedFilter {
  readonly active: boolean;
  readonly names: readonly string[];
  /** Values lower-cased. */
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

/**
 * Evaluates the filter on nodes of this tree (names and string values lower-cased once per
 * distinct string). `attrMatched`: 1 per node whose attributes match the `key=value` tokens, found
 * where the attributes are (a summary batch holds only some, see SpanBatch.summary); without it
 * the tokens are matched on the batch.
 */
export function nodeMatcher(tree: SpanTree, f: ParsedFilter, attrMatched?: Uint8Array): (node: number) => boolean {
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
    if (attrMatched) return f.attrs.length === 0 || attrMatched[i] === 1;
    for (const a of f.attrs) {
      const e = t.attrEntry(row, a.key);
      if (e === -1) return false;
      if (a.value && !valueText(e).includes(a.value)) return false;
    }
    return true;
  };
}

/** The search's `key=value` tokens as one string (what an attribute search answers for), '' when there are none. */
export function attrQuery(f: ParsedFilter): string {
  return f.attrs.length ? JSON.stringify(f.attrs.map((a) => [a.key, a.value])) : '';
}

/** A stable key for memoization. */
export function filterKey(f: RowFilter): string {
  return `${f.errorsOnly ? 1 : 0}|${f.minDurationMs}|${f.text.trim()}`;
}
