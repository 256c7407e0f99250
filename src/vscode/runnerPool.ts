import { spawn, type ChildProcess } from 'node:child_process';
import type * as vscode from 'vscode';
import { AWAIT_COMMAND_FLAG, type RunnerStart } from '../protocol/runnerStart';

/** After a runner is taken, the next one starts this much later: once the Run has started (a pre-started runner reaches its plan in ~50 ms). */
const REFILL_DELAY_MS = 500;

/**
 * One runner process of the bundled CLI started ahead (`cli.js --await-command`), so a plain Run
 * does not wait for Node and the CLI to load — in VS Code that wait was 0.4–0.9 s of a first Run on
 * two cores, against 0.1 s in a shell. Started by the warm-up while a plan is shown; an idle runner
 * is a Node process of about 60 MB (resident) doing nothing; it ends by itself when VS Code goes (its stdin closes). A runner of another CLI (a project's own install)
 * is started as before.
 */
export class RunnerPool implements vscode.Disposable {
  private idle: ChildProcess | undefined;
  private refill: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly cliPath: string) {}

  /** Starts a waiting runner when none is waiting. */
  prime(): void {
    if (this.disposed || this.alive(this.idle)) return;
    const child = spawn('node', [this.cliPath, AWAIT_COMMAND_FLAG], { env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', () => {
      if (this.idle === child) this.idle = undefined;
    });
    // Nothing is read from a waiting runner until it is taken; a dead one is simply not used.
    child.on('exit', () => {
      if (this.idle === child) this.idle = undefined;
    });
    this.idle = child;
  }

  /**
   * The waiting runner, started with `start`, when `program` is the bundled CLI; undefined (spawn
   * one as before) otherwise. Another one is started a little later.
   */
  take(program: string, start: RunnerStart): ChildProcess | undefined {
    const child = this.idle;
    if (program !== this.cliPath || !this.alive(child) || !child.stdin) return undefined;
    this.idle = undefined;
    child.stdin.end(JSON.stringify(start) + '\n');
    clearTimeout(this.refill);
    this.refill = setTimeout(() => this.prime(), REFILL_DELAY_MS);
    return child;
  }

  private alive(child: ChildProcess | undefined): child is ChildProcess {
    return child !== undefined && child.exitCode === null && child.signalCode === null && !child.killed;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.refill);
    this.idle?.kill();
    this.idle = undefined;
  }
}
