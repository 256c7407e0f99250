import type * as vscode from 'vscode';

/** What the timeline feature answers for the commands in the command table. */
export interface TimelineCommands {
  openLastRun(traceId: unknown): Promise<unknown>;
  compareRuns(a: unknown, b: unknown): Promise<unknown>;
  goToSpanCode(traceId: unknown, spanId: unknown): Promise<unknown>;
}

/** What the lint feature answers (coverage needs its worker). */
export interface CoverageCommands {
  showCoverage(): Promise<unknown>;
}

/**
 * Features built after the services (timeline, linter) plug their command handlers in here, so
 * every command stays registered once, from the one table. Each `fill…` returns its undo.
 */
export class FeatureSlots {
  timeline: TimelineCommands | undefined;
  coverage: CoverageCommands | undefined;

  fillTimeline(value: TimelineCommands): vscode.Disposable {
    this.timeline = value;
    return { dispose: () => void (this.timeline === value && (this.timeline = undefined)) };
  }

  fillCoverage(value: CoverageCommands): vscode.Disposable {
    this.coverage = value;
    return { dispose: () => void (this.coverage === value && (this.coverage = undefined)) };
  }
}
