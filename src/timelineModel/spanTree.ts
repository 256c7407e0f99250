/**
 * The span tree of one trace, flattened in pre-order: what every timeline view (rows, critical
 * path, details) reads. Pure: no DOM, no `vscode`. Built in O(n log n) so a 100k-span trace
 * stays well under a frame budget of its own.
 */
import { Attr, LOG_EVENT_NAME } from '../protocol/attributes';
import type { SpanView } from '../protocol/spanView';
import { IdIndex } from './idIndex';

/** What a row is: our runtime's kinds, or `span` for any other OTel span. */
export type NodeKind = 'plan' | 'pass' | 'step' | 'call' | 'span';

export interface TreeNode {
  /** Position in {@link SpanTree.nodes} (pre-order). */
  readonly index: number;
  readonly span: SpanView;
  readonly kind: NodeKind;
  /** Pre-order index of the parent, -1 for a root. */
  readonly parent: number;
  readonly depth: number;
  /** Pre-order indices of the children, ordered by start time. */
  readonly children: readonly number[];
  /** Exclusive end of this node's subtree in pre-order: descendants are `index+1 .. subtreeEnd-1`. */
  readonly subtreeEnd: number;
  readonly totalMs: number;
  /** Duration minus the union of the children's time inside this span. */
  readonly selfMs: number;
  /** Latest end in the subtree: steps returned by a step run after it ended, nested under it. */
  readonly extentEndMs: number;
  /** Status error, or an `exception` event. */
  readonly error: boolean;
  /** Final empty pass that proved convergence. */
  readonly converged: boolean;
  /** The parent span id names a span that is not in the trace (yet). */
  readonly orphan: boolean;
}

/** Span id → pre-order index. */
export interface SpanIndex {
  get(spanId: string): number | undefined;
  has(spanId: string): boolean;
}

export interface SpanTree {
  readonly nodes: readonly TreeNode[];
  readonly byId: SpanIndex;
  readonly roots: readonly number[];
  readonly startMs: number;
  readonly endMs: number;
  readonly errorCount: number;
}

const KINDS: ReadonlySet<string> = new Set(['plan', 'pass', 'step', 'call']);

export function nodeKind(span: SpanView): NodeKind {
  const k = span.attributes[Attr.kind];
  return typeof k === 'string' && KINDS.has(k) ? (k as NodeKind) : 'span';
}

export function hasError(span: SpanView): boolean {
  return span.status === 'error' || span.events.some((e) => e.name === 'exception');
}

function byStart(spans: readonly SpanView[]) {
  return (a: number, b: number): number => {
    const sa = spans[a]!;
    const sb = spans[b]!;
    return sa.startMs - sb.startMs || sa.endMs - sb.endMs || (sa.name < sb.name ? -1 : sa.name > sb.name ? 1 : a - b);
  };
}

/**
 * Builds the tree. A span whose parent is missing is a root (an orphan until its parent arrives);
 * when several spans share an id the last one wins (live updates replace spans); parent cycles
 * are broken at the first span met.
 */
