import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { SESSION_TAG } from '../views/launchConfig';
import { markStart, type PlanSessions, type StartMark } from './planSessions';
import { saveBeforeRun } from './saveBeforeRun';
import type { RunnerPool } from './runnerPool';

/** What a plain (not debugged) run launches: filled in by the debug configuration provider. */
export interface PlainRunLaunch {
  program: string;
  args: string[];
  cwd?: string;
  /** `null` removes an inherited variable. */
  env: Record<string, string | null>;
}

interface Request {
  seq: number;
  type: 'request';
  command: string;
  arguments?: unknown;
}

/**
 * A debug adapter for plain runs (Run, Ctrl+F5): starts the runner as a child process and turns
 * its output into Debug Console output, without the Node debugger — js-debug's `noDebug` still
 * attaches an inspector (the program prints "Debugger attached." and waits for it to disconnect).
 * The session is a debug session all the same, so Stop, Restart and the session tracking of plan
 * runs work unchanged.
 */
export class PlainRunAdapter implements vscode.DebugAdapter {
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private child: ChildProcess | undefined;
  private seq = 1;
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private outputSeen = false;

  constructor(
    private readonly launch: PlainRunLaunch,
    /** Notes the stages of the start (spawned, first output) for the start-up measurements. */
    private readonly mark: (stage: StartMark) => void = () => undefined,
    private readonly pool?: RunnerPool,
  ) {}

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const req = message as Request;
    if (req.type !== 'request') return;
    switch (req.command) {
      case 'initialize':
        this.respond(req, { supportsTerminateRequest: true, supportsConfigurationDoneRequest: true });
        this.event('initialized');
        break;
      case 'launch':
        this.start();
        this.respond(req);
        break;
      case 'threads':
        this.respond(req, { threads: [] });
        break;
      case 'setBreakpoints':
        this.respond(req, { breakpoints: [] });
        break;
      case 'terminate':
      case 'disconnect':
        this.stop();
        this.respond(req);
        break;
      default:
        this.respond(req);
    }
  }

  private start(): void {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.launch.env)) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    // A runner started ahead when there is one (runnerPool.ts); else `node` from PATH, as the Node
    // debugger would use.
    const ready = this.pool?.take(this.launch.program, { argv: this.launch.args, env: this.launch.env, ...(this.launch.cwd ? { cwd: this.launch.cwd } : {}) });
    const child = ready ?? spawn('node', [this.launch.program, ...this.launch.args], { cwd: this.launch.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (ready) this.mark('prestarted');
    this.mark('spawned');
    this.event('process', { name: this.launch.program, systemProcessId: child.pid, startMethod: 'launch' });
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.output('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.output('stderr', text));
    child.on('error', (err) => {
      this.output('stderr', `could not start node: ${err.message}\n`);
      this.end(1);
    });
    child.on('exit', (code, signal) => {
      if (signal) this.output('console', `exited on ${signal}\n`);
      this.end(code ?? 1);
    });
  }

  private end(exitCode: number): void {
    if (!this.child) return;
    this.child = undefined;
    clearTimeout(this.killTimer);
    this.event('exited', { exitCode });
    this.event('terminated');
  }

  /** Ctrl-C first (the runner flushes its spans and reports the run cancelled), then kill. */
  private stop(): void {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGINT');
    this.killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
  }

  private output(category: 'stdout' | 'stderr' | 'console', output: string): void {
    if (!this.outputSeen) {
      this.outputSeen = true;
      this.mark('output');
    }
    this.event('output', { category, output });
  }

  private respond(req: Request, body?: unknown): void {
    this.sent.fire({ seq: this.seq++, type: 'response', request_seq: req.seq, command: req.command, success: true, ...(body ? { body } : {}) } as vscode.DebugProtocolMessage);
  }

  private event(event: string, body?: unknown): void {
    this.sent.fire({ seq: this.seq++, type: 'event', event, ...(body ? { body } : {}) } as vscode.DebugProtocolMessage);
  }

  dispose(): void {
    this.stop();
    this.sent.dispose();
  }
}

/** Plain runs of our debug type get the adapter above (debug runs are resolved to js-debug's `node`). */
export function registerPlainRuns(type: string, sessions: PlanSessions, pool?: RunnerPool): vscode.Disposable {
  return vscode.debug.registerDebugAdapterDescriptorFactory(type, {
    createDebugAdapterDescriptor: async (session) => {
      const launch = session.configuration.__plainRun as PlainRunLaunch | undefined;
      if (!launch || typeof launch.program !== 'string') throw new Error('Instrument First: this launch configuration was not resolved (no plan or program)');
      const tag = session.configuration[SESSION_TAG];
      const ps = typeof tag === 'string' ? sessions.get(tag) : undefined;
      markStart(ps, 'adapter');
      // Plain runs start without VS Code's save (planRunner.ts); a Restart comes here again.
      const plan = session.configuration.__instrumentFirstPlan;
      await saveBeforeRun(typeof plan === 'string' ? vscode.Uri.file(plan) : session.workspaceFolder?.uri);
      return new vscode.DebugAdapterInlineImplementation(new PlainRunAdapter(launch, (stage) => markStart(ps, stage), pool));
    },
  });
}
