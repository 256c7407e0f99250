// One run on screen: the spans received so far, the tree built from them, and the view state
// (collapsed rows, filter, selection, zoom, critical path) that is persisted with setState.
import type { BatchCursor } from '../protocol/collectorTypes';
import type { SpanBatch } from '../protocol/spanBatch';
import type { AttrValue, SpanView } from '../protocol/spanView';
import type { AttrToken, CriticalPathMode, TimelineFilter, TimelineState } from '../protocol/timelineMessages';
import { criticalPath, type CriticalSegment } from '../timelineModel/criticalPath';
import { attrQuery, NO_FILTER, parseFilter } from '../timelineModel/rowFilter';
import { memoizeRows, type RowModel } from '../timelineModel/rows';
import { concatBatches } from '../timelineModel/spanBatchConcat';
import { SpanTable } from '../timelineModel/spanTable';
import type { SpanTree } from '../timelineModel/spanTree';
import { buildSpanTree } from '../timelineModel/spanTreeBuilder';
import type { TimeWindow } from '../timelineModel/timeScale';

/** No span matches (yet): the attribute search's answer is awaited. One object, so rows stay memoized. */
const NONE: ReadonlySet<string> = new Set();

/** Whole spans kept for a summary batch's details (the last ones selected). */
const KEPT_DETAILS = 200;

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
  /** Whole spans of a summary batch, by id: the span, or why the host could not give it. */
  private readonly details = new Map<string, SpanView | string>();
  /** Span ids whose whole span was asked for and not answered yet. */
  private readonly asked = new Set<string>();
  /**
   * The attribute search of a summary batch: the query, its matching span ids (undefined until the
   * first answer), the cursor of the last answer (the next ask searches only the spans after it),
   * the ask awaited (its seq; -1 when none), and whether spans arrived since the last ask.
   */
  private search: { query: string; ids: ReadonlySet<string> | undefined; cursor: BatchCursor | undefined; awaited: number; stale: boolean } | undefined;
  /** Asks of the attribute search so far: numbers them, so an answer to an earlier ask is told apart. */
  private asks = 0;

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
    this.details.clear();
    this.asked.clear();
    // Spans were replaced: the next ask searches them all.
    if (this.search) {
      this.search.stale = true;
      this.search.cursor = undefined;
    }
  }

  /**
   * Adds or replaces spans (live updates: a span id seen again takes the newer span): the batch is
   * appended to the run's (its id index kept from the last update and extended), and the tree
   * rebuilt with what was worked out for the earlier rows.
   */
  merge(spans: SpanBatch): void {
    const before = this.tree.table;
    const joined = concatBatches(before.batch, spans);
    this.tree = buildSpanTree(new SpanTable(joined, before), this.tree);
    // A span sent again may have changed: its details are asked for anew; new spans may match.
    if (this.details.size || this.asked.size) {
      const added = new SpanTable(spans);
      for (let r = 0; r < added.size; r++) {
        this.details.delete(added.spanId(r));
        this.asked.delete(added.spanId(r));
      }
    }
    if (this.search) this.search.stale = true;
  }

  /** Only some attributes are in the batch (see SpanBatch.summary): the rest are asked for. */
  get summary(): boolean {
    return this.tree.table.batch.summary;
  }

  /**
   * The span to show the details of: the batch's own, or for a summary the whole span once the
   * host sent it (a string: why it could not), undefined while it is awaited.
   */
  wholeSpan(node: number): SpanView | string | undefined {
    return this.summary ? this.details.get(this.tree.spanId(node)) : this.tree.span(node);
  }

  /** True once per span id whose whole span is to be asked for (a summary batch, not asked yet). */
  shouldAsk(spanId: string): boolean {
    if (!this.summary || this.details.has(spanId) || this.asked.has(spanId)) return false;
    this.asked.add(spanId);
    return true;
  }

  /** The host's answer for a span: the span, or why it is missing. */
  gotSpan(spanId: string, span: SpanView | string): void {
    this.asked.delete(spanId);
    this.details.delete(spanId);
    this.details.set(spanId, span);
    if (this.details.size > KEPT_DETAILS) this.details.delete(this.details.keys().next().value!);
  }

  /**
   * The attribute search to ask the host for, if any: a summary batch, and new tokens, or spans
   * arrived since the last answer (then only they are searched: `since`). One ask at a time: spans
   * that arrive while it is answered are asked about after its answer.
   */
  attrSearch(): { query: string; seq: number; tokens: AttrToken[]; since?: BatchCursor } | undefined {
    const pf = parseFilter(this.filter);
    const query = attrQuery(pf);
    if (!this.summary || query === '') return undefined;
    if (this.search?.query !== query) this.search = { query, ids: undefined, cursor: undefined, awaited: -1, stale: true };
    const s = this.search;
    if (s.awaited !== -1 || !s.stale) return undefined;
    s.stale = false;
    s.awaited = ++this.asks;
    const tokens = pf.attrs.map((a) => ({ key: a.key, value: a.value }));
    return s.cursor ? { query, seq: s.awaited, tokens, since: s.cursor } : { query, seq: s.awaited, tokens };
  }

  /**
   * The host's answer to an attribute search; ignored unless it answers the ask awaited (the query
   * changed since, or it is an earlier ask's). True when the rows or the asks to make changed.
   */
  gotMatches(m: { query: string; seq: number; spanIds: readonly string[]; full: boolean; cursor?: BatchCursor }): boolean {
    const s = this.search;
    if (!s || s.query !== m.query || s.awaited !== m.seq) return false;
    s.awaited = -1;
    s.cursor = m.cursor;
    const changed = m.full || !s.ids || m.spanIds.length > 0;
    if (m.full || !s.ids) s.ids = new Set(m.spanIds);
    else if (m.spanIds.length > 0) {
      // A new set (rows are memoized by its identity) with the new spans' matches added.
      const ids = new Set(s.ids);
      for (const id of m.spanIds) ids.add(id);
      s.ids = ids;
    }
    return changed || s.stale;
  }

  /** The attribute search's first answer is awaited. */
  searching(): boolean {
    return this.attrMatches() === NONE;
  }

  /** The spans matching the filter's attribute tokens when the host matches them; undefined when the batch does. */
  private attrMatches(): ReadonlySet<string> | undefined {
    if (!this.summary) return undefined;
    const query = attrQuery(parseFilter(this.filter));
    if (query === '') return undefined;
    return this.search?.query === query ? (this.search.ids ?? NONE) : NONE;
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
    return this.rowsOf(this.tree, this.collapsed, this.collapsedVersion, this.filter, this.attrMatches());
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
