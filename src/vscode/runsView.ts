import * as vscode from 'vscode';
import { Attr } from '../protocol/attributes';
import type { RunSummary, SpanNode } from '../protocol/collectorTypes';
import { runLossText, runsViewMessage } from '../views/collectorStatus';
import { clockTime, runLabel } from '../views/format';
import { formatDuration } from '../text/duration';
import { spanHasError } from '../views/spanErrors';
import type { CollectorHost } from './collectorHost';
import type { PlanSession, PlanSessions } from './planSessions';
import type { RunData } from './runData';
import { Throttle } from './throttle';
import { LogDocuments } from './logDocuments';
import { orphanLogChildren, orphanLogItem, orphanLogRoot, type OrphanLogsNode } from './runsViewLogs';

export type RunsNode = { kind: 'run'; run: RunSummary } | { kind: 'span'; traceId: string; span: SpanNode } | { kind: 'session'; session: PlanSession } | OrphanLogsNode;

const RUN_ICONS: Record<RunSummary['status'], [string, string | undefined]> = {
  converged: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  running: ['loading~spin', undefined],
  not_converged: ['warning', 'list.warningForeground'],
  cancelled: ['circle-slash', undefined],
  incomplete: ['question', 'list.warningForeground'],
};

const MAX_CHILDREN = 500;

