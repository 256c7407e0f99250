// Entry of the timeline webview: receives validated messages from the extension, keeps one run
// (or one comparison) on screen, persists its view state with setState, and reports back.
import { Attr } from '../protocol/attributes';
import { parseHostToWebview, parseTimelineState, type CompareView, type HostToWebview, type TimelineState } from '../protocol/timelineMessages';
import { rowOf } from '../timelineModel/rows';
import type { SpanView } from '../protocol/spanView';
import { identityOnly, spanDetails, type SpanDetails } from '../timelineModel/spanDetails';
import { SpanTable } from '../timelineModel/spanTable';
import { spanActivity } from '../timelineModel/activity';
import { relativeInText, relativeToRoots } from '../timelineModel/workspacePaths';
import { zoomWindow } from '../timelineModel/timeScale';
import { formatDuration } from '../text/duration';
import { renderCompare } from './compareView';
import { DetailsPane } from './detailsPane';
import { button, h, wrapAtSeparators } from './dom';
import { Minimap } from './minimap';
import { RunView } from './runView';
import { RunSignals } from './runSignals';
import { reportSignals } from './signalsReport';
import { Toolbar } from './toolbar';
import { vscodeApi, type VsCodeApi } from './vscodeApi';
import { Waterfall } from './waterfall';

class TimelineApp {
  private run: RunView | undefined;
  private readonly root: HTMLElement;
  private readonly runLayout: HTMLDivElement;
  private readonly toolbar: Toolbar;
  private readonly minimap: Minimap;
  private readonly waterfall: Waterfall;
  private readonly details: DetailsPane;
  private saved: TimelineState | undefined;
  private persistTimer = 0;
  private readonly main: HTMLDivElement;
  private readonly detailsWrap: HTMLDivElement;
  private readonly filterEmpty: HTMLParagraphElement;
  /** The user closed the details pane: it stays closed until reopened (or Enter on a span). */
  private detailsClosed = false;
  private workspaceRoots: string[] = [];
  /** The run's logs and metrics (tabs beside the waterfall; the details' Activity list reads its logs). */
  private readonly signals: RunSignals;
  private reportTimer = 0;

