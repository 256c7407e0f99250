import * as vscode from 'vscode';
import { procedureLensText, runOutcomeText } from '../views/format';
import { runTitle } from '../views/runIdentity';
import { showsCodeLens } from '../views/settings';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { RunData } from './runData';
import type { LensRefresh } from './lensRefresh';

const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'untitled', language: 'typescript' },
];

/**
 * CodeLens above plans (`▶ Run | Debug | converged in 2 passes · 3.1 s`) and procedures
 * (`412 ms · ×2 last run · p95 530 ms over 12 runs`). Lenses come with their commands (no
 * resolve step, so no flicker and no second wait); refreshes are paced by VS Code's own wait after
 * each fire (see LensPacer), so a run's final figures show within a wait already under way.
 */
export class DurationsCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  /** The data the lenses were last asked for: a change that would show the same is not told. */
  private shownFor = '';
  private readonly registrations: vscode.Disposable[];
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly data: RunData,
    private readonly config: Config,
    private readonly collector: CollectorHost,
    private readonly metrics: Metrics,
    private readonly refresh: LensRefresh,
  ) {
    this.onDidChangeCodeLenses = refresh.onDidChange;
    this.registrations = [
      vscode.languages.registerCodeLensProvider(SELECTOR, this),
      data.onDidChange((e) => {
        // A session starting or ending changes no figure, but while one is live a fire is kept pending.
        if (e.source === 'sessions') return refresh.liveChanged();
        if (e.runsSettled) metrics.noteSettled();
        if (this.dataKey() !== this.shownFor) refresh.changed();
      }),
      config.onDidChange(({ previous, settings }) => {
        if (previous.inline.mode !== settings.inline.mode) refresh.changed();
      }),
    ];
  }

  /** The store's content, the catalog and the settings the figures are drawn from. */
  private dataKey(): string {
    return `${this.collector.store?.contentVersion ?? -1}:${this.data.generation}`;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const started = performance.now();
    this.shownFor = this.dataKey();
    const afterFireAt = this.metrics.codeLensFires.at(-1);
    // This answer reads the data as it is now; while a run is live the next fire goes out at once (LensPacer).
    // VS Code asks every provider in each round: the baseline check's lenses are read now too.
    this.refresh.asked();
    const lenses = this.lensesFor(doc);
    if (lenses.length) {
      this.metrics.lastProvideMs = performance.now() - started;
      this.metrics.noteCodeLensProvided();
      // The finished runs the answer shows (plan lenses): what "plan end → final CodeLens" waits for.
      const finished = new Set(this.data.runs().filter((r) => r.status !== 'running').map((r) => r.traceId));
      this.metrics.noteCodeLensAnswer(lenses.flatMap((l) => (l.command?.command === 'instrumentFirst.openTrace' && typeof l.command.arguments?.[0] === 'string' && finished.has(l.command.arguments[0]) ? [l.command.arguments[0] as string] : [])), afterFireAt);
    }
    return lenses;
  }

  private lensesFor(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!showsCodeLens(this.config.settings.inline.mode)) return [];
    const model = this.data.documentModel(doc);
    if (!model) return [];
    // Durations need the collector; start it in the background the first time a plan is shown.
    this.collector.warmUp();
    const lenses: vscode.CodeLens[] = [];
    for (const { plan, run } of model.plans) {
      const range = new vscode.Range(plan.line, 0, plan.line, 0);
      const args = [doc.uri, plan.exportName];
      lenses.push(new vscode.CodeLens(range, { title: '▶ Run', command: 'instrumentFirst.runPlanAt', arguments: args, tooltip: 'Run this plan, traced' }));
      lenses.push(new vscode.CodeLens(range, { title: 'Debug', command: 'instrumentFirst.debugPlanAt', arguments: args, tooltip: 'Debug this plan (breakpoints bind in its .ts files)' }));
      if (run) lenses.push(new vscode.CodeLens(range, { title: runOutcomeText(run), command: 'instrumentFirst.openTrace', arguments: [run.traceId], tooltip: `Open trace ${run.traceId}` }));
    }
    // Run | Debug above the plan's class too (the top of the file, where the plan is written), for
    // the file's first plan export (the default one when there is one).
    const first = model.plans.find((p) => p.plan.exportName === 'default') ?? model.plans[0];
    for (const { planClass, run } of model.planClasses) {
      const range = new vscode.Range(planClass.line, 0, planClass.line, 0);
      if (first) {
        const args = [doc.uri, first.plan.exportName];
        const which = first.plan.exportName === 'default' ? 'the default export' : `export ${first.plan.exportName}`;
        lenses.push(new vscode.CodeLens(range, { title: '▶ Run', command: 'instrumentFirst.runPlanAt', arguments: args, tooltip: `Run ${which} of this file, traced` }));
        lenses.push(new vscode.CodeLens(range, { title: 'Debug', command: 'instrumentFirst.debugPlanAt', arguments: args, tooltip: `Debug ${which} of this file` }));
      }
      if (run) lenses.push(new vscode.CodeLens(range, { title: runOutcomeText(run), command: 'instrumentFirst.openTrace', arguments: [run.traceId], tooltip: `Latest run of ${runTitle(run)}: open trace ${run.traceId}` }));
    }
    for (const { procedure, stats } of model.procedures) {
      if (!stats) {
        lenses.push(new vscode.CodeLens(new vscode.Range(procedure.line, 0, procedure.line, 0), { title: 'not run yet', command: '', tooltip: 'Run a plan that uses this procedure to see its durations here' }));
        continue;
      }
      const last = stats.recent[0];
      lenses.push(
        new vscode.CodeLens(new vscode.Range(procedure.line, 0, procedure.line, 0), {
          title: procedureLensText(stats),
          command: last ? 'instrumentFirst.openTrace' : '',
          arguments: last ? [last.traceId, stats.procedureId] : [],
          tooltip: last ? `Open the latest run of ${stats.procedureId} (trace ${last.traceId})` : undefined,
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
  }
}
