import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import type { Difference } from '../../baseline/compare';
import { autoCheckDifferences, baselineLensText, baselineLensTooltip, placeDifferences, type DifferenceAt } from '../../views/baselineLens';
import { planKey } from '../planSessions';
import type { Services } from '../services';
import { COMPARE_WITH_BASELINE, parsePlanKey, runAgainstBaseline } from './baselineCompare';

/** Diagnostics of this check carry this source; their code action opens the compare. */
export const BASELINE_DIAGNOSTIC_SOURCE = 'instrument-first baseline';

const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'javascript' },
];
/** Runs remembered as checked (or as having no baseline); oldest forgotten first. */
const MAX_REMEMBERED = 2_000;

/** The latest automatic check of one plan (file + export). */
export interface AutoVerdict {
  key: string;
  planFile: string;
  exportName: string;
  baselineFile: string;
  traceId: string;
  startMs: number;
  differences: Difference[];
  placed: DifferenceAt[];
}

/**
 * After every run started from the editor, checks it against its plan's baseline in process
 * (the stored spans' summary against the baseline file beside the plan): shape only, since one
 * run cannot judge durations. Shows a CodeLens on the plan (`baseline ✓` / `baseline: N
 * differences`, per file and export) and each difference as a diagnostic on the step's `do()`
 * line, until the next passing run against the same baseline; a code action on the diagnostic
 * opens the compare with the baseline.
 */
export class AutoBaselineCheck implements vscode.CodeLensProvider, vscode.CodeActionProvider, vscode.Disposable {
  /** The latest verdict of each plan (file + export): what its lens says. */
  private readonly verdicts = new Map<string, AutoVerdict>();
  /** The latest verdict against each baseline file: what the diagnostics show (a passing run clears them). */
  private readonly byBaseline = new Map<string, AutoVerdict>();
  private readonly done = new Set<string>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('instrument-first-baseline');
  private readonly checked = new vscode.EventEmitter<AutoVerdict>();
  private readonly registrations: vscode.Disposable[];
  private scanning = Promise.resolve();
  /** Shared with the durations lenses and paced (lensRefresh.ts): a fire of ours would restart VS Code's wait. */
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  /** Fired after each automatic check (tests wait on it). */
  readonly onDidCheck = this.checked.event;

  constructor(private readonly s: Services) {
    this.onDidChangeCodeLenses = s.lensRefresh.onDidChange;
    this.registrations = [
      this.diagnostics,
      vscode.languages.registerCodeLensProvider(SELECTOR, this),
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      s.data.onDidChange((e) => {
        if (e.runsSettled) this.scanning = this.scanning.then(() => this.scan()).catch((err: unknown) => s.log.warn(`baseline check: ${(err as Error).message}`));
      }),
    ];
  }

  /** The latest verdict for a plan file and export, if one of its runs was checked. */
  verdict(planFile: string, exportName: string): AutoVerdict | undefined {
    return this.verdicts.get(planKey(planFile, exportName));
  }

  /** Checks every finished run started from the editor that was not checked yet. */
  private async scan(): Promise<void> {
    const store = this.s.collector.store;
    if (!store) return;
    // Oldest first, so the newest run of a plan is the one that stays.
    const runs = this.s.data.runs().filter((r) => r.kind === 'plan' && r.status !== 'running' && !this.done.has(r.traceId)).reverse();
    for (const run of runs) {
      const owner = this.s.sessions.ownerOf(run.traceId);
      if (!owner) continue; // not (yet) known as started from the editor
      this.remember(run.traceId);
      const target = parsePlanKey(owner);
      if (!target) continue;
      const against = runAgainstBaseline(this.s, target.planFile, target.exportName, run);
      if (!against) continue;
      const differences = autoCheckDifferences(against.base, against.summary);
      // The plan's line from its open editor when there is one: no await before the verdict, so
      // it is ready for the lens request VS Code has already scheduled (lensRefresh.ts).
      const planLine = this.openPlanLine(target.planFile, target.exportName) ?? (await this.planLine(target.planFile, target.exportName));
      const placed = placeDifferences(differences, { baselineFile: against.baselineFile, planFile: target.planFile, planLine, textOf: readText });
      const verdict: AutoVerdict = { key: owner, ...target, baselineFile: against.baselineFile, traceId: run.traceId, startMs: run.startMs, differences, placed };
      const had = this.verdicts.get(owner);
      if (!had || had.startMs <= run.startMs) this.verdicts.set(owner, verdict);
      const hadBase = this.byBaseline.get(against.baselineFile);
      if (!hadBase || hadBase.startMs <= run.startMs) this.byBaseline.set(against.baselineFile, verdict);
      this.s.log.info(`baseline check of ${run.plan} (${target.exportName}, trace ${run.traceId}): ${baselineLensText(differences.length)}`);
      this.publishDiagnostics();
      this.s.lensRefresh.changed();
      this.checked.fire(verdict);
    }
  }

