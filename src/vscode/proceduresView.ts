import * as vscode from 'vscode';
import * as path from 'node:path';
import { formatDuration } from '../views/format';
import type { ScannedProcedure } from '../views/planScan';
import type { PlanFinder } from './planFinder';
import type { RunData } from './runData';
import { Throttle } from './throttle';

/** One procedure of the workspace as a static index knows it. */
export interface StaticProcedure {
  procedure: ScannedProcedure;
  uri: vscode.Uri;
  /** False when the linter finds it records nothing on its span; undefined when unknown. */
  instrumented?: boolean;
}

/** Where the Procedures view gets its list: the text scan, or the linter's index once it is wired. */
export interface ProcedureIndexSource {
  readonly onDidChange: vscode.Event<void>;
  procedures(): Promise<StaticProcedure[]>;
}

/** The default source: the cheap text scan of the workspace's files. */
export class ScannedProcedureSource implements ProcedureIndexSource {
  constructor(private readonly finder: PlanFinder) {}
  get onDidChange(): vscode.Event<void> {
    return this.finder.onDidChange;
  }
  async procedures(): Promise<StaticProcedure[]> {
    const out: StaticProcedure[] = [];
    for (const { uri, scan } of await this.finder.scanWorkspace()) for (const procedure of scan.procedures) out.push({ procedure, uri });
    return out;
  }
}

type Node = { kind: 'file'; uri: vscode.Uri; items: StaticProcedure[] } | { kind: 'procedure'; p: StaticProcedure };

/** Every procedure in the workspace: instrumented or not, ran in the last run or not, last duration. */
export class ProceduresView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  private readonly throttle = new Throttle(1000, () => this.changed.fire(undefined));
  private sourceListener: vscode.Disposable;
  private source: ProcedureIndexSource;
  private list: Promise<StaticProcedure[]> | undefined;
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;
  private readonly registrations: vscode.Disposable[];

  constructor(
    private readonly data: RunData,
    private readonly fallback: ProcedureIndexSource,
  ) {
    this.source = fallback;
    this.sourceListener = fallback.onDidChange(() => this.refresh());
    this.view = vscode.window.createTreeView('instrumentFirst.procedures', { treeDataProvider: this });
    this.registrations = [data.onDidChange((e) => (e.runsSettled ? this.throttle.now() : this.throttle.trigger()))];
  }

  /** The linter's index replaces the text scan; disposing the result restores it. */
  setIndexSource(source: ProcedureIndexSource): vscode.Disposable {
    this.use(source);
    return new vscode.Disposable(() => {
      if (this.source === source) this.use(this.fallback);
    });
  }

  private use(source: ProcedureIndexSource): void {
    this.sourceListener.dispose();
    this.source = source;
    this.sourceListener = source.onDidChange(() => this.refresh());
    this.refresh();
  }

  refresh(): void {
    this.list = undefined;
    this.throttle.now();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'file') return node.items.map((p) => ({ kind: 'procedure', p }));
    if (node) return [];
    const all = await (this.list ??= this.source.procedures());
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
    const lastRun = this.data.runs().find((r) => r.kind === 'plan' && r.status !== 'running');
    const ranLast = !!stats && !!lastRun && stats.recent.some((r) => r.traceId === lastRun.traceId);
    const item = new vscode.TreeItem(p.procedure.key, vscode.TreeItemCollapsibleState.None);
    item.id = `proc:${p.uri.toString()}:${p.procedure.line}:${p.procedure.key}`;
    const parts: string[] = [];
    if (!stats) parts.push('never ran');
    else parts.push(ranLast ? `${formatDuration(stats.lastMs)} in last run` : `not in last run · ${formatDuration(stats.lastMs)} before`);
    if (stats?.errors) parts.push(`${stats.errors} error${stats.errors === 1 ? '' : 's'}`);
    if (p.instrumented === false) parts.push('uninstrumented');
    item.description = parts.join(' · ');
    item.iconPath =
      p.instrumented === false
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : stats?.errors
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : ranLast
            ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
            : new vscode.ThemeIcon('circle-outline');
    item.contextValue = `procedure${ranLast ? '.ran' : ''}${p.instrumented === false ? '.uninstrumented' : ''}`;
    item.tooltip = `${p.procedure.kind === 'class' ? 'class' : 'procedure()'} ${p.procedure.key}${p.procedure.id ? ` (id ${p.procedure.id})` : ''}\n${vscode.workspace.asRelativePath(p.uri)}:${p.procedure.line + 1}`;
    item.command = { command: 'instrumentFirst.goToProcedure', title: 'Go to Procedure', arguments: [p.uri, p.procedure.line] };
    return item;
  }

  dispose(): void {
    this.throttle.dispose();
    this.sourceListener.dispose();
    for (const r of this.registrations) r.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}
