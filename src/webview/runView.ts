// One run on screen: the spans received so far, the tree built from them, and the view state
// (collapsed rows, filter, selection, zoom, critical path) that is persisted with setState.
import type { SpanBatch } from '../protocol/spanBatch';
import type { AttrValue } from '../protocol/spanView';
import type { CriticalPathMode, TimelineFilter, TimelineState } from '../protocol/timelineMessages';
import { criticalPath, type CriticalSegment } from '../timelineModel/criticalPath';
import { NO_FILTER } from '../timelineModel/rowFilter';
import { memoizeRows, type RowModel } from '../timelineModel/rows';
import { BatchIds, concatBatches } from '../timelineModel/spanBatchConcat';
import { SpanTable } from '../timelineModel/spanTable';
import type { SpanTree } from '../timelineModel/spanTree';
import { buildSpanTree } from '../timelineModel/spanTreeBuilder';
import type { TimeWindow } from '../timelineModel/timeScale';

export class RunView {
  tree: SpanTree;
  collapsed = new Set<string>();
  collapsedVersion = 0;
  filter: TimelineFilter = NO_FILTER;
  selected: string | undefined;
  zoom: TimeWindow | undefined;
  critical: CriticalPathMode = 'off';
  resource: Record<string, AttrValue> | undefined;
  private readonly rowsOf = memoizeRows();
  private critKey: { tree: SpanTree; root: number } | undefined;
  private critValue: Map<number, CriticalSegment[]> | undefined;
  /** The ids of the run's batch, kept from one live update to the next (made on the first). */
  private ids: BatchIds | undefined;

  constructor(
    readonly traceId: string,
    public title: string,
    public live: boolean,
    spans: SpanBatch,
  ) {
    this.tree = buildSpanTree(new SpanTable(spans));
  }

  /** The whole run again (its spans were replaced in the store). */
  replace(spans: SpanBatch): void {
    this.tree = buildSpanTree(new SpanTable(spans));
    this.ids = undefined;
  }

  /**
   * Adds or replaces spans (live updates: a span id seen again takes the newer span): the batch is
   * appended to the run's (its ids kept from the last update), and the tree rebuilt with what was
   * worked out for the earlier rows.
   */
  merge(spans: SpanBatch): void {
    const before = this.tree.table.batch;
    const ids = (this.ids ??= new BatchIds(before));
    const joined = concatBatches(before, spans, (id) => ids.get(id));
    ids.grown(joined, before.spanId.length);
    this.tree = buildSpanTree(new SpanTable(joined), this.tree);
  }

  restore(s: TimelineState | undefined): void {
    if (!s || s.view !== 'run' || s.traceId !== this.traceId) return;
    this.collapsed = new Set(s.collapsed);
    this.collapsedVersion++;
    this.filter = s.filter;
    this.selected = s.selected;
    this.zoom = s.window;
    this.critical = s.critical;
  }

  state(): TimelineState {
    const s: TimelineState = { view: 'run', traceId: this.traceId, collapsed: [...this.collapsed], filter: this.filter, critical: this.critical };
    if (this.selected) s.selected = this.selected;
    if (this.zoom) s.window = this.zoom;
    return s;
  }

  rows(): RowModel {
    return this.rowsOf(this.tree, this.collapsed, this.collapsedVersion, this.filter);
  }

  window(): TimeWindow {
    if (this.zoom) return this.zoom;
    const t = this.tree;
    return t.endMs > t.startMs ? { startMs: t.startMs, endMs: t.endMs } : { startMs: t.startMs, endMs: t.startMs + 1 };
  }

  selectedIndex(): number {
    return this.selected === undefined ? -1 : (this.tree.byId.get(this.selected) ?? -1);
  }

  setCollapsed(spanId: string, collapsed: boolean): void {
    if (collapsed === this.collapsed.has(spanId)) return;
    if (collapsed) this.collapsed.add(spanId);
    else this.collapsed.delete(spanId);
    this.collapsedVersion++;
  }

  /** Collapse every pass (or, in other traces, every span below the roots that has children). */
  collapseToPasses(): void {
    const t = this.tree;
    const all = Array.from({ length: t.size }, (_, i) => i);
    const passes = all.filter((i) => t.kind(i) === 'pass');
    const targets = passes.length ? passes : all.filter((i) => t.depth[i] === 1 && t.hasChildren(i));
    this.collapsed = new Set(targets.map((i) => t.spanId(i)));
    this.collapsedVersion++;
  }

  expandAll(): void {
    this.collapsed = new Set();
    this.collapsedVersion++;
  }

  /** The subtree whose critical path is shown: the run's root, or the pass of the selection. */
  criticalRoot(): number {
    const t = this.tree;
    if (this.critical === 'off' || t.size === 0) return -1;
    if (this.critical === 'pass') {
      for (let i = this.selectedIndex(); i !== -1; i = t.parent[i]!) if (t.kind(i) === 'pass') return i;
      for (let i = 0; i < t.size; i++) if (t.kind(i) === 'pass') return i;
    }
    // The root with the latest extent: the plan span, or the main root of another trace.
    const length = (i: number) => t.extentEndMs[i]! - t.spanStartMs[i]!;
    let best = t.roots[0]!;
    for (const r of t.roots) if (length(r) > length(best)) best = r;
    return best;
  }

  criticalSegments(): Map<number, CriticalSegment[]> | undefined {
    const root = this.criticalRoot();
    if (root === -1) return undefined;
    if (this.critKey && this.critKey.tree === this.tree && this.critKey.root === root && this.critValue) return this.critValue;
    const byNode = new Map<number, CriticalSegment[]>();
    for (const s of criticalPath(this.tree, root).segments) {
      const list = byNode.get(s.node);
      if (list) list.push(s);
      else byNode.set(s.node, [s]);
    }
    this.critKey = { tree: this.tree, root };
    this.critValue = byNode;
    return byNode;
  }
}
