/** Bodies of at least this many bytes wait behind smaller ones. */
const LARGE_BODY = 256 * 1024;

/**
 * Runs queued jobs (decoding and storing request bodies) in slices of at most `budgetMs`, yielding
 * to the event loop between slices. Without it, a backlog of requests read in one poll phase is
 * decoded back to back and timers in the same process (the extension host's) wait for all of it.
 * Jobs for large bodies (a program sending request and response bodies as attributes) run when no
 * smaller one waits: a sender of megabyte spans must not slow down everyone else's small ones.
 */
export class WorkSlicer {
  private queue: (() => void)[] = [];
  private head = 0;
  private large: (() => void)[] = [];
  private largeHead = 0;
  private scheduled = false;
  private disposed = false;
  private longest = 0;
  /** Turns the next slice waits for, set by the running job (0: the budget alone ends the slice). */
  private endSlice = 0;
  /** Turns still to let pass before the next slice runs. */
  private waitTurns = 0;

  constructor(private readonly budgetMs = 8) {}

  /**
   * Ends the current slice once the running job returns, whatever the budget says, and lets
   * `turns` event-loop turns begin before the next slice runs: for a job whose answer leaves only
   * in later turns (node:http2 sends frames from an immediate of its own, one turn per step), so
   * that it is not held back behind the next bodies' work.
   */
  endSliceAfterJob(turns = 1): void {
    this.endSlice = Math.max(this.endSlice, turns);
  }

  /** Queues a job; `bodyBytes` (the size of the body it handles) decides its queue. */
  run(job: () => void, bodyBytes = 0): void {
    if (this.disposed) return;
    if (bodyBytes >= LARGE_BODY) this.large.push(job);
    else this.queue.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private next(): (() => void) | undefined {
    if (this.head < this.queue.length) {
      const job = this.queue[this.head]!;
      this.queue[this.head++] = NOOP;
      return job;
    }
    if (this.largeHead < this.large.length) {
      const job = this.large[this.largeHead]!;
      this.large[this.largeHead++] = NOOP;
      return job;
    }
    return undefined;
  }

  private readonly drain = (): void => {
    if (this.waitTurns > 0 && !this.disposed) {
      // Immediates queued while immediates run wait for the next turn: one turn passes per call.
      // The turns are counted from the job that asked, whether or not anything waits meanwhile: a
      // job queued once they have passed runs in its own turn, not one later.
      this.waitTurns--;
      if (this.waitTurns === 0 && this.pending === 0) this.scheduled = false;
      else setImmediate(this.drain);
      return;
    }
    const start = performance.now();
    while (!this.disposed) {
      const job = this.next();
      if (!job) break;
      try {
        job();
      } catch {
        // A job answers its own request; one failing must not stall the others.
      }
      if (this.endSlice > 0) {
        this.waitTurns = this.endSlice - 1;
        this.endSlice = 0;
        break;
      }
      if (performance.now() - start >= this.budgetMs) break;
    }
    const took = performance.now() - start;
    if (took > this.longest) this.longest = took;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    if (this.largeHead >= this.large.length) {
      this.large = [];
      this.largeHead = 0;
    }
    // Turns a job asked for are counted down even with nothing queued (see above).
    if ((this.pending === 0 && this.waitTurns === 0) || this.disposed) this.scheduled = false;
    else {
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
    return this.queue.length - this.head + (this.large.length - this.largeHead);
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.head = 0;
    this.large = [];
    this.largeHead = 0;
  }
}

const NOOP = (): void => {};
