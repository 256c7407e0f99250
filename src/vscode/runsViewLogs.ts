import * as vscode from 'vscode';
import type { LogStore } from '../collector/logs/logStore';

/** The Runs view's "Logs without a trace" node and its children, one per `service.name`. */
export type OrphanLogsNode = { kind: 'orphanLogs'; services: [string, number][] } | { kind: 'serviceLogs'; service: string; count: number };

/** The node, when some records without trace context arrived (services in name order). */
export function orphanLogRoot(logs: Pick<LogStore, 'servicesWithoutTrace'> | undefined): OrphanLogsNode | undefined {
  const counts = logs?.servicesWithoutTrace();
  if (!counts || counts.size === 0) return undefined;
  return { kind: 'orphanLogs', services: [...counts].sort((a, b) => a[0].localeCompare(b[0])) };
}

export function orphanLogChildren(node: Extract<OrphanLogsNode, { kind: 'orphanLogs' }>): OrphanLogsNode[] {
  return node.services.map(([service, count]) => ({ kind: 'serviceLogs', service, count }));
}

export function orphanLogItem(node: OrphanLogsNode): vscode.TreeItem {
  if (node.kind === 'orphanLogs') {
    const total = node.services.reduce((n, [, c]) => n + c, 0);
    const item = new vscode.TreeItem('Logs without a trace', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = 'orphanLogs';
    item.description = `${total} record${total === 1 ? '' : 's'} · ${node.services.length} service${node.services.length === 1 ? '' : 's'}`;
    item.iconPath = new vscode.ThemeIcon('output');
    item.tooltip = 'Log records that carry no trace id (emitted outside any span), grouped by service.name';
    item.contextValue = 'orphanLogs';
    return item;
  }
  const item = new vscode.TreeItem(node.service || '(no service.name)', vscode.TreeItemCollapsibleState.None);
  item.id = `orphanLogs:${node.service}`;
  item.description = `${node.count} record${node.count === 1 ? '' : 's'}`;
  item.iconPath = new vscode.ThemeIcon('list-flat');
  item.contextValue = 'serviceLogs';
  item.command = { command: 'instrumentFirst.showLogsWithoutTrace', title: 'Show Logs Without a Trace', arguments: [node.service] };
  return item;
}
