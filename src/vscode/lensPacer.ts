// No vscode import: the pacing is plain logic over a clock and timers (unit-tested in Node).

/** What the pacer needs from its surroundings; timers and clock are injectable for the tests. */
export interface LensPacerHost {
  /** Fires onDidChangeCodeLenses. */
  fire(): void;
  /** True while a run of ours is live (its process running): one refresh is then kept pending. */
  live(): boolean;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * After onDidChangeCodeLenses, VS Code's CodeLens controller waits before it asks the provider
 * again, and every further fire restarts that wait (a `RunOnceScheduler`, at least 250 ms; 375 ms
 * when the extension is under development). A fire when the final figures arrive therefore shows
 * them no sooner than that wait. So while a run is live one fire is kept pending: as soon as VS Code
 * has asked, the next fire goes out, and data that arrives meanwhile is not fired again (that would
 * restart the wait) but read by the ask already scheduled. The run's end then lands somewhere in a
 * wait already under way, on average half of it. When nothing is live a change fires once, and
 * further changes wait for VS Code's ask.
 *
 * A fire VS Code does not answer (no editor shows a file of ours, or the editor lost focus, which
 * cancels the controller's wait) counts as pending for `staleMs` only; a change still unshown then
 * fires again.
 */
export class LensPacer {
  /** When the fire VS Code has not asked after yet went out; undefined when it has asked. */
  private pendingSince: number | undefined;
  /** Data changed since VS Code last asked. */
  private dirty = false;
  private recheck: unknown;
  private disposed = false;

  constructor(
    private readonly host: LensPacerHost,
    private readonly staleMs = 1000,
  ) {}

  /** The figures changed (any store change, a run settling, a setting). */
  changed(): void {
    if (this.disposed) return;
    this.dirty = true;
    if (this.pending()) {
      // VS Code asks soon and reads the new data then; if it does not, fire once the fire is stale.
      this.armRecheck();
      return;
    }
    this.fire();
  }

  /** A run started or ended: while one is live a fire is kept pending. */
  liveChanged(): void {
    if (this.disposed) return;
    if (this.host.live() && !this.pending()) this.fire();
  }

  /** VS Code asked for lenses (the answer reads the data as it is now). */
  asked(): void {
    if (this.disposed) return;
    this.pendingSince = undefined;
    this.dirty = false;
    this.clearRecheck();
    if (this.host.live()) this.fire();
  }

  /** True while a fire is out that VS Code has not asked after, and is not yet stale. */
  pending(): boolean {
    return this.pendingSince !== undefined && this.host.now() - this.pendingSince < this.staleMs;
  }

  private fire(): void {
    this.pendingSince = this.host.now();
    this.clearRecheck();
    this.host.fire();
  }

  private armRecheck(): void {
    if (this.recheck !== undefined || this.pendingSince === undefined) return;
    const wait = Math.max(0, this.pendingSince + this.staleMs - this.host.now());
    this.recheck = this.host.setTimer(() => {
      this.recheck = undefined;
      if (this.dirty && !this.pending()) this.fire();
    }, wait);
  }

  private clearRecheck(): void {
    if (this.recheck === undefined) return;
    this.host.clearTimer(this.recheck);
    this.recheck = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.clearRecheck();
  }
}
