import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseBaseline, type Baseline } from '../../baseline/baseline';
import { baselineRunDiff } from '../../baseline/baselineDiff';
import { defaultBaselinePath } from '../../baseline/baselinePath';
import type { RunDiff, RunSummary } from '../../protocol/collectorTypes';
import type { PlanRunSummary } from '../../summary/runSummary';
import { readBaselineEntry } from '../../views/baselineCheck';
import { diffToText } from '../../views/traceText';
import { planKey } from '../planSessions';
import type { Services } from '../services';
import { BASELINE_TEST_MESSAGE } from './baselineTests';

export { BASELINE_TEST_MESSAGE };

export const COMPARE_WITH_BASELINE = 'instrumentFirst.compareWithBaseline';

/** A stored run's summary (from the collector's records, in process) with its plan's baseline. */
export interface RunAgainstBaseline {
  base: Baseline;
  baselineFile: string;
  summary: PlanRunSummary;
  run: RunSummary;
}

/**
 * The baseline a run of a plan file's export is checked against: the export's own
 * (`<plan>.<export>.baseline.json`), else, for a named export, the file's default baseline when it
 * records the same plan name (a variant of the plan, like the sample's `createClusterFaulty`).
 */
export function baselineFor(planFile: string, exportName: string, planName: string | undefined): string | undefined {
  const own = defaultBaselinePath(planFile, exportName);
  if (existsSync(own)) return own;
  if (exportName === 'default') return undefined;
  const shared = defaultBaselinePath(planFile, 'default');
  if (!existsSync(shared)) return undefined;
  const entry = readBaselineEntry(readFileSync(shared, 'utf8'), shared);
  return entry && (planName === undefined || entry.plan === planName) ? shared : undefined;
}

/**
 * The summary of a stored run and the baseline of its plan (see {@link baselineFor}); undefined
 * when the plan has no baseline or the run's spans are gone. A baseline that does not parse is logged.
 */
export function runAgainstBaseline(s: Services, planFile: string, exportName: string, run: RunSummary, baselineFile = baselineFor(planFile, exportName, run.plan)): RunAgainstBaseline | undefined {
  if (!baselineFile || !existsSync(baselineFile)) return undefined;
  let base: Baseline;
  try {
    base = parseBaseline(readFileSync(baselineFile, 'utf8'), vscode.workspace.asRelativePath(baselineFile));
  } catch (err) {
    s.log.warn(`baseline check: ${(err as Error).message}`);
    return undefined;
  }
  if (base.plan !== run.plan) return undefined;
  const summary = s.data.summary(run.traceId, base.pin);
  return summary ? { base, baselineFile, summary, run } : undefined;
}

/** The inverse of {@link planKey}: `file-uri#export`. */
export function parsePlanKey(key: string): { planFile: string; exportName: string } | undefined {
  const hash = key.lastIndexOf('#');
  if (hash < 0) return undefined;
  try {
    return { planFile: vscode.Uri.parse(key.slice(0, hash)).fsPath, exportName: key.slice(hash + 1) || 'default' };
  } catch {
    return undefined;
  }
}

/**
 * Which plan a "Compare with Baseline" invocation means: (plan uri, export) from a CodeLens or code
 * action; `{ test, message }` from a Test Explorer message; a test item (its id is the baseline
 * file); else the active editor's file, default export.
 */
function targetOf(args: unknown[]): { planFile: string; exportName: string; baselineFile?: string } | undefined {
  const [a, b] = args;
  const fromTestItem = (item: unknown) => {
    const id = (item as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !id.endsWith('.baseline.json') || !existsSync(id)) return undefined;
    const entry = readBaselineEntry(readFileSync(id, 'utf8'), id);
    return entry ? { planFile: entry.planFile, exportName: entry.exportName, baselineFile: id } : undefined;
  };
  if (a instanceof vscode.Uri) return { planFile: a.fsPath, exportName: typeof b === 'string' && b ? b : 'default' };
  if (typeof a === 'string' && a) return a.endsWith('.baseline.json') ? fromTestItem({ id: a }) : { planFile: a, exportName: typeof b === 'string' && b ? b : 'default' };
  if (a && typeof a === 'object' && 'test' in a) return fromTestItem((a as { test: unknown }).test);
  if (a && typeof a === 'object' && 'id' in a) return fromTestItem(a);
  const active = vscode.window.activeTextEditor?.document.uri;
  return active?.scheme === 'file' ? { planFile: active.fsPath, exportName: 'default' } : undefined;
}

/**
 * Opens the compare of the latest finished run of a plan (file + export) against its baseline,
 * shown as a pseudo-run labelled "baseline". Returns the comparison (the host tests read it).
 */
export async function compareWithBaseline(s: Services, ...args: unknown[]): Promise<RunDiff | undefined> {
  const target = targetOf(args);
  if (!target) {
    void vscode.window.showWarningMessage('Instrument First: open a plan file (or pick a plan with a baseline) to compare with its baseline.');
    return undefined;
  }
  const baselineFile = target.baselineFile ?? baselineFor(target.planFile, target.exportName, undefined);
  if (!baselineFile) {
    void vscode.window.showInformationMessage(`Instrument First: no baseline at ${vscode.workspace.asRelativePath(defaultBaselinePath(target.planFile, target.exportName))}; record one with "Record Baseline".`);
    return undefined;
  }
  const label = vscode.workspace.asRelativePath(baselineFile);
  await s.collector.ensureStarted();
  const key = planKey(target.planFile, target.exportName);
  let name: string | undefined;
  try {
    name = parseBaseline(readFileSync(baselineFile, 'utf8'), label).plan;
  } catch (err) {
    void vscode.window.showWarningMessage(`Instrument First: ${(err as Error).message}`);
    return undefined;
  }
  // Newest first: a run started from the editor for this file and export, else one of the
  // baseline's plan name nobody started from the editor (a terminal or a Test Explorer check).
  const run = s.data.runs().find((r) => r.status !== 'running' && (s.sessions.ownerOf(r.traceId) === key || (s.sessions.ownerOf(r.traceId) === undefined && r.plan === name)));
  if (!run) {
    void vscode.window.showInformationMessage(`Instrument First: no finished run of ${name} in the collector to compare with ${label}; run the plan first.`);
    return undefined;
  }
  const against = runAgainstBaseline(s, target.planFile, target.exportName, run, baselineFile);
  if (!against) return undefined;
  const diff = baselineRunDiff(against.base, label, against.summary, run);
  const viewer = s.viewers.current;
  if (viewer.showDiff) await viewer.showDiff(diff);
  else await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: diffToText(diff), language: 'plaintext' }), { preview: true });
  return diff;
}

/**
 * A stored run compared with the baseline of its plan file and export (stamped on the run), as
 * Compare with Baseline shows it: how a compare against a baseline is made again after a reload.
 */
export function baselineDiffOfRun(s: Services, traceId: string): RunDiff | undefined {
  const run = s.collector.store?.run(traceId);
  if (!run?.planFile || run.status === 'running') return undefined;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const planFile = isAbsolute(run.planFile) ? run.planFile : root ? join(root, run.planFile) : undefined;
  if (!planFile) return undefined;
  const against = runAgainstBaseline(s, planFile, run.exportName ?? 'default', run);
  return against ? baselineRunDiff(against.base, vscode.workspace.asRelativePath(against.baselineFile), against.summary, run) : undefined;
}
