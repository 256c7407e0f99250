import type { SpanNode, TraceTree } from '../../protocol/collectorTypes';
import { toSpanView } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';

/** A trace as a span tree; spans whose parent is missing (or that form a cycle) become roots. */
export function buildTree(entry: TraceEntry): TraceTree {
  const nodes = new Map<string, SpanNode>();
  for (const rec of entry.spans.values()) nodes.set(rec.spanId, { ...toSpanView(rec), children: [] });
  const roots: SpanNode[] = [];
  const parentOf = new Map<SpanNode, SpanNode>();
  for (const node of nodes.values()) {
    const parent = node.parentSpanId ? nodes.get(node.parentSpanId) : undefined;
    if (parent && parent !== node) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else {
      if (node.parentSpanId) node.orphan = true;
      roots.push(node);
    }
  }
  // Anything not reachable from a root sits on a cycle: cut it loose as an orphan root.
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
      const p = parentOf.get(node);
      if (p) p.children = p.children.filter((c) => c !== node);
      node.orphan = true;
      roots.push(node);
      visit(node);
    }
  }
  const byStart = (a: SpanNode, b: SpanNode): number => a.startMs - b.startMs;
  roots.sort(byStart);
  for (const node of nodes.values()) if (node.children.length > 1) node.children.sort(byStart);
  return { traceId: entry.traceId, summary: entry.summary(), roots, spanCount: nodes.size };
}
