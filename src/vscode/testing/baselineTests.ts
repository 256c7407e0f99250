import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { parseCheckReport, readBaselineEntry, type BaselineCheckResult } from '../../views/baselineCheck';

/** `contextValue` of Test Explorer messages that a compare with the baseline explains (package.json menus). */
export const BASELINE_TEST_MESSAGE = 'instrumentFirst.baselineDifference';

/** Runs per check from the editor: fewer than CI's default 5, still a median over several. */
const EDITOR_CHECK_RUNS = 3;
const BASELINE_GLOB = '**/*.baseline.json';

/**
 * Plans with a baseline in VS Code's Test Explorer: one test per baseline file; running it runs
 * `instrument-first check` on the plan (in a child process, as CI does) and puts each difference
 * at the step's code with expected and actual. Also records and updates baselines.
 */
export class BaselineTests implements vscode.Disposable {
  private readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly added: vscode.TestRunProfile[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = vscode.tests.createTestController('instrumentFirst.baselines', 'Plan baselines');
    this.disposables.push(this.controller);
    this.controller.resolveHandler = async () => {
      await this.refresh();
    };
    this.controller.refreshHandler = async () => {
      await this.refresh();
    };
    this.disposables.push(
      this.controller.createRunProfile('Check against baseline', vscode.TestRunProfileKind.Run, (request, token) => this.runTests(request, token), true),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(BASELINE_GLOB);
    this.disposables.push(watcher, watcher.onDidCreate(() => void this.refresh()), watcher.onDidDelete(() => void this.refresh()), watcher.onDidChange(() => void this.refresh()));
  }

  /** Lists every baseline of the workspace as a test; returns their ids (the baseline files). */
  async refresh(): Promise<string[]> {
    const files = await vscode.workspace.findFiles(BASELINE_GLOB, '**/node_modules/**');
    const items: vscode.TestItem[] = [];
    for (const uri of files) {
      const entry = readBaselineEntry(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath);
      if (!entry) continue;
      const label = entry.exportName === 'default' ? entry.plan : `${entry.plan} (${entry.exportName})`;
      const item = this.controller.createTestItem(uri.fsPath, label, vscode.Uri.file(entry.planFile));
      item.description = vscode.workspace.asRelativePath(uri);
      items.push(item);
    }
    this.controller.items.replace(items);
    return items.map((i) => i.id).sort();
  }

  /** Checks the plan of one baseline file (what a test run does for one item). */
  check(baselineFile: string, token?: vscode.CancellationToken): Promise<BaselineCheckResult> {
    return this.cli(baselineFile, ['--format', 'json', '--runs', String(EDITOR_CHECK_RUNS)], token).then(({ stdout, cwd, planFile }) => parseCheckReport(stdout, cwd, planFile));
  }

  /** Rewrites a baseline from fresh runs (`check --update`); returns what the CLI said changed. */
  async update(baselineFile: string): Promise<string> {
    const { stdout } = await this.cli(baselineFile, ['--update']);
    return stdout;
  }

  /** Records a new baseline for a plan file and export (`baseline record`); returns the CLI's words. */
  record(planFile: string, exportName = 'default'): Promise<string> {
    const args = [this.cliPath(), 'baseline', 'record', planFile, ...(exportName !== 'default' ? ['--export', exportName] : [])];
    return this.spawnCli(args, dirname(planFile)).then((r) => {
      if (r.code !== 0) throw new Error(r.stderr.trim() || `baseline record exited with ${r.code}`);
      return r.stdout;
    });
  }

  private async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const queue: vscode.TestItem[] = [];
    if (request.include) queue.push(...request.include);
    else this.controller.items.forEach((i) => queue.push(i));
    await this.runItems(request, queue.filter((i) => !request.exclude?.includes(i)), token);
  }

