import type * as vscode from 'vscode';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { FeatureSlots } from './featureSlots';
import type { Metrics } from './metrics';
import type { LensRefresh } from './lensRefresh';
import type { PlanFinder } from './planFinder';
import type { ProcedureCatalog } from './procedureCatalog';
import type { PlanRunner } from './planRunner';
import type { PlanSessions } from './planSessions';
import type { RemoteTraces } from './remoteTraces';
import type { ProceduresView } from './proceduresView';
import type { RunData } from './runData';
import type { RunsView } from './runsView';
import type { TraceViewers } from './traceDocuments';
import type { TraceImports } from './traceImports';
import type { TraceUriHandler } from './traceUriHandler';
import type { BaselineTests } from './testing/baselineTests';
import type { PlanWarmUp } from './planWarmUp';

/**
 * What commands and features are built from; owned (and disposed) by {@link InstrumentFirst}.
 * Not exported by activate(), except to the host tests (extension mode Test).
 */
export interface Services {
  readonly extensionUri: vscode.Uri;
  /** `publisher.name`, for walkthrough and URI handler ids. */
  readonly extensionId: string;
  readonly log: vscode.LogOutputChannel;
  readonly metrics: Metrics;
  readonly config: Config;
  readonly collector: CollectorHost;
  readonly finder: PlanFinder;
  /** Where plans and procedures are: the text scan, upgraded by the linter's index. */
  readonly catalog: ProcedureCatalog;
  readonly sessions: PlanSessions;
  readonly runner: PlanRunner;
  readonly data: RunData;
  /** The one onDidChangeCodeLenses of our CodeLens providers, paced (lensRefresh.ts). */
  readonly lensRefresh: LensRefresh;
  readonly viewers: TraceViewers;
  readonly runsView: RunsView;
  readonly proceduresView: ProceduresView;
  readonly uriHandler: TraceUriHandler;
  /** Command handlers of features built after the services (timeline, coverage). */
  readonly slots: FeatureSlots;
  /** Traces pulled by id from the team's backends. */
  readonly remote: RemoteTraces;
  /** Trace files of other tools imported into the store. */
  readonly imports: TraceImports;
  readonly baselines: BaselineTests;
  /** Starts the collector and compiles open plans in the background, for the first Run's start. */
  readonly warmUp: PlanWarmUp;
}
