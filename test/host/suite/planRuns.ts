// Helpers of the extension's host tests: its exports, and running a plan to the end.
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/protocol/collectorTypes';
import type { PlanSession } from '../../../src/vscode/planSessions';
import type { Services } from '../../../src/vscode/services';
import { activateExtension, waitFor, workspaceUri } from './helpers';

/** The extension's exports (its services), activated. */
export async function services(): Promise<Services> {
  const ext = await activateExtension();
  return ext.exports as Services;
}

/** Simulated cloud latencies ×0.02: js-debug passes the extension host's environment to the program. */
export function fastSamples(): void {
  process.env.SAMPLE_TIME_SCALE = '0.02';
}

/** Starts a plan run (not debugging) and waits until its session ended. */
export async function runToEnd(relativePath: string, exportName = 'default', timeout = 120_000): Promise<PlanSession> {
  const s = await services();
  const ps = await s.runner.run({ uri: workspaceUri(relativePath), exportName }, false);
  if (!ps) throw new Error(`the run of ${relativePath} did not start`);
  await waitFor(() => ps.ended, { timeout, message: `the run of ${relativePath} to end` });
  return ps;
}

/** Waits until the last run a plan session started is complete (no longer running) in the collector. */
export function finishedRun(s: Services, ps: PlanSession, what = 'the run', timeout = 30_000): Promise<RunSummary> {
  return waitFor(
    () => {
      const id = ps.traceIds.at(-1);
      const run = id ? s.collector.store?.run(id) : undefined;
      return run && run.status !== 'running' ? run : undefined;
    },
    { timeout, message: `${what} in the collector (trace ids seen: ${ps.traceIds.join(', ') || 'none'})` },
  );
}

/** Runs a plan and waits until its run (root span) is complete in the collector. */
export async function runPlan(relativePath: string, exportName = 'default'): Promise<RunSummary> {
  const s = await services();
  const ps = await runToEnd(relativePath, exportName);
  return finishedRun(s, ps, `the run of ${relativePath} (${exportName})`);
}

export function lineOfText(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`"${needle}" not in ${doc.uri.fsPath}`);
}

/** Replaces the trace viewer (timeline or text) with a recorder while a test runs. */
export async function spyViewer(): Promise<{ opened: Array<[string, string | undefined]>; compared: Array<[string, string]>; dispose(): void }> {
  const s = await services();
  const opened: Array<[string, string | undefined]> = [];
  const compared: Array<[string, string]> = [];
  const registration = s.viewers.setViewer({
    openTrace: (traceId, procedureId) => {
      opened.push([traceId, procedureId]);
      return Promise.resolve();
    },
    compare: (a, b) => {
      compared.push([a, b]);
      return Promise.resolve();
    },
  });
  return { opened, compared, dispose: () => registration.dispose() };
}

/** The text rendering of a run (or a comparison) that the text trace viewer shows. */
export async function traceText(path: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'instrument-first-trace', path }));
  return doc.getText();
}