  /**
   * One test run over baseline items, as the Test Explorer starts it; returns each item's verdict
   * and the messages it was failed with (for the host tests, which cannot read the Test Explorer).
   */
  async runItems(request: vscode.TestRunRequest, items: readonly vscode.TestItem[], token: vscode.CancellationToken): Promise<Map<string, { state: 'passed' | 'failed' | 'errored' | 'skipped'; messages: vscode.TestMessage[] }>> {
    const run = this.controller.createTestRun(request);
    const verdicts = new Map<string, { state: 'passed' | 'failed' | 'errored' | 'skipped'; messages: vscode.TestMessage[] }>();
    for (const item of items) {
      if (token.isCancellationRequested) {
        run.skipped(item);
        verdicts.set(item.id, { state: 'skipped', messages: [] });
        continue;
      }
      run.started(item);
      const started = Date.now();
      try {
        const result = await this.check(item.id, token);
        if (result.passed) {
          run.passed(item, Date.now() - started);
          verdicts.set(item.id, { state: 'passed', messages: [] });
        } else {
          const messages = result.messages.map((m) => {
            const message = vscode.TestMessage.diff(m.message, m.expected, m.actual);
            message.location = new vscode.Location(vscode.Uri.file(m.file), new vscode.Position(m.line, 0));
            message.contextValue = BASELINE_TEST_MESSAGE; // its "Compare with Baseline" button (package.json menus)
            return message;
          });
          run.failed(item, messages, Date.now() - started);
          verdicts.set(item.id, { state: 'failed', messages });
        }
        if (result.traceIds.length) run.appendOutput(`${item.label}: traces ${result.traceIds.join(' ')}\r\n`, undefined, item);
      } catch (err) {
        const message = new vscode.TestMessage((err as Error).message);
        run.errored(item, message, Date.now() - started);
        verdicts.set(item.id, { state: 'errored', messages: [message] });
      }
    }
    run.end();
    return verdicts;
  }

  /**
   * A further profile whose items another feature runs one by one (the Debug profile,
   * src/vscode/testing/debugCheck.ts, which needs the plan runner); disposed by that feature.
   */
  addProfile(label: string, kind: vscode.TestRunProfileKind, runItem: (item: vscode.TestItem, run: vscode.TestRun, token: vscode.CancellationToken) => Promise<void>): vscode.Disposable {
    const profile = this.controller.createRunProfile(label, kind, async (request, token) => {
      const run = this.controller.createTestRun(request);
      const queue: vscode.TestItem[] = [];
      if (request.include) queue.push(...request.include);
      else this.controller.items.forEach((i) => queue.push(i));
      for (const item of queue.filter((i) => !request.exclude?.includes(i))) {
        if (token.isCancellationRequested) run.skipped(item);
        else await runItem(item, run, token);
      }
      run.end();
    }, true);
    this.added.push(profile);
    return new vscode.Disposable(() => {
      this.added.splice(this.added.indexOf(profile), 1);
      profile.dispose();
    });
  }

  /** A profile added by another feature, by kind (the host tests run it as the Test Explorer would). */
  addedProfile(kind: vscode.TestRunProfileKind): vscode.TestRunProfile | undefined {
    return this.added.find((p) => p.kind === kind);
  }

  /** The test item of a baseline file, once listed. */
  item(baselineFile: string): vscode.TestItem | undefined {
    return this.controller.items.get(baselineFile);
  }

  private cliPath(): string {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
  }

  private async cli(baselineFile: string, extra: string[], token?: vscode.CancellationToken): Promise<{ stdout: string; cwd: string; planFile: string }> {
    const entry = readBaselineEntry(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(baselineFile))), baselineFile);
    if (!entry) throw new Error(`${vscode.workspace.asRelativePath(baselineFile)} is not a baseline file`);
    const cwd = dirname(baselineFile);
    const args = [this.cliPath(), 'check', entry.planFile, '--baseline', baselineFile, ...(entry.exportName !== 'default' ? ['--export', entry.exportName] : []), ...extra];
    const r = await this.spawnCli(args, cwd, token);
    // 0 and 1 are verdicts; anything else is a check that could not run.
    if (r.code !== 0 && r.code !== 1) throw new Error(r.stderr.trim() || `check exited with ${r.code}`);
    return { stdout: r.stdout, cwd, planFile: entry.planFile };
  }

  private spawnCli(args: string[], cwd: string, token?: vscode.CancellationToken): Promise<{ code: number | null; stdout: string; stderr: string }> {
    this.log.info(`baseline: ${args.slice(1).join(' ')}`);
    return new Promise((resolve, reject) => {
      // The extension host's own Node (Electron as Node in the desktop app).
      const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' } });
      const cancel = token?.onCancellationRequested(() => child.kill());
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (e) => {
        cancel?.dispose();
        reject(e);
      });
      child.on('close', (code) => {
        cancel?.dispose();
        resolve({ code, stdout, stderr });
      });
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
