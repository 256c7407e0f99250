/**
 * The critical path below a span: the chain of work that decided when it finished. Walking back
 * from the end, the time goes to the child that finished last before the cursor (clipped to the
 * cursor when it was still running then), recursively; the gaps stay with the parent. Overlapping
 * and concurrent children are handled by the clipping: a child that was cut off by a later one
 * only counts for the time before that one started.
 *
 * A span's extent is its end or, for a step, the end of the steps it returned (they run after
 * it, nested under it), so a run's path goes through the returned steps too.
 */
import type { SpanTree } from './spanTree';

export interface CriticalSegment {
  /** Pre-order index of the node that was on the path in [startMs, endMs). */
  node: number;
  startMs: number;
  endMs: number;
}

export interface CriticalPath {
  /** Segments in time order, non-overlapping, covering the root's extent. */
  segments: CriticalSegment[];
  /** Nodes on the path (with at least one segment). */
  nodes: Set<number>;
}

/** The critical path of the subtree at `root` (a run's root or one pass). */
export function criticalPath(tree: SpanTree, root: number): CriticalPath {
  const out: CriticalSegment[] = [];
  if (!(root >= 0 && root < tree.size)) return { segments: [], nodes: new Set() };
  const start = tree.spanStartMs;
  const extent = tree.extentEndMs;
  // Explicit stack of frames so deeply nested plans do not overflow the call stack. Children are
  // sorted by start; `best[k]` is the child among the first k+1 that finishes last (earliest on a
  // tie), and `p` counts the children that start before the cursor (it only moves left).
  type Frame = { node: number; kids: number[]; cursor: number; floor: number; best: Int32Array; p: number };
  const frame = (node: number, cursor: number, floor: number): Frame => {
    const kids = tree.children(node);
    const best = new Int32Array(kids.length);
    for (let k = 0; k < kids.length; k++) {
      const prev = k > 0 ? best[k - 1]! : -1;
      best[k] = prev !== -1 && extent[prev]! >= extent[kids[k]!]! ? prev : kids[k]!;
    }
    return { node, kids, cursor, floor, best, p: kids.length };
  };
  const stack: Frame[] = [frame(root, extent[root]!, start[root]!)];
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    const kids = f.kids;
    while (f.p > 0 && Math.max(start[kids[f.p - 1]!]!, f.floor) >= f.cursor) f.p--;
    const best = f.p > 0 ? f.best[f.p - 1]! : -1;
    const bestEnd = best === -1 ? -Infinity : Math.min(extent[best]!, f.cursor);
    const bestStart = best === -1 ? Infinity : Math.max(start[best]!, f.floor);
    if (best !== -1 && bestEnd <= bestStart) {
      // A zero-length child: nothing to walk into; the parent keeps the time after it.
      if (f.cursor > bestStart) out.push({ node: f.node, startMs: bestStart, endMs: f.cursor });
      f.cursor = bestStart;
      continue;
    }
    if (best === -1) {
      if (f.cursor > f.floor) out.push({ node: f.node, startMs: f.floor, endMs: f.cursor });
      stack.pop();
      continue;
    }
    if (f.cursor > bestEnd) out.push({ node: f.node, startMs: bestEnd, endMs: f.cursor });
    f.cursor = bestStart;
    stack.push(frame(best, bestEnd, bestStart));
  }
  out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const merged: CriticalSegment[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && last.node === s.node && last.endMs === s.startMs) last.endMs = s.endMs;
    else merged.push(s);
  }
  return { segments: merged, nodes: new Set(merged.map((s) => s.node)) };
}

/** Time on the path per node, summed over its segments. */
export function criticalTimeByNode(path: CriticalPath): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of path.segments) m.set(s.node, (m.get(s.node) ?? 0) + (s.endMs - s.startMs));
  return m;
}
