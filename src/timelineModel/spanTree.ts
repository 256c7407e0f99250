/**
 * The span tree of one trace, flattened in pre-order, as columns (typed arrays indexed by the
 * node's pre-order index): what every timeline view (rows, filter, critical path, details, the
 * minimap) reads. No object per span: a 100k-span trace is a few dozen buffers, and strings are
 * cut from the span table only for what is shown. Pure: no DOM, no `vscode`. Built by
 * `buildSpanTree` (spanTreeBuilder.ts).
 */
import { Attr, LOG_EVENT_NAME } from '../protocol/attributes';
import type { AttrValue, SpanView } from '../protocol/spanView';
import type { SpanTable } from './spanTable';

/** What a row is: our runtime's kinds, or `span` for any other OTel span. */
export type NodeKind = 'plan' | 'pass' | 'step' | 'call' | 'span';

/** {@link SpanTree.kinds} codes. */
export const NODE_KINDS: readonly NodeKind[] = ['span', 'plan', 'pass', 'step', 'call'];

/** Bits of {@link SpanTree.flags}. */
export const NodeFlag = {
  /** Status error, or an `exception` event. */
  error: 1,
  /** Final empty pass that proved convergence. */
  converged: 2,
  /** The parent span id names a span that is not in the trace (yet). */
  orphan: 4,
  /** The parent span id is the span's own id: shown as a root. */
  ownParent: 8,
  /** The span lies on a parent cycle, cut here: shown as a root. */
  cycle: 16,
  /** Some of its values were cut to the collector's caps (a `truncated` marker among them). */
  truncated: 32,
} as const;

/** How a value cut to the collector's caps starts in a batch's text (a tagged value as JSON). */
export const TRUNCATED_VALUE_PREFIX = '{"kind":"truncated"';

/** Span id → pre-order index. */
export interface SpanIndex {
  get(spanId: string): number | undefined;
  has(spanId: string): boolean;
}

/**
 * What the builder worked out per row of the span table before linking (kind; error, truncated and
 * converged flags) and per string (what it is to the builder): kept so that a table with rows
 * appended is classified from its first new row on.
 */
export interface RowClasses {
  rows: number;
  kinds: Uint8Array;
  flags: Uint8Array;
  classes: Int8Array;
}

/** The columns of a tree, as the builder fills them. */
export interface SpanTreeColumns {
  /** Pre-order index → row of the span table. */
  row: Int32Array;
  /** Pre-order index of the parent, -1 for a root. */
  parent: Int32Array;
  depth: Int32Array;
  /** Exclusive end of the node's subtree in pre-order: descendants are `i+1 .. subtreeEnd[i]-1`. */
  subtreeEnd: Int32Array;
  /** Codes into {@link NODE_KINDS}. */
  kinds: Uint8Array;
  /** {@link NodeFlag} bits. */
  flags: Uint8Array;
  spanStartMs: Float64Array;
  spanEndMs: Float64Array;
  /** Duration minus the union of the children's time inside the span. */
  selfMs: Float64Array;
  /** Latest end in the subtree: steps returned by a step run after it ended, nested under it. */
  extentEndMs: Float64Array;
  roots: readonly number[];
  byId: SpanIndex;
  startMs: number;
  endMs: number;
  errorCount: number;
  rowClasses?: RowClasses;
}

export class SpanTree {
  readonly size: number;
  readonly row: Int32Array;
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  readonly subtreeEnd: Int32Array;
  readonly kinds: Uint8Array;
  readonly flags: Uint8Array;
  readonly spanStartMs: Float64Array;
  readonly spanEndMs: Float64Array;
  readonly selfMs: Float64Array;
  readonly extentEndMs: Float64Array;
  readonly roots: readonly number[];
  readonly byId: SpanIndex;
  /** The trace's first start and last end. */
  readonly startMs: number;
  readonly endMs: number;
  readonly errorCount: number;
  /** By row of the table (see buildSpanTree's `appendedTo`). */
  readonly rowClasses: RowClasses | undefined;

