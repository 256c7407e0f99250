import * as vscode from 'vscode';
import { parseTraceIdInput } from '../views/traceIds';

/**
 * `<vscode-scheme>://instrument-first.instrument-first/trace/<traceId>` opens that run: a link a
 * program can print (the debug console and terminals make URLs clickable), or paste into chat.
 */
export class TraceUriHandler implements vscode.UriHandler, vscode.Disposable {
  private readonly registration = vscode.window.registerUriHandler(this);
  private readonly opened = new vscode.EventEmitter<string>();
  /** Fired with the trace id of every link handled. */
  readonly onDidOpen = this.opened.event;

  async handleUri(uri: vscode.Uri): Promise<void> {
    const m = /^\/trace\/(.+)$/.exec(uri.path);
    const traceId = m?.[1] ? parseTraceIdInput(decodeURIComponent(m[1])) : undefined;
    if (!traceId) {
      void vscode.window.showWarningMessage(`Instrument First: cannot open ${uri.toString()}`);
      return;
    }
    this.opened.fire(traceId);
    await vscode.commands.executeCommand('instrumentFirst.openTraceById', traceId);
  }

  dispose(): void {
    this.registration.dispose();
    this.opened.dispose();
  }
}

/** The link template given to runs (`{traceId}` is replaced), for programs that print links. */
export function traceLinkTemplate(extensionId: string): string {
  return `${vscode.env.uriScheme}://${extensionId}/trace/{traceId}`;
}