  private remember(traceId: string): void {
    this.done.add(traceId);
    if (this.done.size > MAX_REMEMBERED) this.done.delete(this.done.values().next().value as string);
  }

  private openPlanLine(planFile: string, exportName: string): number | undefined {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === planFile);
    return doc ? (this.s.finder.scanDocument(doc).plans.find((p) => p.exportName === exportName)?.line ?? 0) : undefined;
  }

  private async planLine(planFile: string, exportName: string): Promise<number> {
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(planFile));
      return this.s.finder.scanDocument(doc).plans.find((p) => p.exportName === exportName)?.line ?? 0;
    } catch {
      return 0;
    }
  }

  /** One file can hold several plans (exports): its diagnostics are the union of their verdicts. */
  private publishDiagnostics(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const v of this.byBaseline.values()) {
      for (const p of v.placed) {
        const d = new vscode.Diagnostic(new vscode.Range(p.line, 0, p.line, Number.MAX_SAFE_INTEGER), `${p.message}${v.exportName === 'default' ? '' : ` [${v.exportName}]`}`, vscode.DiagnosticSeverity.Warning);
        d.source = BASELINE_DIAGNOSTIC_SOURCE;
        d.code = { value: 'baseline', target: vscode.Uri.file(v.baselineFile) };
        const list = byFile.get(p.file);
        if (list) list.push(d);
        else byFile.set(p.file, [d]);
      }
    }
    this.diagnostics.clear();
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.verdicts.size) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const plan of this.s.finder.scanDocument(doc).plans) {
      const v = this.verdicts.get(planKey(doc.uri.fsPath, plan.exportName));
      if (!v) continue;
      lenses.push(
        new vscode.CodeLens(new vscode.Range(plan.line, 0, plan.line, 0), {
          title: baselineLensText(v.differences.length),
          command: COMPARE_WITH_BASELINE,
          arguments: [doc.uri, plan.exportName],
          tooltip: baselineLensTooltip(v.baselineFile, v.differences),
        }),
      );
    }
    return lenses;
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const d of context.diagnostics) {
      if (d.source !== BASELINE_DIAGNOSTIC_SOURCE) continue;
      for (const v of this.byBaseline.values()) {
        if (seen.has(v.key) || !v.placed.some((p) => p.line === d.range.start.line && vscode.Uri.file(p.file).toString() === doc.uri.toString() && d.message.startsWith(p.message))) continue;
        seen.add(v.key);
        const a = new vscode.CodeAction(`Compare the latest run of ${v.exportName === 'default' ? 'this plan' : v.exportName} with its baseline`, vscode.CodeActionKind.QuickFix);
        a.command = { title: a.title, command: COMPARE_WITH_BASELINE, arguments: [vscode.Uri.file(v.planFile), v.exportName] };
        a.diagnostics = [d];
        actions.push(a);
      }
    }
    return actions;
  }

  dispose(): void {
    for (const r of this.registrations.splice(0).reverse()) r.dispose();
    this.checked.dispose();
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