/** The Runs view: runs newest first; a run opens into its passes, steps and calls. */
export class RunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  private readonly throttle = new Throttle(500, () => this.changed.fire(undefined));
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunsNode>;
  private readonly registrations: vscode.Disposable[];
  /** Logs without a trace, per service, as read-only documents. */
  private readonly logDocuments: LogDocuments;
  private logsListener: { dispose(): void } | undefined;

  constructor(
    private readonly data: RunData,
    private readonly collector: CollectorHost,
    private readonly sessions: PlanSessions,
  ) {
    this.view = vscode.window.createTreeView('instrumentFirst.runs', { treeDataProvider: this, showCollapseAll: true });
    this.logDocuments = new LogDocuments(collector);
    this.registrations = [
      this.logDocuments,
      // Logs without trace context arrive without any run changing: their node follows them.
      collector.onDidChangeState(() => this.listenToLogs()),
      data.onDidChange((e) => (e.runsSettled ? this.throttle.now() : this.throttle.trigger())),
      // Opening the view is a "first need": saved runs are loaded when the collector starts.
      this.view.onDidChangeVisibility((e) => e.visible && collector.warmUp()),
    ];
    if (this.view.visible) collector.warmUp();
    this.listenToLogs();
  }

  private listenToLogs(): void {
    this.logsListener?.dispose();
    this.logsListener = this.collector.signals?.logs.onDidAdd((ids) => ids.has('') && this.throttle.trigger());
  }

  /** Opens the read-only list of one service's logs without a trace (Instrument First: Show Logs Without a Trace). */
  async showLogsWithoutTrace(service: string | undefined): Promise<string | undefined> {
    await this.collector.ensureStarted();
    const services = [...(this.collector.signals?.logs.servicesWithoutTrace() ?? new Map<string, number>())];
    let pick = service;
    if (pick === undefined) {
      if (services.length === 0) {
        void vscode.window.showInformationMessage('Instrument First: no logs without a trace have arrived.');
        return undefined;
      }
      pick = services.length === 1 ? services[0]![0] : (await vscode.window.showQuickPick(services.map(([name, n]) => ({ label: name, description: `${n} record${n === 1 ? '' : 's'}` })), { title: 'Logs without a trace: which service?' }))?.label;
      if (pick === undefined) return undefined;
    }
    await this.logDocuments.show(pick);
    return pick;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      const stats = this.collector.store?.stats();
      // What the bounds cost is said where the runs are: evicted, refused, truncated.
      this.view.message = stats ? runsViewMessage(stats) || undefined : undefined;
      const runs = this.data.runs();
      // A launched plan with no span yet (paused on a breakpoint before its first step ended) is running too.
      const shown = new Set(runs.map((r) => r.launchId).filter(Boolean));
      const waiting = this.sessions.active().filter((ps) => ps.plan && !shown.has(ps.id));
      const logs = orphanLogRoot(this.collector.signals?.logs);
      return [...waiting.map((session): RunsNode => ({ kind: 'session', session })), ...runs.map((run): RunsNode => ({ kind: 'run', run })), ...(logs ? [logs] : [])];
    }
    if (node.kind === 'session' || node.kind === 'serviceLogs') return [];
    if (node.kind === 'orphanLogs') return orphanLogChildren(node);
    const store = this.collector.store;
    if (!store) return [];
    if (node.kind === 'run') {
      const tree = store.tree(node.run.traceId);
      if (!tree) return [];
      // A plan run: show its passes directly under the run (the root is the run itself).
      const roots = tree.roots.length === 1 && tree.roots[0]!.attributes[Attr.kind] === 'plan' ? tree.roots[0]!.children : tree.roots;
      return roots.slice(0, MAX_CHILDREN).map((span) => ({ kind: 'span', traceId: node.run.traceId, span }));
    }
    return node.span.children.slice(0, MAX_CHILDREN).map((span) => ({ kind: 'span', traceId: node.traceId, span }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'orphanLogs' || node.kind === 'serviceLogs') return orphanLogItem(node);
    if (node.kind === 'run') {
      const r = node.run;
      const { label, description } = runLabel(r);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `run:${r.traceId}`;
      item.description = `${description} · ${clockTime(r.startMs)}${runLossText(r)}`;
      // One notion of error: a run that converged with an errored step is shown failed-red too.
      const [icon, color] = r.status === 'converged' && r.errorCount > 0 ? RUN_ICONS.failed : RUN_ICONS[r.status];
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
      item.contextValue = `run.${r.status}${r.runKind === 'debug' ? '.debug' : ''}`;
      item.tooltip = [
        `${label} — ${description}`,
        ...(r.planFile ? [`${r.planFile}${r.exportName && r.exportName !== 'default' ? ` (export ${r.exportName})` : ''}`] : []),
        ...(r.runKind === 'debug' ? ['debugged: durations include pauses; left out of statistics'] : []),
        `trace ${r.traceId}`,
        `${r.spanCount} spans, ${r.errorCount} errors, service ${r.serviceName}${runLossText(r)}`,
        ...(r.finishedBy === 'idle' ? ['finished without its root span: no span arrived for the idle time'] : []),
      ].join('\n');
      item.command = { command: 'instrumentFirst.openTrace', title: 'Open Trace', arguments: [r.traceId] };
      return item;
    }
    if (node.kind === 'session') {
      const ps = node.session;
      const item = new vscode.TreeItem(ps.session?.name.replace(/^(Run|Debug) /, '') ?? ps.exportName, vscode.TreeItemCollapsibleState.None);
      item.id = `session:${ps.id}`;
      item.description = `${ps.debug ? 'debug · ' : ''}running… no step finished yet`;
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.contextValue = 'session';
      item.tooltip = `${ps.session?.name ?? ps.id}\nStarted ${clockTime(ps.createdAt)}; its spans arrive as steps end${ps.debug ? ' (or when it continues past a breakpoint)' : ''}.`;
      return item;
    }
    const s = node.span;
    const kind = s.attributes[Attr.kind];
    const item = new vscode.TreeItem(s.name, s.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `span:${node.traceId}:${s.spanId}`;
    const calls = kind === 'step' ? s.children.filter((c) => c.attributes[Attr.kind] === 'call').length : 0;
    const error = spanHasError(s);
    item.description = `${formatDuration(s.endMs - s.startMs)}${calls ? ` · ${calls} call${calls === 1 ? '' : 's'}` : ''}${error ? ' · error' : ''}`;
    const icon = error ? 'error' : kind === 'pass' ? 'layers' : kind === 'step' ? 'symbol-method' : kind === 'call' ? 'arrow-swap' : 'circle-small';
    item.iconPath = new vscode.ThemeIcon(icon, error ? new vscode.ThemeColor('testing.iconFailed') : undefined);
    item.contextValue = `span.${typeof kind === 'string' ? kind : 'other'}`;
    item.tooltip = s.statusMessage ? `${s.name}: ${s.statusMessage}` : s.name;
    const procedureId = s.attributes[Attr.procedureId];
    item.command = {
      command: 'instrumentFirst.openTrace',
      title: 'Open Trace',
      arguments: [node.traceId, typeof procedureId === 'string' ? procedureId : undefined],
    };
    return item;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.throttle.dispose();
    this.logsListener?.dispose();
    for (const r of this.registrations) r.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}
