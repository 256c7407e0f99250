import * as vscode from 'vscode';
import { diffToText, traceToText } from '../views/traceText';
import type { CollectorHost } from './collectorHost';
import type { RunDiff } from '../protocol/collectorTypes';

export const TRACE_SCHEME = 'instrument-first-trace';

/**
 * Shows a run. The timeline webview (its own feature) replaces the default, a read-only text
 * document with the run's waterfall, by calling {@link TraceViewers.setViewer}.
 */
export interface TraceViewer {
  openTrace(traceId: string, focusProcedureId?: string): Promise<void>;
  compare(traceIdA: string, traceIdB: string): Promise<void>;
  /** Shows a comparison made elsewhere (a run against its baseline). */
  showDiff?(diff: RunDiff): Promise<void>;
}

/** Read-only documents `instrument-first-trace:/<traceId>.txt` and `…/compare/<a>..<b>.txt`. */
export class TraceTextDocuments implements vscode.TextDocumentContentProvider, TraceViewer, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registrations: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly collector: CollectorHost,
    /** Two runs compared from their summaries (RunData.diff). */
    private readonly diff: (a: string, b: string) => RunDiff | undefined,
  ) {
    this.registrations = [
      vscode.workspace.registerTextDocumentContentProvider(TRACE_SCHEME, this),
      collector.onDidChangeStore((e) => {
        for (const doc of vscode.workspace.textDocuments) {
          if (doc.uri.scheme === TRACE_SCHEME && e.traceIds.some((id) => doc.uri.path.includes(id))) this.changed.fire(doc.uri);
        }
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const store = this.collector.store;
    if (!store) return 'The collector is not running.\n';
    const compare = /^\/compare\/([0-9a-f]{32})\.\.([0-9a-f]{32})\.txt$/.exec(uri.path);
    if (compare) {
      const d = this.diff(compare[1]!, compare[2]!);
      return d ? diffToText(d) : 'One of the two runs is no longer in the store.\n';
    }
    const id = /^\/([0-9a-f]{32})\.txt$/.exec(uri.path)?.[1];
    const tree = id ? store.tree(id) : undefined;
    return tree ? traceToText(tree) : `Trace ${id ?? uri.path} is not in the store (evicted, deleted, or from another session).\n`;
  }

  async openTrace(traceId: string, focusProcedureId?: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/${traceId}.txt` }));
    let selection: vscode.Range | undefined;
    if (focusProcedureId) {
      const i = doc.getText().split('\n').findIndex((l) => l.trimStart().startsWith(focusProcedureId));
      if (i >= 0) selection = new vscode.Range(i, 0, i, 0);
    }
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false, selection });
  }

  async compare(a: string, b: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/compare/${a}..${b}.txt` }));
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.changed.dispose();
  }
}

/** The current trace viewer: the latest one set (the timeline), else the text documents. */
export class TraceViewers {
  private readonly stack: TraceViewer[] = [];
  constructor(private readonly fallback: TraceViewer) {}
  get current(): TraceViewer {
    return this.stack[this.stack.length - 1] ?? this.fallback;
  }
  /** Used by the timeline feature; disposing the result restores the viewer that was current before. */
  setViewer(viewer: TraceViewer): vscode.Disposable {
    this.stack.push(viewer);
    return new vscode.Disposable(() => {
      const i = this.stack.lastIndexOf(viewer);
      if (i >= 0) this.stack.splice(i, 1);
    });
  }
}
