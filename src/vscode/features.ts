import type * as vscode from 'vscode';
import { DurationDecorations } from './durationDecorations';
import { DurationsCodeLens } from './durationsCodeLens';
import { PlanContextKey } from './planContextKey';
import { ProcedureHover } from './procedureHover';
import { RunLog } from './runLog';
import type { Services } from './services';
import { CollectorStatusBar } from './statusBar';
import { TraceLinks } from './traceLinks';
import { TimelineFeature } from './timeline/timelineFeature';
import { registerLinting } from './lint/lintFeature';
import { AutoBaselineCheck } from './testing/autoBaselineCheck';
import { DebugCheck } from './testing/debugCheck';

/**
 * The features built on the services, in one list. Each returns the disposable that owns its
 * registrations. Other features plug in here with one line each:
 *  - linter (src/vscode/lint/): diagnostics + quick fixes; its index upgrades the procedure
 *    catalog via `s.catalog.useIndex(...)`.
 *  - timeline (src/vscode/timeline/): the waterfall panel replaces the text trace documents via
 *    `s.viewers.setViewer(...)`.
 */
export const features: ReadonlyArray<(s: Services) => vscode.Disposable> = [
  (s) => new CollectorStatusBar(s.collector, s.sessions),
  (s) => new DurationsCodeLens(s.data, s.config, s.collector, s.metrics, s.lensRefresh),
  (s) => new DurationDecorations(s.data, s.config),
  (s) => new ProcedureHover(s.data, s.collector),
  () => new TraceLinks(),
  (s) => new RunLog(s.data, s.log),
  (s) => new PlanContextKey(s.finder),
  (s) => afterActivation(() => registerLinting(s)), // linter: src/vscode/lint/ (starts a worker: not on the activation path)
  (s) => new TimelineFeature(s), // timeline: src/vscode/timeline/
  (s) => new AutoBaselineCheck(s), // each editor run against its baseline: src/vscode/testing/
  (s) => new DebugCheck(s), // the Test Explorer's Debug profile for baselines
];

/** Builds a feature right after activate() returned (its start-up cost is not activation work). */
function afterActivation(build: () => vscode.Disposable): vscode.Disposable {
  let built: vscode.Disposable | undefined;
  let disposed = false;
  const timer = setTimeout(() => {
    if (!disposed) built = build();
  }, 0);
  return {
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
      built?.dispose();
    },
  };
}
