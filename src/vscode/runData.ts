import * as vscode from 'vscode';
import { recordSource } from '../collector/store/queries/recordSource';
import type { ProcedureStats, RunDiff, RunSummary } from '../protocol/collectorTypes';
import type { PlanRunSummary } from '../summary/runSummary';
import { SummaryCache } from '../summary/summaryCache';
import { diffSummaries } from '../summary/summaryDiff';
import { StatsIndex, documentLensModel, type DocumentLensModel } from '../views/lensModel';
import { procedureStatsFromSummaries } from '../summary/procedureStats';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { ProcedureCatalog } from './procedureCatalog';
import type { PlanSessions } from './planSessions';

export interface RunDataChange {
  /** True when a run finished (or went away): views refresh at once instead of throttled. */
  runsSettled: boolean;
  /** Runs whose final summary was just computed (they completed, or changed after completing). */
  completed: readonly string[];
  /** What changed: the store's content, the plan sessions (no figure changes), the procedure catalog, the settings. */
  source: 'store' | 'sessions' | 'catalog' | 'config';
}

type Store = NonNullable<CollectorHost['store']>;

/** How long after a plan session ended its still incomplete run counts as live (see runsLive). */
const LIVE_AFTER_SESSION_MS = 3000;

/**
 * What the inline views draw from: the runs, their summaries (computed once per trace version,
 * when a trace completes) and the per-procedure statistics aggregated from those summaries, shared
 * by CodeLens, decorations, hovers, the Procedures view, coverage and the compare view.
 */
export class RunData implements vscode.Disposable {
  private runsCache: RunSummary[] | undefined;
  private statsCache: { key: string; value: { stats: ProcedureStats[]; index: StatsIndex } } | undefined;
  private summariesOf: { store: Store; cache: SummaryCache } | undefined;
  private runningCount = 0;
  private sessionsChangedAt = 0;
  private generationValue = 0;
  private readonly changed = new vscode.EventEmitter<RunDataChange>();
  private readonly listeners: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly collector: CollectorHost,
    private readonly config: Config,
    private readonly catalog: ProcedureCatalog,
    private readonly sessions: PlanSessions,
    private readonly metrics?: Metrics,
  ) {
    this.listeners = [
      collector.onDidChangeStore((e) => {
        this.runsCache = undefined;
        // Summarise the traces that completed with this change now, before anyone is told:
        // the views then read figures that are final, and nothing walks spans again.
        const completed = this.summaries()?.changed(e.traceIds) ?? [];
        if (completed.length) this.metrics?.noteCompleted(completed);
        let settled = completed.length > 0;
        if (e.runsChanged) {
          const runs = this.runs();
          sessions.attributeRuns(runs);
          const running = runs.filter((r) => r.status === 'running').length;
          settled ||= running < this.runningCount || running === 0;
          this.runningCount = running;
        }
        this.changed.fire({ runsSettled: settled, completed, source: 'store' });
      }),
      sessions.onDidChange(() => {
        this.sessionsChangedAt = Date.now();
        this.changed.fire({ runsSettled: true, completed: [], source: 'sessions' });
      }),
      catalog.onDidChange(() => {
        this.generationValue++;
        this.changed.fire({ runsSettled: true, completed: [], source: 'catalog' });
      }),
      config.onDidChange(({ previous, settings }) => {
        if (previous.inline.statsRuns !== settings.inline.statsRuns || previous.inline.includeDebugRuns !== settings.inline.includeDebugRuns) {
          this.statsCache = undefined;
          this.generationValue++;
          this.changed.fire({ runsSettled: true, completed: [], source: 'config' });
        }
      }),
    ];
  }

  /** The summary cache of the running store (a restarted collector has a new store: a new cache). */
  private summaries(): SummaryCache | undefined {
    const store = this.collector.store;
    if (!store) return undefined;
    if (this.summariesOf?.store !== store) {
      const cache = new SummaryCache({
        version: (id) => store.entry(id)?.version,
        complete: (id) => store.entry(id)?.finished ?? false,
        spans: (id) => {
          const records = store.records(id);
          return records.length ? recordSource(records) : undefined;
        },
      });
      this.summariesOf = { store, cache };
    }
    return this.summariesOf.cache;
  }

  /**
   * True while a plan process of ours runs, and for a moment after one ended while a run is still
   * incomplete: the process exits right after its last export, before the collector has stored it.
   */
  get runsLive(): boolean {
    if (this.sessions.active().length > 0) return true;
    return this.runningCount > 0 && Date.now() - this.sessionsChangedAt < LIVE_AFTER_SESSION_MS;
  }

  /** Bumped when what the figures are drawn from changes other than the store (catalog, settings). */
  get generation(): number {
    return this.generationValue;
  }

  /** Counters of the summary cache (host tests: summaries are reused, not recomputed). */
  get summaryCounts(): { computed: number; reused: number } {
    const c = this.summaries();
    return { computed: c?.computed ?? 0, reused: c?.reused ?? 0 };
  }

  /** Newest first. */
  runs(): RunSummary[] {
    const store = this.collector.store;
    if (!store) return [];
    return (this.runsCache ??= [...store.runs()].sort((a, b) => b.startMs - a.startMs));
  }

  /** The run's summary for its current version (pinned attributes when asked); undefined when it is gone. */
  summary(traceId: string, pin: readonly string[] = []): PlanRunSummary | undefined {
    return this.summaries()?.get(traceId, pin);
  }

  /** Two stored runs compared from their summaries (the compare view). */
  diff(a: string, b: string): RunDiff | undefined {
    const store = this.collector.store;
    const ra = store?.run(a);
    const rb = store?.run(b);
    const sa = ra && this.summary(a);
    const sb = rb && this.summary(b);
    return ra && rb && sa && sb ? diffSummaries(sa, sb, ra, rb) : undefined;
  }

  /** Per-procedure statistics over the newest runs, aggregated from their summaries once per store version. */
  procedureStats(): { stats: ProcedureStats[]; index: StatsIndex } {
    const store = this.collector.store;
    if (!store) return { stats: [], index: new StatsIndex([]) };
    const { statsRuns, includeDebugRuns } = this.config.settings.inline;
    const key = `${store.contentVersion}:${statsRuns}:${includeDebugRuns}`;
    if (this.statsCache?.key === key && this.summariesOf?.store === store) return this.statsCache.value;
    const stats = procedureStatsFromSummaries(this.runs(), (id) => this.summary(id), { lastRuns: statsRuns, excludeDebug: !includeDebugRuns });
    const value = { stats, index: new StatsIndex(stats) };
    this.statsCache = { key, value };
    return value;
  }

  /** Plans and procedures of a document with their runs and statistics. */
  documentModel(doc: vscode.TextDocument): DocumentLensModel | undefined {
    const scan = this.catalog.documentScan(doc);
    if (!scan.plans.length && !scan.procedures.length && !scan.planClasses.length) return undefined;
    const { index } = this.procedureStats();
    return documentLensModel(scan, doc.uri.fsPath, index, this.runs());
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }
}
