import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatCoverageText } from '../../linter/formatText';
import { LintWorkerClient } from '../../linter/lintWorkerClient';
import type { FileFindings } from '../../protocol/lintTypes';
import { LintIndexSource, type LintIndexClient } from '../lintIndexSource';
import type { Services } from '../services';
import { FixStore } from './fixStore';
import { LintCodeActions } from './lintCodeActions';
import { toDiagnostic } from './lintDiagnostics';
import { readLintSettings, type LintSettings } from './lintSettings';
import { ReportDocuments } from '../reportDocuments';
import { executedInLatestRuns, indexRuns } from '../../views/procedureRuns';
import { runTitle } from '../../views/runIdentity';

const LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact']);
const SELECTOR: vscode.DocumentSelector = [...LANGUAGES].map((language) => ({ language, scheme: 'file' }));

/** Diagnostics, quick fixes, the Procedures view's index and coverage, from the lint worker. */
export function registerLinting(s: Services): vscode.Disposable {
  return new LintFeature(s);
}

/**
 * Runs the analysis in dist/lintWorker.js (a worker_thread, so typing never waits for ts-morph):
 * the workspace on start, an open document again after a pause in typing, on save and on close,
 * and files changed on disk. Fixes are stored with the findings by document version; the
 * code-action provider only looks them up.
 */
