import type { SpanNode } from '../protocol/collectorTypes';
import type { SpanView } from '../protocol/spanView';

/**
 * A trace's spans as a forest, the one way every reader builds it (the read API's tree, the
 * terminal waterfall): children sorted by start; a span whose parent is missing, is itself, or
 * lies on a parent cycle becomes a root marked `orphan` with a note saying which (a cycle is cut
 * at the first of its members met). No recursion: a chain 100,000 spans deep is fine.
 */
export function spanForest(spans: Iterable<SpanView>): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanId, { ...span, children: [] });
  const roots: SpanNode[] = [];
  const parentOf = new Map<SpanNode, SpanNode>();
  for (const node of nodes.values()) {
    const pid = node.parentSpanId;
    const parent = pid ? nodes.get(pid) : undefined;
    if (parent && parent !== node) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else {
      if (pid) markRoot(node, parent === node ? 'own parent' : 'missing parent');
      roots.push(node);
    }
  }
  const seen = new Set<SpanNode>();
  const reach = (start: SpanNode): void => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  for (const r of roots) reach(r);
  // Anything not reachable from a root sits on a cycle or below one: walk up to the first node met
  // twice (a member of the cycle) and make it a root.
  if (seen.size < nodes.size) {
    for (const node of nodes.values()) {
      if (seen.has(node)) continue;
      const path = new Set<SpanNode>();
      let n = node;
      while (!path.has(n)) {
        path.add(n);
        n = parentOf.get(n)!;
      }
      const p = parentOf.get(n)!;
      p.children = p.children.filter((c) => c !== n);
      parentOf.delete(n);
      markRoot(n, 'parent cycle');
      roots.push(n);
      reach(n);
    }
  }
  const byStart = (a: SpanNode, b: SpanNode): number => a.startMs - b.startMs;
  roots.sort(byStart);
  for (const node of nodes.values()) if (node.children.length > 1) node.children.sort(byStart);
  return roots;
}

function markRoot(node: SpanNode, note: NonNullable<SpanNode['rootNote']>): void {
  node.orphan = true;
  node.rootNote = note;
}
