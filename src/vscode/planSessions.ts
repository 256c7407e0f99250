import * as vscode from 'vscode';
import { childSessionName, SESSION_TAG } from '../views/launchConfig';
import { parsePlanError, type PlanErrorLine } from '../views/planError';
import { findTraceIds } from '../views/traceIds';
import type { RunSummary } from '../protocol/collectorTypes';

/** One debug session this extension started for a plan (or a traced program). */
export interface PlanSession {
  readonly id: string;
  /** Absolute plan path (after variable substitution), when it runs a plan. */
  plan?: string;
  exportName: string;
  readonly debug: boolean;
  readonly createdAt: number;
  session?: vscode.DebugSession;
  ended: boolean;
  traceIds: string[];
  error?: PlanErrorLine;
  /** The session's cwd, to resolve relative paths in error lines. */
  cwd?: string;
  /** Which runtime runs the plan, e.g. "workspace: instrument-first 0.1.0 (node_modules/instrument-first)". */
  runtime?: string;
  /** When each stage of its start was reached (epoch ms), for the start-up measurements: see {@link StartMark}. */
  readonly marks: Partial<Record<StartMark, number>>;
}

/**
 * Stages of a run's start, in order: asked to run; VS Code asked the configuration provider; the
 * collector was ready; the configuration was resolved; the plain-run adapter was created; the
 * runner's process was spawned; its first output arrived.
 */
/** `prestarted`: the run's process was the runner started ahead (runnerPool.ts), not a new one. */
export type StartMark = 'run' | 'resolve' | 'collector' | 'resolved' | 'adapter' | 'prestarted' | 'spawned' | 'output';

/** Notes when a stage of a session's start was reached (the first time only). */
export function markStart(ps: PlanSession | undefined, mark: StartMark): void {
  if (ps && ps.marks[mark] === undefined) ps.marks[mark] = Date.now();
}

export interface PlanErrorReport {
  session: PlanSession;
  error: PlanErrorLine;
}

const STDERR_TAIL = 16 * 1024;

/**
 * Knows the sessions started for plans: follows their output through a debug adapter tracker
 * (the runner's one-line errors, trace ids for Open Trace by ID) and matches runs in the store
 * with the session that launched them by the launch id stamped on each run.
 */
