// The run's logs and metrics in the timeline: tabs beside the waterfall ("Spans", "Logs (n)",
// "Metrics (n)"), the run's log list (every record of the trace with its span's name, filtered by
// severity; a click selects the span) and the metric charts. Holds the records the extension sent
// for the run shown; the details pane's Activity list reads them too.
import type { SignalHostToWebview, SignalLog, SignalMetricSeries } from '../protocol/signalMessages';
import { passesSeverity, runLogRows, severityOf, type SeverityFilter } from '../timelineModel/activity';
import { chartTitle, metricCharts } from '../timelineModel/metricCharts';
import type { SpanTree } from '../timelineModel/spanTree';
import { runLogRow } from './activityList';
import { button, h } from './dom';
import { renderMetricCharts } from './metricChartsView';

export type SignalTab = 'spans' | 'logs' | 'metrics';

export interface RunSignalsEvents {
  /** A log row was clicked: select its span (a node of the tree) in the waterfall. */
  selectSpan(node: number): void;
  /** The tab changed (the layout shows the waterfall or the signal panel). */
  tabChanged(tab: SignalTab): void;
}

const PAGE = 500;

export class RunSignals {
  readonly tabs: HTMLDivElement;
  readonly panel: HTMLDivElement;
  private traceId = '';
  private logsValue: SignalLog[] = [];
  private total = 0;
  private series: SignalMetricSeries[] = [];
  private service = '';
  private tab: SignalTab = 'spans';
  private minSeverity: SeverityFilter = 'all';
  private tree: SpanTree | undefined;
  private readonly buttons: Record<SignalTab, HTMLButtonElement>;

  constructor(private readonly events: RunSignalsEvents) {
    this.tabs = h('div', 'signal-tabs');
    this.tabs.setAttribute('role', 'tablist');
    this.buttons = {
      spans: button('Spans', 'The waterfall of the run', () => this.show('spans'), 'tab'),
      logs: button('Logs', "The run's log records, with their spans", () => this.show('logs'), 'tab'),
      metrics: button('Metrics', 'What the program measured while the run lasted', () => this.show('metrics'), 'tab'),
    };
    for (const b of Object.values(this.buttons)) b.setAttribute('role', 'tab');
    this.tabs.append(this.buttons.spans, this.buttons.logs, this.buttons.metrics);
    this.panel = h('div', 'signal-panel');
    this.panel.setAttribute('role', 'tabpanel');
    this.labelTabs();
  }

  get logs(): readonly SignalLog[] {
    return this.logsValue;
  }

  get currentTab(): SignalTab {
    return this.tab;
  }

  /** What the log list and the charts show (or will when their tab opens), for the `signalsRendered` report. */
  get report(): { logRows: number; charts: string[] } {
    return {
      logRows: this.logsValue.filter((l) => passesSeverity(severityOf(l.severityNumber, l.severityText), this.minSeverity)).length,
      charts: metricCharts(this.series).map(chartTitle),
    };
  }

  /** A run is shown: forget another run's logs and metrics (the same run keeps them: a reload of its spans). */
  setRun(traceId: string, tree: SpanTree): void {
    if (traceId !== this.traceId) {
      this.traceId = traceId;
      this.logsValue = [];
      this.total = 0;
      this.series = [];
      this.service = '';
    }
    this.tree = tree;
    this.labelTabs();
    if (this.tab !== 'spans') this.render();
  }

  /** New spans arrived: log rows may now name their spans. */
  setTree(tree: SpanTree): void {
    this.tree = tree;
    if (this.tab === 'logs') this.render();
  }

  /** Takes a logs or metrics message for the run shown; false when it is for another run. */
  handle(m: SignalHostToWebview): boolean {
    if (m.traceId !== this.traceId) return false;
    if (m.type === 'runLogs') {
      this.logsValue = m.logs;
      this.total = m.total;
    } else {
      this.series = m.series;
      this.service = m.service;
    }
    this.labelTabs();
    if (this.tab !== 'spans') this.render();
    return true;
  }

  show(tab: SignalTab): void {
    this.tab = tab;
    for (const [k, b] of Object.entries(this.buttons)) {
      b.classList.toggle('active', k === tab);
      b.setAttribute('aria-selected', String(k === tab));
    }
    if (tab !== 'spans') this.render();
    this.events.tabChanged(tab);
  }

  private labelTabs(): void {
    this.buttons.logs.textContent = `Logs (${this.total})`;
    const metricNames = new Set(this.series.map((s) => s.name)).size;
    this.buttons.metrics.textContent = `Metrics (${metricNames})`;
    for (const [k, b] of Object.entries(this.buttons)) {
      b.classList.toggle('active', k === this.tab);
      b.setAttribute('aria-selected', String(k === this.tab));
    }
  }

  private render(): void {
    if (this.tab === 'logs') this.renderLogs();
    else if (this.tab === 'metrics') {
      this.panel.replaceChildren(renderMetricCharts(this.series, this.service));
    }
  }

  private renderLogs(): void {
    const bar = h('div', 'log-bar');
    const select = h('select', 'severity-filter');
    select.setAttribute('aria-label', 'Lowest severity shown');
    for (const [v, t] of [
      ['all', 'All severities'],
      ['debug', 'Debug and above'],
      ['info', 'Info and above'],
      ['warn', 'Warnings and errors'],
      ['error', 'Errors only'],
    ] as const) {
      const o = h('option', undefined, t);
      o.value = v;
      select.append(o);
    }
    select.value = this.minSeverity;
    select.addEventListener('change', () => {
      this.minSeverity = select.value as SeverityFilter;
      this.renderLogs();
    });
    const rows = runLogRows(this.tree, this.logsValue).filter((r) => passesSeverity(r.severity, this.minSeverity));
    const count = h('span', 'muted', `${rows.length} of ${this.total} record${this.total === 1 ? '' : 's'}${this.total > this.logsValue.length ? ` (the first ${this.logsValue.length} are listed)` : ''}`);
    bar.append(select, count);
    const list = h('div', 'activity run-logs');
    list.setAttribute('role', 'list');
    if (this.total === 0) {
      list.append(h('p', 'empty', 'No log records with this trace id. Programs send them with an OpenTelemetry LoggerProvider and an OTLP log exporter; records emitted inside a span carry its trace and span id.'));
    } else if (rows.length === 0) list.append(h('p', 'empty', 'No record at this severity.'));
    let shown = 0;
    const more = button('', 'Show more records', () => drawMore(), 'btn activity-more');
    const drawMore = (): void => {
      const end = Math.min(rows.length, shown + PAGE);
      for (let i = shown; i < end; i++) list.insertBefore(runLogRow(rows[i]!, (node) => this.events.selectSpan(node)), more);
      shown = end;
      more.textContent = `Show ${Math.min(PAGE, rows.length - shown)} more of ${rows.length - shown}`;
      more.hidden = shown >= rows.length;
    };
    list.append(more);
    drawMore();
    this.panel.replaceChildren(bar, list);
  }
}
