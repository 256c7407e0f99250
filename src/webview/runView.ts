// One run on screen: the spans received so far, the tree built from them, and the view state
// (collapsed rows, filter, selection, zoom, critical path) that is persisted with setState.
import type { CriticalPathMode, TimelineFilter, TimelineState } from '../protocol/timelineMessages';
import type { AttrValue, SpanView } from '../protocol/spanView';
import { criticalPath, type CriticalSegment } from '../timelineModel/criticalPath';
import { NO_FILTER } from '../timelineModel/rowFilter';
import { memoizeRows, type RowModel } from '../timelineModel/rows';
import { buildSpanTree, type SpanTree } from '../timelineModel/spanTree';
import type { TimeWindow } from '../timelineModel/timeScale';

export class RunView {
  /** Spans by id, built on the first live update only (a static run needs no second index). */
  private spans: Map<string, SpanView> | undefined;
  private initial: readonly SpanView[];
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

  constructor(
    readonly traceId: string,
    public title: string,
    public live: boolean,
    spans: readonly SpanView[],
  ) {
    this.initial = spans;
    this.tree = buildSpanTree(spans);
  }

  /** Adds or replaces spans (live updates) and rebuilds the tree. */
  merge(spans: readonly SpanView[]): void {
    if (!this.spans) {
      this.spans = new Map();
      for (const s of this.initial) this.spans.set(s.spanId, s);
      this.initial = [];
    }
    for (const s of spans) this.spans.set(s.spanId, s);
    this.tree = buildSpanTree([...this.spans.values()]);
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
    const passes = this.tree.nodes.filter((n) => n.kind === 'pass');
    const targets = passes.length ? passes : this.tree.nodes.filter((n) => n.depth === 1 && n.children.length);
    this.collapsed = new Set(targets.map((n) => n.span.spanId));
    this.collapsedVersion++;
  }

  expandAll(): void {
    this.collapsed = new Set();
    this.collapsedVersion++;
  }

  /** The subtree whose critical path is shown: the run's root, or the pass of the selection. */
  criticalRoot(): number {
    const t = this.tree;
    if (this.critical === 'off' || t.nodes.length === 0) return -1;
    if (this.critical === 'pass') {
      for (let i = this.selectedIndex(); i !== -1; i = t.nodes[i]!.parent) if (t.nodes[i]!.kind === 'pass') return i;
      const firstPass = t.nodes.find((n) => n.kind === 'pass');
      if (firstPass) return firstPass.index;
    }
    // The root with the latest extent: the plan span, or the main root of another trace.
    let best = t.roots[0]!;
    for (const r of t.roots) if (t.nodes[r]!.extentEndMs - t.nodes[r]!.span.startMs > t.nodes[best]!.extentEndMs - t.nodes[best]!.span.startMs) best = r;
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