export class PlanSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, PlanSession>();
  private readonly seenTraceIds: string[] = [];
  private readonly attributed = new Set<string>();
  /** Trace id → plan key (file#export) of the session that launched it. */
  private readonly owners = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly errors = new vscode.EventEmitter<PlanErrorReport>();
  private readonly registrations: vscode.Disposable[];
  readonly onDidChange = this.changed.event;
  readonly onDidReportError = this.errors.event;

  constructor() {
    this.registrations = [
      vscode.debug.registerDebugAdapterTrackerFactory('*', { createDebugAdapterTracker: (s) => this.trackerFor(s) }),
      vscode.debug.onDidStartDebugSession((s) => {
        const ps = this.find(s);
        if (ps && ps.session && ps.session !== s) this.nameChild(ps, s);
        if (ps && !ps.session) {
          ps.session = s;
          ps.cwd = typeof s.configuration.cwd === 'string' ? s.configuration.cwd : ps.cwd;
          const plan = s.configuration.__instrumentFirstPlan;
          if (typeof plan === 'string' && plan) ps.plan = plan;
          this.changed.fire();
        }
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const ps = this.find(s);
        if (ps && ps.session === s) {
          ps.ended = true;
          this.changed.fire();
        }
      }),
    ];
  }

  /** Registers a session about to start (its configuration carries `id` as SESSION_TAG). */
  create(id: string, debug: boolean, plan: string | undefined, exportName: string | undefined): PlanSession {
    const ps: PlanSession = { id, plan, exportName: exportName || 'default', debug, createdAt: Date.now(), ended: false, traceIds: [], marks: {} };
    this.sessions.set(id, ps);
    if (this.sessions.size > 100) this.sessions.delete(this.sessions.keys().next().value as string);
    return ps;
  }

  get(id: string): PlanSession | undefined {
    return this.sessions.get(id);
  }

  active(): PlanSession[] {
    return [...this.sessions.values()].filter((s) => s.session && !s.ended);
  }

  /** Trace ids seen in the output of plan sessions, newest first. */
  recentTraceIds(): readonly string[] {
    return this.seenTraceIds;
  }

  /**
   * Attributes runs to the session that launched them: the runner stamps the launch id it was
   * given (`instrument_first.launch_id`) on the run's root span. A run is attributed once.
   */
  attributeRuns(runs: readonly RunSummary[]): void {
    for (const r of runs) {
      if (!r.launchId || this.attributed.has(r.traceId)) continue;
      const ps = this.sessions.get(r.launchId);
      if (ps) this.addTrace(ps, r.traceId);
    }
  }

  /** The session that launched a run (by the launch id on its root span). */
  sessionOf(run: RunSummary): PlanSession | undefined {
    return run.launchId ? this.sessions.get(run.launchId) : undefined;
  }

  /** The plan key (file#export, see {@link planKey}) of the session a run was started by, if any. */
  ownerOf(traceId: string): string | undefined {
    return this.owners.get(traceId);
  }

  private addTrace(ps: PlanSession, traceId: string): void {
    this.attributed.add(traceId);
    if (this.attributed.size > 10_000) this.attributed.delete(this.attributed.values().next().value as string);
    ps.traceIds.push(traceId);
    if (ps.plan) {
      this.owners.set(traceId, planKey(ps.plan, ps.exportName));
      if (this.owners.size > 10_000) this.owners.delete(this.owners.keys().next().value as string);
    }
    this.changed.fire();
  }

  private find(s: vscode.DebugSession): PlanSession | undefined {
    for (let cur: vscode.DebugSession | undefined = s; cur; cur = cur.parentSession) {
      const tag = cur.configuration[SESSION_TAG];
      if (typeof tag === 'string') return this.sessions.get(tag);
    }
    return undefined;
  }

  /**
   * Names the Node debugger's child session (the runner's process) after the plan. js-debug sets
   * that name itself when the session starts and again when its state changes, so it is set back
   * whenever the child session sends something under another name.
   */
  private nameChild(ps: PlanSession, child: vscode.DebugSession): void {
    if (!ps.plan || child === ps.session) return;
    const wanted = childSessionName(child.name, planTitle(vscode.Uri.file(ps.plan), ps.exportName));
    if (child.name !== wanted) child.name = wanted;
  }

  private trackerFor(s: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const ps = this.find(s);
    if (!ps) return undefined;
    let stderr = '';
    return {
      onDidSendMessage: (m: unknown) => {
        const msg = m as { type?: string; event?: string; body?: { category?: string; output?: string } };
        if (ps.session && s !== ps.session) this.nameChild(ps, s);
        if (msg.type !== 'event' || msg.event !== 'output' || typeof msg.body?.output !== 'string') return;
        const text = msg.body.output;
        // Only remembered for "Open Trace by ID": runs are matched by their launch id, not by output.
        for (const t of findTraceIds(text, 10)) this.noteTraceId(t.traceId);
        if (msg.body.category === 'stderr' || text.includes('instrument-first: ')) {
          stderr = (stderr + text).slice(-STDERR_TAIL);
          const error = !ps.error ? parsePlanError(stderr) : undefined;
          if (error && /\n/.test(stderr.slice(stderr.indexOf('instrument-first: ')))) {
            ps.error = error;
            this.errors.fire({ session: ps, error });
          }
        }
      },
    };
  }

  private noteTraceId(id: string): void {
    const i = this.seenTraceIds.indexOf(id);
    if (i >= 0) this.seenTraceIds.splice(i, 1);
    this.seenTraceIds.unshift(id);
    if (this.seenTraceIds.length > 50) this.seenTraceIds.length = 50;
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.changed.dispose();
    this.errors.dispose();
  }
}

/** `plans/create-cluster.ts · createClusterFaulty` (workspace-relative; the export unless default). */
export function planTitle(uri: vscode.Uri, exportName: string): string {
  const file = vscode.workspace.asRelativePath(uri, false);
  return exportName === 'default' ? file : `${file} · ${exportName}`;
}

/** A plan export's key among the sessions: `file-uri#export`. */
export function planKey(planPath: string, exportName: string): string {
  return `${vscode.Uri.file(planPath).toString()}#${exportName || 'default'}`;
}
