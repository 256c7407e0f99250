import * as vscode from 'vscode';
import { collectorTooltip } from '../views/collectorStatus';
import { collectorStatusText } from '../views/format';
import type { CollectorHost } from './collectorHost';
import type { PlanSessions } from './planSessions';
import { Throttle } from './throttle';

/** The collector in the status bar: spans, runs, budget, what was evicted, refused or truncated; a click opens the Runs view. */
export class CollectorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('instrumentFirst.collector', vscode.StatusBarAlignment.Left, 20);
  private readonly throttle = new Throttle(500, () => this.update());
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly collector: CollectorHost,
    private readonly sessions: PlanSessions,
  ) {
    this.item.name = 'Instrument First Collector';
    this.item.command = 'instrumentFirst.showRuns';
    this.listeners = [
      collector.onDidChangeState(() => this.throttle.now()),
      collector.onDidChangeStore(() => this.throttle.trigger()),
      sessions.onDidChange(() => this.throttle.now()),
    ];
    this.update();
    this.item.show();
  }

  private update(): void {
    const store = this.collector.store;
    const endpoint = this.collector.endpoint;
    if (!store || !endpoint) {
      this.item.text = collectorStatusText({ running: false, spans: 0, runs: 0, evictedTraces: 0 });
      this.item.tooltip = 'Instrument First: the collector starts with the first run. Click to show runs.';
      return;
    }
    const s = store.stats();
    // The plan that is running, by name (VS Code's own debug item names the launch configuration).
    const running = this.sessions.active().map((ps) => ps.session?.name).filter((n): n is string => !!n);
    this.item.text =
      collectorStatusText({ running: true, spans: s.spans, runs: s.runs, evictedTraces: s.evictedTraces, refusedSpans: s.refusedSpans }) +
      (running.length ? ` · $(play) ${running.join(', ')}` : '');
    this.item.tooltip = collectorTooltip(s, endpoint, this.collector.grpcEndpoint);
  }

  dispose(): void {
    this.throttle.dispose();
    for (const l of this.listeners) l.dispose();
    this.item.dispose();
  }
}
