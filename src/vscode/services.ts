import type * as vscode from 'vscode';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { PlanFinder } from './planFinder';
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

/**
 * What commands and features are built from; owned (and disposed) by {@link InstrumentFirst}.
 * Also the extension's exports, which the host tests read.
 */
export interface Services {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly metrics: Metrics;
  readonly config: Config;
  readonly collector: CollectorHost;
  readonly finder: PlanFinder;
  readonly sessions: PlanSessions;
  readonly runner: PlanRunner;
  readonly data: RunData;
  readonly viewers: TraceViewers;
  readonly runsView: RunsView;
  readonly proceduresView: ProceduresView;
  readonly uriHandler: TraceUriHandler;
  /** Traces pulled by id from the team's backends. */
  readonly remote: RemoteTraces;
  /** Trace files of other tools imported into the store. */
  readonly imports: TraceImports;
  readonly baselines: BaselineTests;
}
