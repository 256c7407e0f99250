import * as vscode from 'vscode';
import { serviceLogsText } from '../views/runSignals';
import type { CollectorHost } from './collectorHost';

export const LOGS_SCHEME = 'instrument-first-logs';

/** Records listed per service at most (the newest). */
const MAX_RECORDS = 10_000;

/**
 * Logs without trace context, one read-only document per service
 * (`instrument-first-logs:/<service>.log`): the text is made when the document is opened or
 * refreshed, from the collector's log store; never "Untitled", never asks to be saved.
 */
export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(LOGS_SCHEME, this);
  readonly onDidChange = this.changed.event;

  constructor(private readonly collector: CollectorHost) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const service = decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.log$/, ''));
    const logs = this.collector.signals?.logs.withoutTrace(service, MAX_RECORDS) ?? [];
    return serviceLogsText(service, logs);
  }

  /** Opens (or refreshes) the document of one service's logs without a trace. */
  async show(service: string): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: LOGS_SCHEME, path: `/${encodeURIComponent(service)}.log` });
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
