import * as vscode from 'vscode';
import { scanPlanSource, type PlanScan } from '../views/planScan';
import type { Config } from './config';

export interface PlanTarget {
  uri: vscode.Uri;
  exportName: string;
  /** 0-based line of the plan's declaration. */
  line: number;
}

const WATCH = '**/*.{ts,mts,cts,js,mjs,cjs}';
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/dist/**', '**/out/**', '**/.git/**', '**/.instrument-first/**', '**/*.d.ts', '**/*.test.*'];
const MAX_FILES = 3000;
const MAX_BYTES = 512 * 1024;

/**
 * Finds plans in the workspace (the files `instrumentFirst.plans.include` / `.exclude` name) with a cheap text scan, cached per file and document version;
 * documents open in editors are scanned from their (possibly unsaved) text.
 */
export class PlanFinder implements vscode.Disposable {
  private readonly files = new Map<string, { mtime: number; scan: PlanScan }>();
  private readonly docs = new WeakMap<vscode.TextDocument, { version: number; scan: PlanScan }>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher(WATCH);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly config: Config) {
    const forget = (uri: vscode.Uri) => {
      if (this.files.delete(uri.toString())) this.changed.fire();
    };
    this.listeners = [
      this.watcher.onDidChange(forget),
      this.watcher.onDidDelete(forget),
      this.watcher.onDidCreate(() => this.changed.fire()),
      config.onDidChange(({ previous, settings }) => {
        if (JSON.stringify(previous.plans) !== JSON.stringify(settings.plans)) this.changed.fire();
      }),
    ];
  }

  /** The scan of an open document (cached by version). */
  scanDocument(doc: vscode.TextDocument): PlanScan {
    const hit = this.docs.get(doc);
    if (hit && hit.version === doc.version) return hit.scan;
    const scan = scanPlanSource(doc.getText());
    this.docs.set(doc, { version: doc.version, scan });
    return scan;
  }

  /** Every scanned source file of the workspace with plans or procedures in it. */
  async scanWorkspace(token?: vscode.CancellationToken): Promise<Array<{ uri: vscode.Uri; scan: PlanScan }>> {
    const { include, exclude } = this.config.settings.plans;
    const uris = await vscode.workspace.findFiles(include, `{${[...ALWAYS_EXCLUDED, ...exclude].join(',')}}`, MAX_FILES, token);
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    const out: Array<{ uri: vscode.Uri; scan: PlanScan }> = [];
    await Promise.all(
      uris.map(async (uri) => {
        const doc = open.get(uri.toString());
        const scan = doc ? this.scanDocument(doc) : await this.scanFile(uri);
        if (scan && (scan.plans.length || scan.procedures.length)) out.push({ uri, scan });
      }),
    );
    out.sort((a, b) => a.uri.path.localeCompare(b.uri.path));
    return out;
  }

  /** Every plan export in the workspace; the active editor's plans first. */
  async findPlans(token?: vscode.CancellationToken): Promise<PlanTarget[]> {
    const out: PlanTarget[] = [];
    for (const { uri, scan } of await this.scanWorkspace(token)) for (const p of scan.plans) out.push({ uri, exportName: p.exportName, line: p.line });
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const rank = (t: PlanTarget) => (t.uri.toString() === active ? 0 : 1);
    out.sort((a, b) => rank(a) - rank(b) || a.uri.path.localeCompare(b.uri.path) || (a.exportName === 'default' ? -1 : b.exportName === 'default' ? 1 : a.exportName.localeCompare(b.exportName)));
    return out;
  }

  private async scanFile(uri: vscode.Uri): Promise<PlanScan | undefined> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_BYTES) return undefined;
      const key = uri.toString();
      const hit = this.files.get(key);
      if (hit && hit.mtime === stat.mtime) return hit.scan;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const scan = scanPlanSource(text);
      this.files.set(key, { mtime: stat.mtime, scan });
      return scan;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.watcher.dispose();
    this.changed.dispose();
  }
}
