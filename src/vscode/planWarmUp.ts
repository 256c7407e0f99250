import * as vscode from 'vscode';
import { warmPlanCache } from '../project/planCompile';
import { extensionsActivatedByDebugSession } from '../views/debugActivation';
import { DEBUG_TYPE } from './debugConfigProvider';
import type { CollectorHost } from './collectorHost';
import type { PlanFinder } from './planFinder';
import type { RunnerPool } from './runnerPool';

/** After activation, before the first warm-up: activation and the workbench's own start go first. */
const FIRST_DELAY_MS = 1000;
/** After the active editor changed or a file was saved. */
const DEBOUNCE_MS = 300;

/**
 * Makes the first Run of a plan start like a later one, in the background: starts the collector
 * and compiles the plan files shown in editors (and the .ts files they import) into the cache the
 * runner reads (`INSTRUMENT_FIRST_PLAN_CACHE`), so a run finds its plan compiled and loads neither
 * esbuild nor its service. Compiling runs none of the plan's code. Nothing of it is activation
 * work: the first warm-up is a timer after activate() returned.
 */
export class PlanWarmUp implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private disposed = false;
  private debugExtensionsActivated = false;
  private readonly listeners: vscode.Disposable[];
  /** When the latest warm-up finished (epoch ms) and what it did; read by the start-up measurement. */
  lastWarmUp: { atEpochMs: number; compiled: number; cached: number } | undefined;

  constructor(
    private readonly finder: PlanFinder,
    private readonly collector: CollectorHost,
    private readonly cacheDir: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly runners?: RunnerPool,
  ) {
    this.listeners = [
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(DEBOUNCE_MS)),
      vscode.workspace.onDidSaveTextDocument(() => this.schedule(DEBOUNCE_MS)),
    ];
    this.schedule(FIRST_DELAY_MS);
  }

  private schedule(ms: number): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // One warm-up at a time: the next waits for the one under way.
      this.running = this.running.then(() => this.warm());
    }, ms);
  }

  private async warm(): Promise<void> {
    const plans = vscode.window.visibleTextEditors
      .map((e) => e.document)
      .filter((d) => d.uri.scheme === 'file' && d.languageId === 'typescript' && this.finder.scanDocument(d).plans.length > 0)
      .map((d) => d.uri.fsPath);
    if (!plans.length || this.disposed) return;
    this.collector.warmUp();
    this.runners?.prime();
    this.activateDebugExtensions();
    const t0 = performance.now();
    try {
      const r = await warmPlanCache([...new Set(plans)], this.cacheDir);
      this.lastWarmUp = { atEpochMs: Date.now(), ...r };
      if (r.compiled) this.log.info(`plans compiled ahead of a run: ${r.compiled} file(s) in ${(performance.now() - t0).toFixed(0)} ms (${r.cached} already cached)`);
    } catch (err) {
      this.log.warn(`compiling plans ahead of a run: ${String(err)}`);
    }
  }

  /**
   * Activates, once, the extensions VS Code would activate when the window's first Run starts
   * (stock code-server: debug-server-ready, on `onDebugResolve`). VS Code waits for them between
   * startDebugging and asking our configuration provider, and their activation (module load,
   * storage set up over the renderer, busy in a fresh window) cost the first Run 0.3–1 s. Later
   * sessions see no difference: the first one activates them anyway.
   */
  private activateDebugExtensions(): void {
    if (this.debugExtensionsActivated) return;
    this.debugExtensionsActivated = true;
    const all = vscode.extensions.all.map((e) => ({
      id: e.id,
      isActive: e.isActive,
      activationEvents: Array.isArray(e.packageJSON?.activationEvents) ? (e.packageJSON.activationEvents as unknown[]).filter((a): a is string => typeof a === 'string') : [],
    }));
    for (const id of extensionsActivatedByDebugSession(all, DEBUG_TYPE)) {
      const t0 = performance.now();
      vscode.extensions.getExtension(id)?.activate().then(
        () => this.log.info(`activated ${id} ahead of the first Run (VS Code activates it at the first debug session) in ${(performance.now() - t0).toFixed(0)} ms`),
        (err: unknown) => this.log.warn(`activating ${id} ahead of the first Run: ${String(err)}`),
      );
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const l of this.listeners) l.dispose();
  }
}