export function buildSpanTree(input: readonly SpanView[]): SpanTree {
  let local = new IdIndex(input.length, (i) => input[i]!.spanId);
  for (let i = 0; i < input.length; i++) local.set(i);
  let spans: readonly SpanView[] = input;
  if (local.size !== input.length) {
    // Duplicate ids: keep the last of each.
    const kept: SpanView[] = [];
    for (let i = 0; i < input.length; i++) if (local.get(input[i]!.spanId) === i) kept.push(input[i]!);
    spans = kept;
    local = new IdIndex(kept.length, (i) => kept[i]!.spanId);
    for (let i = 0; i < kept.length; i++) local.set(i);
  }

  // Children per parent in one flat typed array (CSR: `kids[off[p] .. off[p+1]]`), not one JS
  // array per parent: far less garbage for the collector on a 100k-span trace.
  const n = spans.length;
  const parentOf = new Int32Array(n);
  const off = new Int32Array(n + 1);
  const rootCandidates: number[] = [];
  const orphan = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = spans[i]!.parentSpanId;
    const pi = p === undefined || p === '' ? undefined : local.get(p);
    if (pi === undefined || pi === i) {
      parentOf[i] = -1;
      rootCandidates.push(i);
      if (p) orphan[i] = 1;
    } else {
      parentOf[i] = pi;
      off[pi + 1]!++;
    }
  }
  for (let i = 0; i < n; i++) off[i + 1]! += off[i]!;
  const kids = new Int32Array(off[n]!);
  const fill = off.slice(0, n);
  for (let i = 0; i < n; i++) if (parentOf[i] !== -1) kids[fill[parentOf[i]!]!++] = i;
  const cmp = byStart(spans);
  for (let i = 0; i < n; i++) {
    const a = off[i]!;
    const b = off[i + 1]!;
    if (b - a > 1 && !isSorted(kids.subarray(a, b), cmp)) kids.subarray(a, b).sort(cmp);
  }
  if (!isSorted(rootCandidates, cmp)) rootCandidates.sort(cmp);

  const nodes: TreeNode[] = [];
  const order = new Int32Array(spans.length).fill(-1); // local index -> pre-order index
  const roots: number[] = [];
  let errorCount = 0;

  // Iterative DFS (plans may nest steps deeply) with a typed-array stack: no garbage per span.
  const stackLocal = new Int32Array(spans.length + 1);
  const stackParent = new Int32Array(spans.length + 1);
  const stackDepth = new Int32Array(spans.length + 1);
  const visit = (start: number): void => {
    let top = 0;
    stackLocal[0] = start;
    stackParent[0] = -1;
    stackDepth[0] = 0;
    top = 1;
    while (top > 0) {
      top--;
      const li = stackLocal[top]!;
      const parent = stackParent[top]!;
      const depth = stackDepth[top]!;
      if (order[li] !== -1) continue;
      const span = spans[li]!;
      const index = nodes.length;
      order[li] = index;
      const error = hasError(span);
      if (error) errorCount++;
      const kind = nodeKind(span);
      const node: MutableNode = {
        index,
        span,
        kind,
        parent,
        depth,
        children: NO_CHILDREN,
        subtreeEnd: index + 1,
        // NaN first: these fields hold doubles from the start, so V8 never has to migrate the
        // 100k node objects to a new hidden class when the first fractional value arrives.
        totalMs: NaN,
        selfMs: NaN,
        extentEndMs: span.endMs,
        error,
        converged: kind === 'pass' && span.attributes[Attr.passConverged] === true,
        orphan: orphan[li] === 1,
      };
      node.totalMs = Math.max(0, span.endMs - span.startMs);
      nodes.push(node);
      if (parent === -1) roots.push(index);
      else {
        // Pre-order visits children in start order: append to the parent's list (made on demand,
        // so leaves share one empty array).
        const p = nodes[parent] as MutableNode;
        if (p.children === NO_CHILDREN) p.children = [index];
        else (p.children as number[]).push(index);
      }
      for (let k = off[li + 1]! - 1; k >= off[li]!; k--) {
        const c = kids[k]!;
        if (order[c] !== -1) continue;
        stackLocal[top] = c;
        stackParent[top] = index;
        stackDepth[top] = depth + 1;
        top++;
      }
    }
  };
  for (const r of rootCandidates) visit(r);
  for (let i = 0; i < spans.length; i++) if (order[i] === -1) visit(i); // members of a parent cycle

  // Bottom-up (reverse pre-order): subtree ends, extents and self time.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i] as MutableNode;
    if (n.children.length === 0) {
      n.selfMs = n.totalMs;
      continue;
    }
    const last = nodes[n.children[n.children.length - 1]!]!;
    n.subtreeEnd = last.subtreeEnd;
    let extent = n.span.endMs;
    for (const c of n.children) extent = Math.max(extent, nodes[c]!.extentEndMs);
    n.extentEndMs = extent;
    n.selfMs = selfTime(n, nodes);
  }

  let startMs = Infinity;
  let endMs = -Infinity;
  for (const n of nodes) {
    if (n.span.startMs < startMs) startMs = n.span.startMs;
    if (n.span.endMs > endMs) endMs = n.span.endMs;
  }
  if (!Number.isFinite(startMs)) startMs = endMs = 0;
  const byId: SpanIndex = {
    get: (id) => {
      const li = local.get(id);
      return li === undefined ? undefined : order[li];
    },
    has: (id) => local.get(id) !== undefined,
  };
  return { nodes, byId, roots, startMs, endMs, errorCount };
}

function isSorted(list: ArrayLike<number>, cmp: (a: number, b: number) => number): boolean {
  for (let i = 1; i < list.length; i++) if (cmp(list[i - 1]!, list[i]!) > 0) return false;
  return true;
}

type MutableNode = { -readonly [K in keyof TreeNode]: TreeNode[K] };

const NO_CHILDREN: readonly number[] = Object.freeze([]);

/** Own duration minus the union of the children's intervals clipped to it (children may overlap). */
function selfTime(n: TreeNode, nodes: readonly TreeNode[]): number {
  const s = n.span.startMs;
  const e = n.span.endMs;
  let covered = 0;
  let curStart = NaN;
  let curEnd = NaN;
  // Children are sorted by start, so one sweep merges them.
  for (const c of n.children) {
    const cs = Math.max(s, nodes[c]!.span.startMs);
    const ce = Math.min(e, nodes[c]!.span.endMs);
    if (ce <= cs) continue;
    if (Number.isNaN(curStart) || cs > curEnd) {
      if (!Number.isNaN(curStart)) covered += curEnd - curStart;
      curStart = cs;
      curEnd = ce;
    } else if (ce > curEnd) curEnd = ce;
  }
  if (!Number.isNaN(curStart)) covered += curEnd - curStart;
  return Math.max(0, e - s - covered);
}

/** Text shown for a node: passes get their number and "converged"; the root its outcome. */
export function nodeLabel(n: TreeNode): string {
  if (n.converged) return `${n.span.name} · converged`;
  if (n.kind === 'plan') {
    const outcome = n.span.attributes[Attr.planOutcome];
    return typeof outcome === 'string' ? `${n.span.name} · ${outcome}` : n.span.name;
  }
  return n.span.name;
}

/** Log lines of a span, from its `log` events. */
export function isLogEvent(name: string): boolean {
  return name === LOG_EVENT_NAME;
}

/** Pre-order indices of the ancestors of `index`, nearest first. */
export function ancestors(tree: SpanTree, index: number): number[] {
  const out: number[] = [];
  for (let p = tree.nodes[index]?.parent ?? -1; p !== -1; p = tree.nodes[p]!.parent) out.push(p);
  return out;
}
