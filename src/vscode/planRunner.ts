import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { planErrorText } from '../views/planError';
import { DEBUG_TYPE } from './debugConfigProvider';
import type { PlanFinder, PlanTarget } from './planFinder';
import { markStart, planTitle, type PlanErrorReport, type PlanSession, type PlanSessions } from './planSessions';

interface LastRun {
  target: { uri: vscode.Uri; exportName: string };
  debug: boolean;
}

/** Starts, reruns and stops plan runs (debug sessions), and reports their errors. */
export class PlanRunner implements vscode.Disposable {
  private last: LastRun | undefined;
  private readonly listeners: vscode.Disposable[];
  private readonly reported = new vscode.EventEmitter<PlanErrorReport & { message: string }>();
  /** Fired with the text of every error notification shown (tests read it here). */
  readonly onDidShowError = this.reported.event;

  constructor(
    private readonly finder: PlanFinder,
    private readonly sessions: PlanSessions,
  ) {
    this.listeners = [
      sessions.onDidReportError((r) => this.showError(r)),
      sessions.onDidChange(() => void vscode.commands.executeCommand('setContext', 'instrumentFirst.planRunning', sessions.active().length > 0)),
    ];
  }

  /** Quick pick of the workspace's plans (the current file's first), then runs the chosen one. */
  async pickAndRun(debug: boolean): Promise<PlanSession | undefined> {
    const plans = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Finding plans…' }, () => this.finder.findPlans());
    if (!plans.length) {
      void vscode.window.showInformationMessage('Instrument First: no plans found in this workspace (a plan exports an object with a name and a create() method).');
      return undefined;
    }
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const items = plans.map((p) => ({
      label: `${debug ? '$(debug-alt)' : '$(play)'} ${path.basename(p.uri.fsPath)}${p.exportName === 'default' ? '' : ` · ${p.exportName}`}`,
      description: vscode.workspace.asRelativePath(p.uri),
      detail: p.uri.toString() === active ? 'current file' : undefined,
      target: p,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: debug ? 'Debug Plan' : 'Run Plan',
      placeHolder: `Choose a plan (file · export) to ${debug ? 'debug' : 'run'}`,
      matchOnDescription: true,
    });
    return picked ? this.run(picked.target, debug) : undefined;
  }

  /** Starts a run as a debug session of the Node debugger; resolves once it has started. */
  async run(target: Pick<PlanTarget, 'uri' | 'exportName'>, debug: boolean): Promise<PlanSession | undefined> {
    this.last = { target: { uri: target.uri, exportName: target.exportName }, debug };
    const id = randomUUID();
    const ps = this.sessions.create(id, debug, target.uri.fsPath, target.exportName);
    markStart(ps, 'run');
    const folder = vscode.workspace.getWorkspaceFolder(target.uri);
    const config: vscode.DebugConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      // The session's (and the debug status bar's) name: the plan, not the runner's script.
      name: `${debug ? 'Debug' : 'Run'} ${planTitle(target.uri, target.exportName)}`,
      plan: target.uri.fsPath,
      __instrumentFirstSessionId: id,
    };
    if (target.exportName !== 'default') config.export = target.exportName;
    if (!debug) config.noDebug = true;
    // VS Code's own save before a start also reloads the whole configuration (settings and
    // launch.json, each a read over the remote file system): hundreds of ms on the first Run of a
    // window, most of a warm Run's wait. A configuration passed as an object needs no launch.json:
    // a plain run's adapter saves the dirty files itself (saveBeforeRun.ts). A debug run keeps
    // VS Code's save (its Restart is js-debug's, which we do not see).
    const ok = await vscode.debug.startDebugging(folder, config, { noDebug: !debug, suppressSaveBeforeStart: !debug });
    return ok ? ps : undefined;
  }

  async rerunLast(): Promise<PlanSession | undefined> {
    if (!this.last) return this.pickAndRun(false);
    return this.run(this.last.target, this.last.debug);
  }

  async stop(): Promise<void> {
    const active = this.sessions.active();
    if (!active.length) {
      void vscode.window.showInformationMessage('Instrument First: no plan is running.');
      return;
    }
    let chosen = active;
    if (active.length > 1) {
      const pick = await vscode.window.showQuickPick(
        active.map((s) => ({ label: s.session?.name ?? s.id, s })),
        { title: 'Stop Plan', canPickMany: true },
      );
      if (!pick?.length) return;
      chosen = pick.map((p) => p.s);
    }
    await Promise.all(chosen.map((s) => vscode.debug.stopDebugging(s.session)));
  }

  private showError(r: PlanErrorReport): void {
    const message = `Instrument First: ${planErrorText(r.error)}`;
    this.reported.fire({ ...r, message });
    const file = path.resolve(r.session.cwd ?? (r.session.plan ? path.dirname(r.session.plan) : '.'), r.error.file);
    const actions = ['Go to Error', ...(r.session.traceIds.length ? ['Open Trace'] : [])];
    void vscode.window.showErrorMessage(message, ...actions).then(async (choice) => {
      if (choice === 'Go to Error') {
        const line = Math.max(0, (r.error.line ?? 1) - 1);
        const col = Math.max(0, (r.error.column ?? 1) - 1);
        await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(line, col, line, col) });
      } else if (choice === 'Open Trace') {
        await vscode.commands.executeCommand('instrumentFirst.openTrace', r.session.traceIds[r.session.traceIds.length - 1]);
      }
    });
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.reported.dispose();
  }
}
