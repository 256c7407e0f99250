import type * as vscode from 'vscode';
import type { HostToWebview } from '../../protocol/timelineMessages';
import { runMetricSeries } from '../../timelineModel/metricCharts';
import { toSignalLogs } from '../../views/runSignals';
import type { SignalStores, TimelineStore } from './timelineHost';

/** The collector's log and metric stores (absent while it is stopped). */
/** Sends of a busy run are held back this long (a logging program adds records in every batch). */
const THROTTLE_MS = 300;

/**
 * Sends the run shown in a timeline panel its log records and metric series (after its spans), and
 * again when records of its trace or points of its service arrive: logs of an open live run appear
 * without reopening it, and so do the metrics its program exports when it shuts down.
 */
export class RunSignalsSender implements vscode.Disposable {
  private traceId: string | undefined;
  private service = '';
  private subscribedTo: SignalStores | undefined;
  private subscriptions: { dispose(): void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly stores: () => SignalStores | undefined,
    private readonly timelineStore: () => Promise<TimelineStore | undefined>,
    private readonly post: (m: HostToWebview) => Promise<void>,
    private readonly log: (message: string) => void,
  ) {}

  /** The panel now shows this run (or nothing): send its logs and metrics. */
  async show(traceId: string | undefined): Promise<void> {
    this.traceId = traceId;
    if (!traceId) return;
    this.subscribe();
    await this.send();
  }

  private subscribe(): void {
    const s = this.stores();
    if (!s || s === this.subscribedTo) return;
    for (const d of this.subscriptions) d.dispose();
    this.subscribedTo = s;
    this.subscriptions = [
      s.logs.onDidAdd((ids) => this.traceId && ids.has(this.traceId.toLowerCase()) && this.schedule()),
      s.metrics.onDidAdd((services) => this.service && services.has(this.service) && this.schedule()),
    ];
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send().catch((e: unknown) => this.log(`timeline: ${String(e)}`));
    }, THROTTLE_MS);
  }

  private async send(): Promise<void> {
    const traceId = this.traceId;
    const stores = this.stores();
    const store = await this.timelineStore();
    if (!traceId || !stores || !store || this.disposed) return;
    const logs = stores.logs.forTrace(traceId);
    await this.post({ type: 'runLogs', traceId, logs: toSignalLogs(logs), total: logs.length });
    const run = store.run(traceId);
    const service = store.resourceOf?.(traceId)?.['service.name'];
    this.service = typeof service === 'string' ? service : '';
    if (!run) return;
    const end = run.status === 'running' ? Date.now() : run.startMs + run.durationMs;
    const series = this.service ? runMetricSeries(stores.metrics.query({ service: this.service }), this.service, run.startMs, end) : [];
    await this.post({ type: 'runMetrics', traceId, service: this.service, series });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions = [];
  }
}
