import type { SpanNode, TraceTree } from '../../../protocol/collectorTypes';
import { toSpanView } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';

/**
 * A trace as a span tree. Spans whose parent is missing, is themselves, or lies on a parent cycle
 * become roots, each with a note saying which. No recursion anywhere: a chain 100,000 spans deep
 * is built here and written out by {@link treeJson}.
 */
export function buildTree(entry: TraceEntry): TraceTree {
  const nodes = new Map<string, SpanNode>();
  for (const rec of entry.spans.values()) nodes.set(rec.spanId, { ...toSpanView(rec), children: [] });
  const roots: SpanNode[] = [];
  const parentOf = new Map<SpanNode, SpanNode>();
  for (const node of nodes.values()) {
    const pid = node.parentSpanId;
    const parent = pid ? nodes.get(pid) : undefined;
    if (parent && parent !== node) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else {
      if (pid) {
        node.orphan = true;
        node.rootNote = parent === node ? 'own parent' : 'missing parent';
      }
      roots.push(node);
    }
  }
  // Anything not reachable from a root sits on a cycle (or below one): cut the cycle at the first
  // member met and show it as a root.
  const seen = new Set<SpanNode>();
  const visit = (start: SpanNode): void => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  for (const r of roots) visit(r);
  if (seen.size < nodes.size) {
    for (const node of nodes.values()) {
      if (seen.has(node)) continue;
      // Walk up to a member of the cycle: the first node met twice.
      const path = new Set<SpanNode>();
      let n = node;
      while (!path.has(n)) {
        path.add(n);
        n = parentOf.get(n)!;
      }
      const p = parentOf.get(n)!;
      p.children = p.children.filter((c) => c !== n);
      parentOf.delete(n);
      n.orphan = true;
      n.rootNote = 'parent cycle';
      roots.push(n);
      visit(n);
    }
  }
  const byStart = (a: SpanNode, b: SpanNode): number => a.startMs - b.startMs;
  roots.sort(byStart);
  for (const node of nodes.values()) if (node.children.length > 1) node.children.sort(byStart);
  return { traceId: entry.traceId, summary: entry.summary(), roots, spanCount: nodes.size };
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
