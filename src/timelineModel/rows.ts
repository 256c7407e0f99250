/**
 * Visible rows from the span tree: pre-order, skipping collapsed subtrees, and with a filter
 * keeping the matches plus their ancestors (as context). O(n) with typed arrays, so a 100k-span
 * trace is re-filtered in a few milliseconds; the result is what the virtual list indexes into.
 */
import { filterKey, nodeMatcher, parseFilter, type RowFilter } from './rowFilter';
import type { SpanTree } from './spanTree';

export interface RowModel {
  /** Pre-order node indices of the visible rows, top to bottom. */
  readonly rows: Int32Array;
  /** 1 where the node itself matches an active filter (others are shown as context). */
  readonly match: Uint8Array;
  readonly matchCount: number;
  readonly filtered: boolean;
}

/**
 * `attrMatches`: the ids of the spans whose attributes match the filter's `key=value` tokens, when
 * they were matched elsewhere (the tree's batch is a summary: see SpanBatch.summary).
 */
export function buildRows(tree: SpanTree, collapsed: ReadonlySet<string>, filter: RowFilter, attrMatches?: ReadonlySet<string>): RowModel {
  const n = tree.size;
  const pf = parseFilter(filter);
  const match = new Uint8Array(n);
  let matchCount = 0;
  let keep: Uint8Array | undefined;
  if (pf.active) {
    keep = new Uint8Array(n);
    let attrMatched: Uint8Array | undefined;
    if (attrMatches) {
      attrMatched = new Uint8Array(n);
      for (const id of attrMatches) {
        const node = tree.byId.get(id);
        if (node !== undefined) attrMatched[node] = 1;
      }
    }
    const matches = nodeMatcher(tree, pf, attrMatched);
    for (let i = n - 1; i >= 0; i--) {
      if (matches(i)) {
        match[i] = 1;
        keep[i] = 1;
        matchCount++;
      }
      if (keep[i] && tree.parent[i] !== -1) keep[tree.parent[i]!] = 1;
    }
  } else {
    match.fill(1);
    matchCount = n;
  }
  // Collapsed span ids as node flags: no id string per row.
  let closed: Uint8Array | undefined;
  for (const id of collapsed) {
    const c = tree.byId.get(id);
    if (c !== undefined) (closed ??= new Uint8Array(n))[c] = 1;
  }
  const rows = new Int32Array(n);
  let count = 0;
  let i = 0;
  while (i < n) {
    if (keep && !keep[i]) {
      i = tree.subtreeEnd[i]!;
      continue;
    }
    rows[count++] = i;
    i = closed?.[i] ? tree.subtreeEnd[i]! : i + 1;
  }
  return { rows: rows.subarray(0, count), match, matchCount, filtered: pf.active };
}

/** Remembers the last result for identical inputs (tree, attribute matches by identity, collapsed by version). */
export function memoizeRows(): (tree: SpanTree, collapsed: ReadonlySet<string>, collapsedVersion: number, filter: RowFilter, attrMatches?: ReadonlySet<string>) => RowModel {
  let last: { tree: SpanTree; version: number; key: string; collapsed: ReadonlySet<string>; attrMatches: ReadonlySet<string> | undefined; model: RowModel } | undefined;
  return (tree, collapsed, version, filter, attrMatches) => {
    const key = filterKey(filter);
    if (last && last.tree === tree && last.version === version && last.collapsed === collapsed && last.key === key && last.attrMatches === attrMatches) return last.model;
    const model = buildRows(tree, collapsed, filter, attrMatches);
    last = { tree, version, key, collapsed, attrMatches, model };
    return model;
  };
}

/** Row position of a node, or -1 when it is not visible. */
export function rowOf(model: RowModel, nodeIndex: number): number {
  // Rows are in ascending pre-order: binary search.
  let lo = 0;
  let hi = model.rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = model.rows[mid]!;
    if (v === nodeIndex) return mid;
    if (v < nodeIndex) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
