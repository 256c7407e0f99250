import * as vscode from 'vscode';
import { findTraceIds } from '../views/traceIds';
import { TRACE_SCHEME } from './traceDocuments';

interface TraceTerminalLink extends vscode.TerminalLink {
  traceId: string;
}

const DOC_SELECTOR: vscode.DocumentSelector = [{ scheme: 'output' }, { language: 'log' }, { language: 'plaintext' }, { scheme: TRACE_SCHEME }];

/** Command URI that opens a trace (local, else from the team's backends); document links may carry command URIs. */
export function openTraceUri(traceId: string): vscode.Uri {
  return vscode.Uri.parse(`command:instrumentFirst.openTraceById?${encodeURIComponent(JSON.stringify([traceId]))}`);
}

/**
 * Trace ids printed by programs become links: in terminals (the CLI, any traced program) and in
 * output and log documents (including this extension's output channel, which logs every run).
 * A 16-digit id counts after a `trace_id:` label. Links open the local trace, else ask the backends.
 */
export class TraceLinks implements vscode.TerminalLinkProvider<TraceTerminalLink>, vscode.DocumentLinkProvider, vscode.Disposable {
  private readonly registrations = [vscode.window.registerTerminalLinkProvider(this), vscode.languages.registerDocumentLinkProvider(DOC_SELECTOR, this)];

  provideTerminalLinks(context: vscode.TerminalLinkContext): TraceTerminalLink[] {
    return findTraceIds(context.line, 20).map((m) => ({ startIndex: m.start, length: m.length, tooltip: 'Open trace in Instrument First', traceId: m.traceId }));
  }

  async handleTerminalLink(link: TraceTerminalLink): Promise<void> {
    await vscode.commands.executeCommand('instrumentFirst.openTraceById', link.traceId);
  }

  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    if (doc.lineCount > 50_000) return [];
    const text = doc.getText();
    return findTraceIds(text, 2000).map((m) => {
      const link = new vscode.DocumentLink(new vscode.Range(doc.positionAt(m.start), doc.positionAt(m.start + m.length)), openTraceUri(m.traceId));
      link.tooltip = 'Open trace';
      return link;
    });
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
  }
}