  constructor(
    readonly table: SpanTable,
    c: SpanTreeColumns,
  ) {
    this.size = c.row.length;
    this.row = c.row;
    this.parent = c.parent;
    this.depth = c.depth;
    this.subtreeEnd = c.subtreeEnd;
    this.kinds = c.kinds;
    this.flags = c.flags;
    this.spanStartMs = c.spanStartMs;
    this.spanEndMs = c.spanEndMs;
    this.selfMs = c.selfMs;
    this.extentEndMs = c.extentEndMs;
    this.roots = c.roots;
    this.byId = c.byId;
    this.startMs = c.startMs;
    this.endMs = c.endMs;
    this.errorCount = c.errorCount;
    this.rowClasses = c.rowClasses;
  }

  kind(i: number): NodeKind {
    return NODE_KINDS[this.kinds[i]!]!;
  }

  error(i: number): boolean {
    return (this.flags[i]! & NodeFlag.error) !== 0;
  }

  converged(i: number): boolean {
    return (this.flags[i]! & NodeFlag.converged) !== 0;
  }

  /** Why a span that names a parent is a root: its parent is missing, itself, or on a cycle ('' otherwise). */
  rootNote(i: number): string {
    const f = this.flags[i]!;
    if (f & NodeFlag.ownParent) return 'its parent span id is its own id: shown as a root';
    if (f & NodeFlag.cycle) return 'its parents form a cycle, cut here: shown as a root';
    if (f & NodeFlag.orphan) return 'parent span not received (yet)';
    return '';
  }

  /** Some of its values were cut to the collector's caps. */
  truncated(i: number): boolean {
    return (this.flags[i]! & NodeFlag.truncated) !== 0;
  }

  orphan(i: number): boolean {
    return (this.flags[i]! & NodeFlag.orphan) !== 0;
  }

  totalMs(i: number): number {
    return Math.max(0, this.spanEndMs[i]! - this.spanStartMs[i]!);
  }

  hasChildren(i: number): boolean {
    return this.subtreeEnd[i]! > i + 1;
  }

  /** Pre-order indices of the children, by start time (the first child follows its parent, each next one ends the previous subtree). */
  children(i: number): number[] {
    const out: number[] = [];
    for (let c = i + 1; c < this.subtreeEnd[i]!; c = this.subtreeEnd[c]!) out.push(c);
    return out;
  }

  spanId(i: number): string {
    return this.table.spanId(this.row[i]!);
  }

  name(i: number): string {
    return this.table.name(this.row[i]!);
  }

  attr(i: number, key: string): AttrValue | undefined {
    return this.table.attr(this.row[i]!, key);
  }

  statusMessage(i: number): string | undefined {
    return this.table.statusMessage(this.row[i]!);
  }

  /** The whole span (its details). */
  span(i: number): SpanView {
    return this.table.span(this.row[i]!);
  }
}

/** Text shown for a node: passes get their number and "converged"; the root its outcome. */
export function nodeLabel(tree: SpanTree, i: number): string {
  const name = tree.name(i);
  if (tree.converged(i)) return `${name} · converged`;
  if (tree.kind(i) === 'plan') {
    const outcome = tree.attr(i, Attr.planOutcome);
    return typeof outcome === 'string' ? `${name} · ${outcome}` : name;
  }
  return name;
}

/** Log lines of a span, from its `log` events. */
export function isLogEvent(name: string): boolean {
  return name === LOG_EVENT_NAME;
}

/** Pre-order indices of the ancestors of `index`, nearest first. */
export function ancestors(tree: SpanTree, index: number): number[] {
  const out: number[] = [];
  for (let p = index >= 0 && index < tree.size ? tree.parent[index]! : -1; p !== -1; p = tree.parent[p]!) out.push(p);
  return out;
}
