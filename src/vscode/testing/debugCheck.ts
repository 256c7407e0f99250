import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import type { RunSummary } from '../../protocol/collectorTypes';
import { autoCheckDifferences, placeDifferences } from '../../views/baselineLens';
import { readBaselineEntry } from '../../views/baselineCheck';
import type { Services } from '../services';
import { BASELINE_TEST_MESSAGE, runAgainstBaseline } from './baselineCompare';

/** How long a debugged run may take to arrive in the collector after its session ended. */
const ARRIVAL_MS = 30_000;

/**
 * The Test Explorer's Debug profile for baselines: runs the plan once under the debugger (its
 * breakpoints bind), then checks that run against the baseline in process. Shape only: a run
 * paused at breakpoints has no meaningful durations.
 */
export class DebugCheck implements vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly s: Services) {
    this.registration = s.baselines.addProfile('Debug plan, then check shape against baseline', vscode.TestRunProfileKind.Debug, (item, run, token) => this.runItem(item, run, token));
  }

  private async runItem(item: vscode.TestItem, run: vscode.TestRun, token: vscode.CancellationToken): Promise<void> {
    run.started(item);
    const started = Date.now();
    try {
      const entry = readBaselineEntry(readFileSync(item.id, 'utf8'), item.id);
      if (!entry) throw new Error(`${vscode.workspace.asRelativePath(item.id)} is not a baseline file`);
      const ps = await this.s.runner.run({ uri: vscode.Uri.file(entry.planFile), exportName: entry.exportName }, true);
      if (!ps) throw new Error('the debug session did not start');
      const stop = token.onCancellationRequested(() => void vscode.debug.stopDebugging(ps.session));
      try {
        await this.until(() => ps.ended, token, undefined);
      } finally {
        stop.dispose();
      }
      if (token.isCancellationRequested) return run.skipped(item);
      const summary = await this.until<RunSummary>(() => {
        const id = ps.traceIds[ps.traceIds.length - 1];
        const r = id ? this.s.collector.store?.run(id) : undefined;
        return r && r.status !== 'running' ? r : undefined;
      }, token, ARRIVAL_MS);
      if (!summary) throw new Error('the debugged run did not reach the collector (was it stopped before the plan started?)');
      const against = runAgainstBaseline(this.s, entry.planFile, entry.exportName, summary, item.id);
      if (!against) throw new Error(`the run of ${summary.plan} could not be checked against ${vscode.workspace.asRelativePath(item.id)}`);
      const differences = autoCheckDifferences(against.base, against.summary);
      run.appendOutput(`${item.label}: debugged run, trace ${summary.traceId}; shape checked (durations are not judged under the debugger)\r\n`, undefined, item);
      if (!differences.length) return run.passed(item, Date.now() - started);
      const placed = placeDifferences(differences, { baselineFile: item.id, planFile: entry.planFile, planLine: 0, textOf: readText });
      run.failed(
        item,
        placed.map((p) => {
          const m = vscode.TestMessage.diff(p.message, p.expected, p.actual);
          m.location = new vscode.Location(vscode.Uri.file(p.file), new vscode.Position(p.line, 0));
          m.contextValue = BASELINE_TEST_MESSAGE;
          return m;
        }),
        Date.now() - started,
      );
    } catch (err) {
      run.errored(item, new vscode.TestMessage((err as Error).message), Date.now() - started);
    }
  }

  /** Resolves with the probe's value once it has one (checked on every run-data change), or undefined on cancel or timeout. */
  private until<T>(probe: () => T | undefined | false, token: vscode.CancellationToken, timeoutMs: number | undefined): Promise<T | undefined> {
    return new Promise((resolve) => {
      const first = probe();
      if (first) return resolve(first);
      const done = (v: T | undefined) => {
        sub.dispose();
        cancel.dispose();
        if (timer) clearTimeout(timer);
        resolve(v);
      };
      const sub = vscode.Disposable.from(
        this.s.data.onDidChange(() => {
          const v = probe();
          if (v) done(v);
        }),
        this.s.sessions.onDidChange(() => {
          const v = probe();
          if (v) done(v);
        }),
      );
      const cancel = token.onCancellationRequested(() => done(undefined));
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(probe() || undefined), timeoutMs);
    });
  }

  dispose(): void {
    this.registration.dispose();
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
