import * as vscode from 'vscode';
import * as path from 'node:path';
import type { RunSummary } from '../protocol/collectorTypes';
import { DIAGNOSTIC_SOURCE } from '../linter/ruleCatalog';
import { formatDuration } from '../text/duration';
import { indexRuns, procedureRunState, type RunIndex } from '../views/procedureRuns';
import { runTitle } from '../views/runIdentity';
import type { ProcedureCatalog, StaticProcedure } from './procedureCatalog';
import type { RunData } from './runData';
import { Throttle } from './throttle';

type Node = { kind: 'file'; uri: vscode.Uri; items: StaticProcedure[] } | { kind: 'procedure'; p: StaticProcedure };

/** Every procedure in the workspace: instrumented or not, ran in the last run or not, last duration. */
export class ProceduresView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  private readonly throttle = new Throttle(1000, () => this.changed.fire(undefined));
  private list: Promise<StaticProcedure[]> | undefined;
  private lastList: StaticProcedure[] | undefined;
  private runIndexFor: { runs: readonly RunSummary[]; index: RunIndex } | undefined;
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;
  private readonly registrations: vscode.Disposable[];

  constructor(
    private readonly data: RunData,
    private readonly catalog: ProcedureCatalog,
  ) {
    this.view = vscode.window.createTreeView('instrumentFirst.procedures', { treeDataProvider: this });
    this.registrations = [
      catalog.onDidChange(() => this.refresh()),
      data.onDidChange((e) => (e.runsSettled ? this.throttle.now() : this.throttle.trigger())),
      // Lint findings show with their severity: refresh when they change.
      vscode.languages.onDidChangeDiagnostics(() => this.throttle.trigger()),
    ];
  }

  refresh(): void {
    this.list = undefined;
    this.throttle.now();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'file') return node.items.map((p) => ({ kind: 'procedure', p }));
    if (node) return [];
    const all = await (this.list ??= this.catalog.workspaceProcedures());
    this.lastList = all;
    const byFile = new Map<string, StaticProcedure[]>();
    for (const p of all) {
      const k = p.uri.toString();
      byFile.set(k, [...(byFile.get(k) ?? []), p]);
    }
    return [...byFile.values()].map((items) => ({ kind: 'file', uri: items[0]!.uri, items }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(path.basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = node.uri;
      item.description = vscode.workspace.asRelativePath(path.dirname(node.uri.fsPath));
      item.id = `file:${node.uri.toString()}`;
      return item;
    }
    const { p } = node;
    const stats = this.data.procedureStats().index.forProcedure(p.procedure, p.uri.fsPath);
    const state = procedureRunState(stats, this.runIndex());
    const finding = worstFinding(p, this.nextLine(p));
    const item = new vscode.TreeItem(p.procedure.key, vscode.TreeItemCollapsibleState.None);
    item.id = `proc:${p.uri.toString()}:${p.procedure.line}:${p.procedure.key}`;
    const parts: string[] = [];
    if (state.kind === 'not-run') parts.push('not run yet');
    else if (state.kind === 'in-last-run') parts.push(`${formatDuration(stats!.lastMs)} in last ${runTitle(state.run)} run`);
    else parts.push(`not in last run · ${formatDuration(stats!.lastMs)} before`);
    if (stats?.errors) parts.push(`${stats.errors} error${stats.errors === 1 ? '' : 's'}`);
    if (finding) parts.push(`${SEVERITY_WORD[finding.severity]}: ${finding.message.split(/[.:]/)[0]}`);
    else if (p.instrumented === false) parts.push('uninstrumented');
    item.description = parts.join(' · ');
    // One notion of error, and lint findings by their severity: an error-severity finding is never a green check.
    item.iconPath =
      stats?.errors || finding?.severity === vscode.DiagnosticSeverity.Error
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
        : finding?.severity === vscode.DiagnosticSeverity.Warning || p.instrumented === false
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
          : finding
            ? new vscode.ThemeIcon('info', new vscode.ThemeColor('notificationsInfoIcon.foreground'))
            : state.kind === 'in-last-run'
              ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
              : new vscode.ThemeIcon('circle-outline');
    item.contextValue = `procedure${state.kind === 'in-last-run' ? '.ran' : ''}${p.instrumented === false ? '.uninstrumented' : ''}`;
    item.tooltip = [
      `${p.procedure.kind === 'class' ? 'class' : 'procedure()'} ${p.procedure.key}${p.procedure.id ? ` (id ${p.procedure.id})` : ''}`,
      `${vscode.workspace.asRelativePath(p.uri)}:${p.procedure.line + 1}`,
      ...(finding ? [`${SEVERITY_WORD[finding.severity]}: ${finding.message}`] : []),
    ].join('\n');
    item.command = { command: 'instrumentFirst.goToProcedure', title: 'Go to Procedure', arguments: [p.uri, p.procedure.line] };
    return item;
  }

  private runIndex(): RunIndex {
    const runs = this.data.runs();
    if (this.runIndexFor?.runs !== runs) this.runIndexFor = { runs, index: indexRuns(runs) };
    return this.runIndexFor.index;
  }

  /** The line where the next procedure of the same file starts: a finding below it is not this one's. */
  private nextLine(p: StaticProcedure): number {
    const file = this.lastList?.filter((x) => x.uri.toString() === p.uri.toString() && x.procedure.line > p.procedure.line) ?? [];
    return Math.min(Number.MAX_SAFE_INTEGER, ...file.map((x) => x.procedure.line));
  }

  dispose(): void {
    this.throttle.dispose();
    for (const r of this.registrations) r.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}

const SEVERITY_WORD: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** The most severe instrumentation hint inside a procedure (its lines up to the next procedure). */
function worstFinding(p: StaticProcedure, endLine: number): vscode.Diagnostic | undefined {
  let worst: vscode.Diagnostic | undefined;
  for (const d of vscode.languages.getDiagnostics(p.uri)) {
    if (d.source !== DIAGNOSTIC_SOURCE || d.range.start.line < p.procedure.line || d.range.start.line >= endLine) continue;
    if (!worst || d.severity < worst.severity) worst = d;
  }
  return worst;
}