  constructor(private readonly vscode: VsCodeApi) {
    this.root = document.getElementById('app') ?? document.body;
    this.saved = parseTimelineState(vscode.getState());
    this.toolbar = new Toolbar({
      filter: (f) => this.withRun((r) => ((r.filter = f), this.update(true))),
      critical: (mode) => this.withRun((r) => ((r.critical = mode), this.update(false))),
      resetZoom: () => this.withRun((r) => ((r.zoom = undefined), this.update(false))),
      expandAll: (expand) => this.withRun((r) => (expand ? r.expandAll() : r.collapseToPasses(), this.update(true))),
    });
    this.minimap = new Minimap(
      (u0, u1) => this.withRun((r) => ((r.zoom = zoomWindow({ startMs: r.tree.startMs, endMs: r.tree.endMs }, u0, u1)), this.update(false))),
      () => this.withRun((r) => ((r.zoom = undefined), this.update(false))),
    );
    this.waterfall = new Waterfall({
      select: (n) => this.select(n),
      toggle: (n) => this.toggle(n),
      open: (n) => (this.select(n), this.openCode()),
      key: (e) => this.onKey(e),
    });
    this.details = new DetailsPane({
      copy: (text) => this.vscode.postMessage({ type: 'copy', text }),
      openCode: () => this.openCode(),
      openLink: (link) => {
        if (link.inThisRun) this.select(link.node, true);
        else {
          this.details.setNotice('Opening the linked trace…');
          this.vscode.postMessage({ type: 'openLink', traceId: link.traceId, spanId: link.spanId });
        }
      },
    });
    this.signals = new RunSignals({
      selectSpan: (node) => {
        this.signals.show('spans');
        if (this.detailsClosed) this.detailsClosed = false;
        this.select(node, true);
      },
      tabChanged: (tab) => {
        this.runLayout.classList.toggle('tab-logs', tab === 'logs');
        this.runLayout.classList.toggle('tab-metrics', tab === 'metrics');
        if (this.run) this.persist(this.runState(this.run));
        this.scheduleReport();
      },
    });
    this.runLayout = h('div', 'run-layout');
    this.main = h('div', 'main');
    // The details pane takes room only once a span is selected, and can be closed.
    this.detailsWrap = h('div', 'details-wrap');
    const detailsBar = h('div', 'details-bar');
    detailsBar.append(
      h('span', 'muted', 'Span details'),
      button('✕', 'Close the details (reopen: select a span and press Enter, or “Details”)', () => this.setDetailsClosed(true), 'btn close-details'),
    );
    this.detailsWrap.append(detailsBar, this.details.element);
    const reopen = button('Details', 'Show the details of the selected span', () => this.setDetailsClosed(false), 'btn open-details');
    this.filterEmpty = h('p', 'filter-empty', '');
    this.waterfall.element.append(this.filterEmpty);
    this.main.append(this.waterfall.element, this.detailsWrap, reopen);
    this.runLayout.append(this.toolbar.element, this.signals.tabs, this.minimap.element, this.main, this.signals.panel);
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    window.addEventListener('error', (e) => this.vscode.postMessage({ type: 'log', level: 'error', message: String(e.message) }));
    // Theme changes (body class) re-colour the minimap canvas.
    new MutationObserver(() => this.minimap.draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.vscode.postMessage({ type: 'ready' });
  }

  private withRun(f: (r: RunView) => void): void {
    if (this.run) f(this.run);
  }

  private onMessage(data: unknown): void {
    const t0 = performance.now();
    const m = parseHostToWebview(data);
    if (!m) {
      this.vscode.postMessage({ type: 'log', level: 'error', message: 'timeline: ignored a malformed message' });
      return;
    }
    this.handle(m, t0);
  }

  private handle(m: HostToWebview, t0: number): void {
    switch (m.type) {
      case 'showRun': {
        const run = new RunView(m.traceId, m.title, m.live, m.spans);
        run.resource = m.resource;
        this.workspaceRoots = m.workspaceRoots ?? [];
        run.restore(this.saved);
        if (m.focusSpanId && run.tree.byId.get(m.focusSpanId) !== undefined) run.selected = m.focusSpanId;
        else if (m.focusProcedureId) {
          const t = run.tree;
          for (let i = 0; i < t.size; i++) {
            if (t.kind(i) === 'step' && t.attr(i, Attr.procedureId) === m.focusProcedureId) {
              run.selected = t.spanId(i);
              break;
            }
          }
        }
        this.run = run;
        this.signals.setRun(run.traceId, run.tree);
        // A restored panel opens on the tab it was left on (the saved state is of this run).
        const saved = this.saved;
        if (saved?.view === 'run' && saved.traceId === run.traceId && saved.tab) this.signals.show(saved.tab);
        this.root.replaceChildren(this.runLayout);
        this.toolbar.setTitle(m.title, m.live);
        this.toolbar.set(run.filter, run.critical);
        this.minimap.setTree(run.tree);
        this.update(false);
        const sel = run.selectedIndex();
        if (sel !== -1) this.waterfall.reveal(Math.max(0, rowOf(run.rows(), sel)));
        this.waterfall.focus();
        this.afterPaint(() =>
          this.vscode.postMessage({ type: 'rendered', spans: run.tree.size, rows: run.rows().rows.length, ms: performance.now() - t0 }),
        );
        break;
      }
      case 'updateRun': {
        const run = this.run;
        if (!run || run.traceId !== m.traceId) return;
        if (m.replace) run.replace(m.spans);
        else run.merge(m.spans);
        run.live = m.live;
        if (m.resource) run.resource = m.resource;
        this.toolbar.setTitle(run.title, m.live);
        this.minimap.setTree(run.tree);
        this.signals.setTree(run.tree);
        this.update(false);
        break;
      }
      case 'runLogs':
      case 'runMetrics':
        // Logs change the selected span's Activity list; metrics only their tab.
        if (this.signals.handle(m) && m.type === 'runLogs') this.update(false);
        else this.scheduleReport();
        break;
      case 'showCompare':
        this.showCompare(m.compare);
        break;
      case 'runGone':
        this.run = undefined;
        this.root.replaceChildren(h('p', 'empty', m.message));
        break;
      case 'notice':
        this.details.setNotice(m.text);
        break;
      case 'codeResult':
        if (!m.ok) this.details.setNotice(m.message ?? 'No code found for this span.');
        else this.details.setNotice('');
        break;
      case 'spanDetails': {
        const run = this.run;
        if (!run || run.traceId !== m.traceId) return;
        run.gotSpan(m.spanId, m.span ? new SpanTable(m.span).span(0) : (m.message ?? 'The collector did not send this span.'));
        if (run.selected === m.spanId) this.update(false);
        break;
      }
      case 'attributeMatches':
        if (this.run?.traceId === m.traceId && this.run.gotMatches(m)) this.update(false);
        break;
    }
  }

  private showCompare(v: CompareView): void {
    this.run = undefined;
    this.persist({ view: 'compare', a: v.a.traceId, b: v.b.traceId });
    const view = renderCompare(v, {
      openCode: (traceId, spanId) => this.vscode.postMessage({ type: 'openCode', traceId, spanId }),
      openRun: (traceId) => this.vscode.postMessage({ type: 'openRun', traceId }),
    });
    wrapAtSeparators(view);
    this.root.replaceChildren(view);
  }

  /** Recomputes rows (memoized) and redraws the visible part; `rowsChanged` keeps the selection in view. */
  private update(rowsChanged: boolean): void {
    const run = this.run;
    if (!run) return;
    const search = run.attrSearch();
    if (search) this.vscode.postMessage({ type: 'matchAttributes', traceId: run.traceId, ...search });
    const rows = run.rows();
    const window = run.window();
    const selected = run.selectedIndex();
    const critical = run.criticalSegments();
    this.waterfall.setModel({ tree: run.tree, rows, window, selected, collapsed: run.collapsed, critical });
    this.minimap.setWindow(window);
    const parts = [`${run.tree.size} spans`];
    if (rows.filtered) parts.push(`${rows.matchCount} match`);
    if (run.tree.errorCount) parts.push(`${run.tree.errorCount} with errors`);
    if (run.zoom) parts.push(`zoom ${formatDuration(window.endMs - window.startMs)}`);
    if (critical) {
      const root = run.criticalRoot();
      if (root !== -1) parts.push(criticalNote(run, critical, root));
    }
    this.toolbar.setStatus(parts.join(' · '));
    this.filterEmpty.textContent = run.searching()
      ? 'Searching the attributes…'
      : rows.filtered && rows.rows.length === 0
        ? `No span matches the filter${run.filter.errorsOnly ? ' (errors only: this run has no span with an error)' : ''}.`
        : '';
    this.filterEmpty.hidden = this.filterEmpty.textContent === '';
    const whole = selected === -1 ? undefined : this.wholeSpan(run, selected);
    const details = selected === -1 ? undefined : spanDetails(run.tree, selected, run.resource, whole);
    const activity = selected === -1 ? [] : spanActivity(run.tree, selected, this.signals.logs, typeof whole === 'object' ? whole : typeof whole === 'string' ? identityOnly(run.tree.span(selected)) : undefined);
    this.details.show(details && this.withRelativePaths(details), activity);
    wrapAtSeparators(this.details.element);
    this.main.classList.toggle('with-details', selected !== -1 && !this.detailsClosed);
    this.main.classList.toggle('details-closed', selected !== -1 && this.detailsClosed);
    if (rowsChanged && selected !== -1) {
      const r = rowOf(rows, selected);
      if (r !== -1) this.waterfall.reveal(r);
    }
    this.persist(this.runState(run));
    this.scheduleReport();
  }

  /**
   * The selected span whole: from the batch, or (a summary batch) as the host sent it; asked for
   * on first selection, with a line saying so until it arrives.
   */
  private wholeSpan(run: RunView, node: number): SpanView | string {
    const got = run.wholeSpan(node);
    if (got !== undefined) return got;
    const spanId = run.tree.spanId(node);
    if (run.shouldAsk(spanId)) this.vscode.postMessage({ type: 'spanDetails', traceId: run.traceId, spanId });
    return 'Loading the attributes, events and links…';
  }

  /** Tells the host what the Activity list, the log list and the charts show (after the burst of updates). */
  private scheduleReport(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = window.setTimeout(() => {
      const run = this.run;
      if (run) this.vscode.postMessage(reportSignals(run.traceId, run.selected ?? '', this.details.element, this.signals.report));
    }, 100);
  }

  private setDetailsClosed(closed: boolean): void {
    this.detailsClosed = closed;
    this.update(false);
    if (closed) this.waterfall.focus();
  }

  /** `code.filepath` and stack traces relative to the workspace, as the editor shows paths. */
  private withRelativePaths(d: SpanDetails): SpanDetails {
    const roots = this.workspaceRoots;
    if (!roots.length) return d;
    return {
      ...d,
      attributes: d.attributes.map((f) => (f.key === Attr.codeFilepath ? { ...f, value: relativeToRoots(f.value, roots) } : f)),
      exceptions: d.exceptions.map((x) => ({ ...x, stack: relativeInText(x.stack, roots) })),
    };
  }

  /** Selects a node; `expand`: first opens its collapsed ancestors (a followed link may point inside one). */
  private select(node: number, expand = false): void {
    const run = this.run;
    if (!run || !(node >= 0 && node < run.tree.size)) return;
    if (expand) for (let i = run.tree.parent[node]!; i !== -1; i = run.tree.parent[i]!) run.setCollapsed(run.tree.spanId(i), false);
    run.selected = run.tree.spanId(node);
    this.update(expand);
    const r = rowOf(run.rows(), node);
    if (r !== -1) this.waterfall.reveal(r);
    this.waterfall.focus();
  }

  private toggle(node: number): void {
    const run = this.run;
    if (!run || !(node >= 0 && node < run.tree.size) || !run.tree.hasChildren(node)) return;
    const id = run.tree.spanId(node);
    run.setCollapsed(id, !run.collapsed.has(id));
    this.update(false);
  }

  private openCode(): void {
    const run = this.run;
    if (!run || run.selected === undefined) return;
    this.details.setNotice('Opening…');
    this.vscode.postMessage({ type: 'openCode', traceId: run.traceId, spanId: run.selected });
  }

  private onKey(e: KeyboardEvent): void {
    const run = this.run;
    if (!run) return;
    const rows = run.rows().rows;
    if (rows.length === 0) return;
    const sel = run.selectedIndex();
    const at = sel === -1 ? -1 : rowOf(run.rows(), sel);
    const go = (r: number) => this.select(rows[Math.max(0, Math.min(rows.length - 1, r))]!);
    const t = run.tree;
    const kids = sel !== -1 && t.hasChildren(sel);
    const closed = kids && run.collapsed.has(t.spanId(sel));
    switch (e.key) {
      case 'ArrowDown':
        go(at + 1);
        break;
      case 'ArrowUp':
        go(at === -1 ? 0 : at - 1);
        break;
      case 'PageDown':
        go(at + this.waterfall.pageRows());
        break;
      case 'PageUp':
        go(at - this.waterfall.pageRows());
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(rows.length - 1);
        break;
      case 'ArrowRight':
        if (sel === -1) go(0);
        else if (kids && closed) this.toggle(sel);
        else if (kids) go(at + 1);
        break;
      case 'ArrowLeft':
        if (sel === -1) go(0);
        else if (kids && !closed) this.toggle(sel);
        else if (t.parent[sel] !== -1) this.select(t.parent[sel]!);
        break;
      case 'Enter':
        if (this.detailsClosed) this.setDetailsClosed(false);
        this.openCode();
        break;
      case ' ':
        if (sel !== -1) this.toggle(sel);
        break;
      case '/':
        this.toolbar.search.focus();
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /** The run's view state, with the signals tab when it is not the waterfall. */
  private runState(run: RunView): TimelineState {
    const s = run.state();
    const tab = this.signals.currentTab;
    return s.view === 'run' && tab !== 'spans' ? { ...s, tab } : s;
  }

  private persist(state: TimelineState): void {
    this.saved = state;
    clearTimeout(this.persistTimer);
    this.persistTimer = window.setTimeout(() => this.vscode.setState(state), 150);
  }

  /** Runs `f` after the next frame has been painted. */
  private afterPaint(f: () => void): void {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => f();
      ch.port2.postMessage(undefined);
    });
  }
}

/**
 * What the critical path shows. On a plan whose steps run one after another every step is on it:
 * say so, instead of underlining every row without a word.
 */
function criticalNote(run: RunView, critical: Map<number, unknown>, root: number): string {
  const t = run.tree;
  let steps = 0;
  let onPath = 0;
  for (let i = 0; i < t.size; i++) {
    if (t.kind(i) !== 'step') continue;
    let under = false;
    for (let p = i; p !== -1; p = t.parent[p]!) if (p === root) under = true;
    if (!under) continue;
    steps++;
    if (critical.has(i)) onPath++;
  }
  const name = t.name(root);
  if (steps > 1 && onPath === steps) return `critical path of ${name}: every step (they run one after another, so each adds its full time)`;
  return steps ? `critical path of ${name}: ${onPath} of ${steps} steps` : `critical path of ${name}`;
}

new TimelineApp(vscodeApi());
