import * as vscode from 'vscode';
import { CollectorHost } from './collectorHost';
import { registerCommands } from './commands';
import { Config } from './config';
import { DEBUG_TYPE, PlanDebugConfigurationProvider } from './debugConfigProvider';
import { FeatureSlots } from './featureSlots';
import { features } from './features';
import type { Metrics } from './metrics';
import { PlanFinder } from './planFinder';
import { registerPlainRuns } from './plainRunAdapter';
import { PlanRunner } from './planRunner';
import { PlanWarmUp } from './planWarmUp';
import { RunnerPool } from './runnerPool';
import { LensRefresh } from './lensRefresh';
import { PlanSessions } from './planSessions';
import { RemoteTraces } from './remoteTraces';
import { ProcedureCatalog } from './procedureCatalog';
import { ProceduresView } from './proceduresView';
import { RunData } from './runData';
import { RunsView } from './runsView';
import type { Services } from './services';
import { TraceTextDocuments, TraceViewers } from './traceDocuments';
import { TraceImports } from './traceImports';
import { TraceUriHandler } from './traceUriHandler';
import { BaselineTests } from './testing/baselineTests';

/**
 * Owns everything the extension creates, and disposes it in reverse order. Construction is cheap:
 * registrations only — the collector starts on first need, the linter lives in a worker.
 */
/** The activation context, re-exported so that src/extension.ts needs no `vscode` import. */
export type ExtensionContext = vscode.ExtensionContext;

/** True inside the extension's host tests (VS Code started with an extension tests path). */
export function isTestRun(context: vscode.ExtensionContext): boolean {
  return context.extensionMode === vscode.ExtensionMode.Test;
}

export class InstrumentFirst implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  readonly services: Services;

  constructor(context: vscode.ExtensionContext, metrics: Metrics) {
    let mark = performance.now();
    const own = <T extends vscode.Disposable>(d: T): T => {
      this.owned.push(d);
      const now = performance.now();
      metrics.activationParts.push([d.constructor?.name || 'disposable', now - mark]);
      mark = now;
      return d;
    };
    const log = own(vscode.window.createOutputChannel('Instrument First', { log: true }));
    const config = own(new Config());
    const collector = own(new CollectorHost(config, log));
    const finder = own(new PlanFinder(config));
    const sessions = own(new PlanSessions());
    const runner = own(new PlanRunner(finder, sessions));
    const catalog = own(new ProcedureCatalog(finder));
    const data = own(new RunData(collector, config, catalog, sessions, metrics));
    const lensRefresh = own(new LensRefresh(metrics, () => data.runsLive));
    const viewers = new TraceViewers(own(new TraceTextDocuments(collector, (a, b) => data.diff(a, b))));
    const runsView = own(new RunsView(data, collector, sessions));
    const proceduresView = own(new ProceduresView(data, catalog));
    const uriHandler = own(new TraceUriHandler());
    const remote = own(new RemoteTraces(config, collector, context.secrets, log));
    const imports = own(new TraceImports(config, collector, viewers, log));
    const baselines = own(new BaselineTests(context.extensionUri, log));
    // Compiled plans, by content: the warm-up writes them, the runner reads them (INSTRUMENT_FIRST_PLAN_CACHE).
    const planCache = vscode.Uri.joinPath(context.globalStorageUri, 'plan-cache').fsPath;
    // A runner of the bundled CLI started ahead while a plan is shown (the warm-up primes it).
    const runners = own(new RunnerPool(vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath));
    const warmUp = own(new PlanWarmUp(finder, collector, planCache, log, runners));
    this.services = {
      extensionUri: context.extensionUri,
      extensionId: context.extension.id,
      log,
      metrics,
      config,
      collector,
      finder,
      catalog,
      sessions,
      runner,
      data,
      lensRefresh,
      viewers,
      runsView,
      proceduresView,
      uriHandler,
      remote,
      imports,
      baselines,
      warmUp,
      slots: new FeatureSlots(),
    };
    own(registerPlainRuns(DEBUG_TYPE, sessions, runners));
    own(vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new PlanDebugConfigurationProvider(context.extension.id, context.extensionUri, config, collector, sessions, log, planCache)));

    own(registerCommands(this.services));
    for (const feature of features) own(feature(this.services));
  }

  dispose(): void {
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        console.error('Instrument First: dispose failed', e);
      }
    }
  }
}
