import type * as vscode from 'vscode';

/**
 * Calls `fn` at most once per `ms` while triggers keep coming, and once more after the last one
 * (so the final state is always shown). `now()` runs it at once, cancelling any pending call.
 */
export class Throttle implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;

  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
  ) {}

  trigger(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.ms - Date.now());
    this.timer = setTimeout(() => this.now(), wait);
  }

  now(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    this.fn();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
