import type { SpanNode, TraceTree } from '../../../protocol/collectorTypes';
import { spanForest } from '../../../trace/spanForest';
import { toSpanView } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';

/** A trace as a span tree (see {@link spanForest}), written out deep or wide by {@link treeJson}. */
export function buildTree(entry: TraceEntry): TraceTree {
  const roots = spanForest(entry.spans().map(toSpanView));
  return { traceId: entry.traceId, summary: entry.summary(), roots, spanCount: entry.size };
}

/**
 * The tree as JSON text, written with an explicit stack: `JSON.stringify` recurses once per level
 * and overflows the call stack on a deep chain. Parses to the same value as `JSON.stringify(tree)`.
 */
export function treeJson(tree: TraceTree): string {
  const out: string[] = [];
  const { roots, ...head } = tree;
  const headText = JSON.stringify(head);
  out.push(headText.slice(0, -1), headText.length > 2 ? ',"roots":[' : '"roots":[');
  // Each frame: the list being written and the index of its next item.
  const lists: SpanNode[][] = [roots];
  const at: number[] = [0];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const list = lists[top]!;
    const i = at[top]!;
    if (i >= list.length) {
      lists.pop();
      at.pop();
      out.push(']}');
      continue;
    }
    at[top] = i + 1;
    const { children, ...rest } = list[i]!;
    const text = JSON.stringify(rest);
    out.push(i > 0 ? ',' : '', text.slice(0, -1), text.length > 2 ? ',"children":[' : '"children":[');
    lists.push(children);
    at.push(0);
  }
  return out.join('');
}
