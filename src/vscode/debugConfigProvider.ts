import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { chooseRuntime, describeRuntime, ownRuntime, projectRuntime, type RuntimeChoice } from '../project/runtimeInstall';
import { nodeLaunchConfig, SESSION_TAG, type PlanLaunchRequest } from '../views/launchConfig';
import type { PlainRunLaunch } from './plainRunAdapter';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import { markStart, type PlanSessions } from './planSessions';
import { traceLinkTemplate } from './traceUriHandler';

export const DEBUG_TYPE = 'instrument-first';

/**
 * Turns an `instrument-first` launch configuration into a launch of the built-in Node debugger:
 * the CLI runner (or the given program) with the OTLP variables pointing at the collector here.
 */
export class PlanDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** Version-mismatch warnings already shown (once per text, not at every run). */
  private readonly warned = new Set<string>();

  constructor(
    private readonly extensionId: string,
    private readonly extensionUri: vscode.Uri,
    private readonly config: Config,
    private readonly collector: CollectorHost,
    private readonly sessions: PlanSessions,
    private readonly log: vscode.LogOutputChannel,
    /** Where the runner keeps compiled plans (see PlanWarmUp). */
    private readonly planCacheDir?: string,
  ) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: 'launch', name: 'Run current plan', plan: '${file}' }];
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      // F5 without a launch.json: run the plan in the active editor.
      const file = vscode.window.activeTextEditor?.document;
      if (!file || file.isUntitled) {
        void vscode.window.showInformationMessage('Instrument First: open a plan file first, or add an "instrument-first" launch configuration.');
        return undefined;
      }
      config = { type: DEBUG_TYPE, request: 'launch', name: 'Run current plan', plan: file.uri.fsPath };
    }
    const req = toRequest(config);
    if (!req.plan && !req.program) {
      void vscode.window.showErrorMessage('Instrument First: the launch configuration needs "plan" (a plan file) or "program".');
      return undefined;
    }
    const id = typeof config.__instrumentFirstSessionId === 'string' ? config.__instrumentFirstSessionId : randomUUID();
    const session = this.sessions.get(id) ?? this.sessions.create(id, !config.noDebug, req.plan, req.export);
    markStart(session, 'resolve');
    try {
      await this.collector.ensureStarted();
    } catch (err) {
      void vscode.window.showErrorMessage(`Instrument First: the collector did not start: ${String(err)}`);
      return undefined;
    }
    markStart(session, 'collector');
    const endpoint = this.collector.endpoint!;
    const s = this.config.settings;
    const cwd = req.cwd ?? folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const runtime = req.plan ? this.runtimeFor(req.plan, cwd) : undefined;
    if (runtime) session.runtime = `${runtime.source}: ${describeRuntime(runtime.install, cwd ?? runtime.install.root)}`;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const resolved = nodeLaunchConfig(
      { ...req, cwd },
      {
        cliPath: runtime?.cliPath ?? vscode.Uri.joinPath(dist, 'cli.js').fsPath,
        extensionDist: runtime ? dirname(runtime.cliPath) : dist.fsPath,
        endpoint,
        protocol: s.collector.otlpProtocol,
        grpcEndpoint: this.collector.grpcEndpoint,
        sessionId: id,
        instrumentation: s.instrumentation.enabled,
        defaultMaxPasses: s.run.maxPasses,
        logRecords: s.run.logRecords,
        traceLinkTemplate: traceLinkTemplate(this.extensionId),
        planCacheDir: this.planCacheDir,
      },
    );
    // Substituted by VS Code like every other string, so the session knows its plan's real path.
    if (req.plan) resolved.__instrumentFirstPlan = req.plan;
    markStart(session, 'resolved');
    if (req.noDebug) {
      // A plain run: our own adapter starts the runner without the Node debugger (plainRunAdapter.ts).
      const plain: PlainRunLaunch = {
        program: resolved.program as string,
        args: resolved.args as string[],
        env: resolved.env as Record<string, string | null>,
        ...(typeof resolved.cwd === 'string' ? { cwd: resolved.cwd } : {}),
      };
      return { type: DEBUG_TYPE, request: 'launch', name: resolved.name as string, noDebug: true, __plainRun: plain, [SESSION_TAG]: id, ...(req.plan ? { __instrumentFirstPlan: req.plan } : {}) };
    }
    return resolved as vscode.DebugConfiguration;
  }

  /**
   * The workspace's own installed runtime when the plan's project has one, else the extension's
   * bundled copy; logged every run, a version mismatch shown once as a warning.
   */
  private runtimeFor(plan: string, cwd: string | undefined): RuntimeChoice {
    // `${file}` and friends are substituted after this provider runs: start from the cwd then.
    const from = plan.includes('${') ? cwd : dirname(plan);
    const bundled = ownRuntime(vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath);
    const choice = chooseRuntime(bundled, from ? projectRuntime(from) : undefined);
    const where = describeRuntime(choice.install, cwd ?? choice.install.root);
    this.log.info(`run ${plan}: with the ${choice.source === 'workspace' ? "workspace's installed" : "extension's bundled"} runtime ${where}`);
    if (choice.warning) {
      this.log.warn(choice.warning);
      if (!this.warned.has(choice.warning)) {
        this.warned.add(choice.warning);
        void vscode.window.showWarningMessage(`Instrument First: ${choice.warning}.`);
      }
    }
    return choice;
  }
}

function toRequest(c: vscode.DebugConfiguration): PlanLaunchRequest {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const req: PlanLaunchRequest = { name: str(c.name) };
  const plan = str(c.plan);
  const program = str(c.program);
  if (plan) req.plan = plan;
  else if (program) req.program = program;
  const exp = str(c.export);
  if (exp) req.export = exp;
  if (Array.isArray(c.args)) req.args = c.args.filter((a): a is string => typeof a === 'string');
  if (typeof c.maxPasses === 'number') req.maxPasses = c.maxPasses;
  const cwd = str(c.cwd);
  if (cwd) req.cwd = cwd;
  if (c.env && typeof c.env === 'object') req.env = c.env as Record<string, string | null>;
  if (c.noDebug === true) req.noDebug = true;
  return req;
}
