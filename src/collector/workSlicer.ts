/**
 * Runs queued jobs (decoding and storing request bodies) in slices of at most `budgetMs`, yielding
 * to the event loop between slices. Without it, a backlog of requests read in one poll phase is
 * decoded back to back and timers in the same process (the extension host's) wait for all of it.
 */
export class WorkSlicer {
  private queue: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  private disposed = false;
  private longest = 0;

  constructor(private readonly budgetMs = 8) {}

  run(job: () => void): void {
    if (this.disposed) return;
    this.queue.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const start = performance.now();
    while (this.head < this.queue.length && !this.disposed) {
      const job = this.queue[this.head]!;
      this.queue[this.head++] = NOOP;
      try {
        job();
      } catch {
        // A job answers its own request; one failing must not stall the others.
      }
      if (performance.now() - start >= this.budgetMs) break;
    }
    const took = performance.now() - start;
    if (took > this.longest) this.longest = took;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.scheduled = false;
    } else {
      // Immediates queued while immediates run wait for the next loop turn: timers get their turn.
      setImmediate(this.drain);
    }
  };

  /**
   * The longest slice since the last call, in ms: how long this work held the event loop at most
   * (a single job longer than the budget shows here).
   */
  takeLongestSliceMs(): number {
    const v = this.longest;
    this.longest = 0;
    return v;
  }

  /** Jobs waiting. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.head = 0;
  }
}

const NOOP = (): void => {};
