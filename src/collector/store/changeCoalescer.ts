import type { StoreChange } from '../../protocol/collectorTypes';

export interface Disposable {
  dispose(): void;
}

/**
 * Collects which traces changed and tells listeners at most once per interval, so that a burst of
 * 100,000 spans becomes a handful of events.
 */
export class ChangeCoalescer {
  private readonly listeners = new Set<(e: StoreChange) => void>();
  private pending = new Set<string>();
  private runsChanged = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 75) {}

  on(listener: (e: StoreChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  mark(traceId: string, runsChanged: boolean): void {
    this.pending.add(traceId);
    if (runsChanged) this.runsChanged = true;
    this.schedule();
  }

  markRuns(): void {
    this.runsChanged = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.listeners.size === 0) {
      if (this.listeners.size === 0) this.reset();
      return;
    }
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  private reset(): void {
    this.pending.clear();
    this.runsChanged = false;
  }

  /** Delivers what is pending now (also used by tests and on stop). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 && !this.runsChanged) return;
    const e: StoreChange = { traceIds: [...this.pending], runsChanged: this.runsChanged };
    this.pending = new Set();
    this.runsChanged = false;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A failing listener must not stop the others or ingest.
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    this.reset();
  }
}