export class LintFeature implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('instrument-first');
  private readonly fixes = new FixStore();
  private readonly reports = new ReportDocuments();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly analysed = new vscode.EventEmitter<void>();
  private client: LintWorkerClient | undefined;
  private settings: LintSettings;

  constructor(private readonly s: Services) {
    this.settings = LintFeature.readSettings();
    this.owned.push(this.diagnostics, this.analysed, this.reports);
    this.owned.push(vscode.languages.registerCodeActionsProvider(SELECTOR, new LintCodeActions(this.fixes), { providedCodeActionKinds: LintCodeActions.kinds }));
    this.owned.push(s.slots.fillCoverage({ showCoverage: () => this.showCoverage() }));
    this.owned.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.schedule(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.update(d, true)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('instrumentFirst.lint') || e.affectsConfiguration('files.exclude')) this.restart();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,mts,cts,js,jsx}');
    const onDisk = (uri: vscode.Uri): void => {
      if (uri.fsPath.includes('/node_modules/')) return;
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty)) return;
      this.send((c) => c.request({ type: 'fileChangedOnDisk', file: uri.fsPath }), true);
    };
    this.owned.push(watcher, watcher.onDidCreate(onDisk), watcher.onDidChange(onDisk), watcher.onDidDelete(onDisk));
    if (this.settings.enabled) {
      // the client is replaced on restart: the index source asks whichever is current
      const indexClient = { request: (body: never) => this.requireClient().request(body) } as unknown as LintIndexClient;
      const index = new LintIndexSource(indexClient, this.analysed.event);
      this.owned.push(index, s.catalog.useIndex(index));
    }
    this.start();
  }

  private static readSettings(): LintSettings {
    const c = vscode.workspace.getConfiguration('instrumentFirst.lint');
    return readLintSettings((k) => c.get(k));
  }

  private requireClient(): LintWorkerClient {
    if (!this.client) throw new Error('linting is off');
    return this.client;
  }

  private start(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!this.settings.enabled || folders.length === 0) return;
    const workerPath = vscode.Uri.joinPath(this.s.extensionUri, 'dist', 'lintWorker.js').fsPath;
    const client = (this.client = new LintWorkerClient(workerPath, (level, message) => this.s.log.info(`lint worker ${level}: ${message}`)));
    const roots = folders.map((f) => f.uri.fsPath);
    const tsConfigFilePath = roots.map((r) => join(r, 'tsconfig.json')).find((p) => existsSync(p));
    const excludes = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {};
    const exclude = Object.entries(excludes).filter(([, on]) => on).map(([glob]) => glob);
    const started = Date.now();
    client
      .request({ type: 'init', options: { roots, tsConfigFilePath, exclude, config: this.settings.config } })
      .then(async (summary) => {
        this.s.log.info(`lint: ${summary.files} files, ${summary.procedures} procedures, ${summary.plans} plans, ${summary.findings} findings in ${Date.now() - started} ms`);
        const open = vscode.workspace.textDocuments.filter((d) => this.lintable(d));
        for (const f of await client.request({ type: 'getAllFindings' })) {
          if (!open.some((d) => d.uri.fsPath === f.file && d.isDirty)) this.publish(f);
        }
        for (const d of open.filter((d) => d.isDirty)) this.update(d);
        this.analysed.fire();
      })
      .catch((err: unknown) => this.s.log.error(`lint: ${err instanceof Error ? err.message : String(err)}`));
  }

  private restart(): void {
    this.settings = LintFeature.readSettings();
    this.stopClient();
    this.diagnostics.clear();
    this.fixes.clear();
    this.start();
  }

  private lintable(d: vscode.TextDocument): boolean {
    return d.uri.scheme === 'file' && LANGUAGES.has(d.languageId);
  }

  private schedule(d: vscode.TextDocument): void {
    if (!this.lintable(d)) return;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.update(d);
      }, this.settings.debounceMs),
    );
  }

  private update(d: vscode.TextDocument, saved = false): void {
    if (!this.lintable(d)) return;
    clearTimeout(this.timers.get(d.uri.toString()));
    this.send((c) => c.request({ type: 'updateFile', file: d.uri.fsPath, text: d.getText(), version: d.version }), saved);
  }

  private close(d: vscode.TextDocument): void {
    if (!this.lintable(d)) return;
    clearTimeout(this.timers.get(d.uri.toString()));
    this.timers.delete(d.uri.toString());
    this.send((c) => c.request({ type: 'closeFile', file: d.uri.fsPath }), true);
  }

  /** Sends one request; publishes its findings unless the document moved on meanwhile. */
  private send(req: (c: LintWorkerClient) => Promise<FileFindings>, reindex: boolean): void {
    const client = this.client;
    if (!client) return;
    req(client).then(
      (f) => {
        if (client !== this.client) return;
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === f.file);
        if (f.version !== undefined && doc && doc.version !== f.version) return;
        this.publish(f);
        if (reindex) this.analysed.fire();
      },
      (err: unknown) => this.s.log.warn(`lint: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private publish(f: FileFindings): void {
    const uri = vscode.Uri.file(f.file);
    this.fixes.set(uri.toString(), f.version, f.findings);
    this.diagnostics.set(uri, f.findings.map((finding) => toDiagnostic(finding, this.s.extensionUri)));
  }

  /** Coverage as a read-only report; "executed" means: in the newest run of its plan (file + export). */
  private async showCoverage(): Promise<vscode.Uri> {
    const client = this.requireClient();
    const runs = indexRuns(this.s.data.runs());
    // The statistics the lenses show (from the runs' summaries), so "executed" agrees with them.
    const { stats } = this.s.data.procedureStats();
    const ran = runs.latest.size ? executedInLatestRuns(stats, runs) : undefined;
    const coverage = await client.request({ type: 'getCoverage', ...(ran ? { executedIds: ran.ids, executedTypes: ran.types } : {}) });
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const plans = [...runs.latest.values()].map((r) => `${runTitle(r)} (${new Date(r.startMs).toLocaleTimeString()})`);
    const content =
      formatCoverageText(coverage, base) +
      (ran ? `\nExecuted: in the last run of each plan: ${plans.join(', ')}.\n` : '\n(no run recorded yet: run a plan to see which procedures executed)\n');
    return (await this.reports.show('Observability Coverage', content)).document.uri;
  }

  private stopClient(): void {
    const c = this.client;
    this.client = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (c) void c.dispose();
  }

  dispose(): void {
    this.stopClient();
    for (const d of this.owned.splice(0).reverse()) d.dispose();
  }
}
