import * as vscode from 'vscode';
import type { ProcedureStats, RunSummary } from '../protocol/collectorTypes';
import { StatsIndex, documentLensModel, type DocumentLensModel } from '../views/lensModel';
import { CostBoundedCache } from '../views/costBoundedCache';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { ProcedureCatalog } from './procedureCatalog';
import type { PlanSessions } from './planSessions';

export interface RunDataChange {
  /** True when a run finished (or went away): views refresh at once instead of throttled. */
  runsSettled: boolean;
}

/**
 * What the inline views draw from: the runs and per-procedure statistics, computed once per
 * store change (lazily, on first read) and shared by CodeLens, decorations, hovers and views.
 */
export class RunData implements vscode.Disposable {
  private runsCache: RunSummary[] | undefined;
  /** Procedure statistics cost ~10 ms per 40k spans: rationed while spans stream in. */
  private readonly stats = new CostBoundedCache(() => this.computeStats());
  private statsRetry: ReturnType<typeof setTimeout> | undefined;
  private runningCount = 0;
  private readonly changed = new vscode.EventEmitter<RunDataChange>();
  private readonly listeners: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly collector: CollectorHost,
    private readonly config: Config,
    private readonly catalog: ProcedureCatalog,
    private readonly sessions: PlanSessions,
  ) {
    this.listeners = [
      collector.onDidChangeStore((e) => {
        this.runsCache = undefined;
        let settled = false;
        let idle = false;
        if (e.runsChanged) {
          const runs = this.runs();
          sessions.attributeRuns(runs);
          const running = runs.filter((r) => r.status === 'running').length;
          settled = running < this.runningCount || running === 0;
          idle = running === 0;
          this.runningCount = running;
        }
        // The last run finished: show it fresh now. Otherwise statistics are rationed.
        if (idle) this.stats.reset();
        else this.stats.invalidate();
        this.changed.fire({ runsSettled: settled });
      }),
      sessions.onDidChange(() => this.changed.fire({ runsSettled: true })),
      catalog.onDidChange(() => this.changed.fire({ runsSettled: true })),
      config.onDidChange(({ previous, settings }) => {
        if (previous.inline.statsRuns !== settings.inline.statsRuns || previous.inline.includeDebugRuns !== settings.inline.includeDebugRuns) {
          this.stats.reset();
          this.changed.fire({ runsSettled: true });
        }
      }),
    ];
  }

  /** Newest first. */
  runs(): RunSummary[] {
    const store = this.collector.store;
    if (!store) return [];
    return (this.runsCache ??= [...store.runs()].sort((a, b) => b.startMs - a.startMs));
  }

  /** Per-procedure statistics; while spans stream in, possibly a little stale (refreshed soon after). */
  procedureStats(): { stats: ProcedureStats[]; index: StatsIndex } {
    if (!this.collector.store) return { stats: [], index: new StatsIndex([]) };
    const r = this.stats.get();
    if (!r.fresh && !this.statsRetry) {
      this.statsRetry = setTimeout(() => {
        this.statsRetry = undefined;
        this.changed.fire({ runsSettled: true });
      }, r.retryInMs);
    }
    return r.value;
  }

  private computeStats(): { stats: ProcedureStats[]; index: StatsIndex } {
    const { statsRuns, includeDebugRuns } = this.config.settings.inline;
    const stats = this.collector.store?.procedureStats({ lastRuns: statsRuns, excludeDebug: !includeDebugRuns }) ?? [];
    return { stats, index: new StatsIndex(stats) };
  }

  /** Plans and procedures of a document with their runs and statistics. */
  documentModel(doc: vscode.TextDocument): DocumentLensModel | undefined {
    const scan = this.catalog.documentScan(doc);
    if (!scan.plans.length && !scan.procedures.length && !scan.planClasses.length) return undefined;
    const { index } = this.procedureStats();
    return documentLensModel(scan, doc.uri.fsPath, index, this.runs());
  }

  dispose(): void {
    if (this.statsRetry) clearTimeout(this.statsRetry);
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }
}
