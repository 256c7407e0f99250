import * as vscode from 'vscode';
import { collectorStatusText, formatCount } from '../views/format';
import type { CollectorHost } from './collectorHost';
import type { PlanSessions } from './planSessions';
import { Throttle } from './throttle';

/** The collector in the status bar: spans, runs, evictions; a click opens the Runs view. */
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
    this.item.text = collectorStatusText({ running: true, spans: s.spans, runs: s.runs, evictedTraces: s.evictedTraces }) + (running.length ? ` · $(play) ${running.join(', ')}` : '');
    const lines = [
      `Instrument First collector — OTLP/HTTP at ${endpoint}/v1/traces`,
      `${formatCount(s.spans)} spans in ${s.traces} traces (${s.runs} plan runs), limits ${formatCount(s.maxSpans)} spans / ${s.maxTraces} traces`,
    ];
    if (s.evictedTraces) lines.push(`${s.evictedTraces} traces (${formatCount(s.evictedSpans)} spans) evicted to stay within the limits`);
    if (s.rejectedSpans || s.rejectedRequests) lines.push(`${s.rejectedSpans} spans and ${s.rejectedRequests} requests rejected`);
    if (s.forwardFailures || s.forwardDropped) lines.push(`forwarding: ${s.forwardFailures} failures, ${s.forwardDropped} batches dropped`);
    if (s.persistErrors) lines.push(`${s.persistErrors} runs could not be saved`);
    lines.push('', 'Click to show the runs.');
    this.item.tooltip = lines.join('\n');
  }

  dispose(): void {
    this.throttle.dispose();
    for (const l of this.listeners) l.dispose();
    this.item.dispose();
  }
}
