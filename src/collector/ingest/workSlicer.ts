/** Bodies of at least this many bytes wait behind smaller ones. */
export const LARGE_BODY = 256 * 1024;

/**
 * Longest a large body's reading, or its queued job, is held back at a stretch while small bodies
 * are in flight (ms). Together with the bytes a held-back reader may then read before it is held
 * again (LARGE_BODY), this bounds what the rule costs a large sender: at most 20 ms per 256 KiB
 * (80 ms per MiB; 1.3 s for a 16 MiB body, the default body limit) however many small bodies
 * arrive — its requests are slowed, never refused and never left waiting long enough to time out.
 */
export const MAX_LARGE_WAIT_MS = 20;

/** The pacing of one large body's reading (see `WorkSlicer.paceLargeBody`). */
export interface LargeBodyPacer {
  /** Tells of `bytes` read; pauses the reading while small bodies are in flight. */
  read(bytes: number): void;
  /** The request is over (answered, refused or gone): never paused or resumed again. */
  dispose(): void;
}

/**
 * Runs queued jobs (decoding and storing request bodies) in slices of at most `budgetMs`, yielding
 * to the event loop between slices. Without it, a backlog of requests read in one poll phase is
 * decoded back to back and timers in the same process (the extension host's) wait for all of it.
 *
 * Small bodies first. Jobs for large bodies (a program sending request and response bodies as
 * attributes) run when no smaller one waits: a sender of megabyte spans must not slow down everyone
 * else's small ones. Beyond the queue, while a small body is *in flight* — from its request's
 * headers until it is answered (`smallBodyBegan`) — large bodies' work waits for it: their jobs are
 * not started, and their sockets are not read (`paceLargeBody`; TCP then holds the sender back), each
 * for at most MAX_LARGE_WAIT_MS at a stretch. Why: a sender of small bodies one at a time goes as
 * fast as each is answered, and under bench:memory (2 cores, a sender of 64 KiB-attribute spans
 * beside it) it went at 0.67× its rate alone while the large bodies' reading, storing and the
 * sending they prompt ran in the middle of its requests (docs/performance.md). A slice runs at most
 * one large body's job: a small body whose decode answer or request arrived meanwhile is then
 * queued, and stored, before the next large one (two large bodies back to back in one slice held
 * it for both).
 */
export class WorkSlicer {
  private queue: (() => void)[] = [];
  private head = 0;
  private large: (() => void)[] = [];
  /** When each large job was queued (performance.now()), beside `large`. */
  private largeAt: number[] = [];
  private largeHead = 0;
  private scheduled = false;
  private disposed = false;
  private longest = 0;
  /** Turns the next slice waits for, set by the running job (0: the budget alone ends the slice). */
  private endSlice = 0;
  /** Turns still to let pass before the next slice runs. */
  private waitTurns = 0;
  /** Small bodies in flight (see `smallBodyBegan`). */
  private small = 0;
  /** Large bodies' readers paused for the small bodies in flight. */
  private readonly pausedReaders = new Set<LargeReader>();
  /** Wakes the slicer when the first held-back large job is due (small bodies still in flight). */
  private largeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly budgetMs = 8,
    /** See MAX_LARGE_WAIT_MS (a test sets it long, to see the order without a clock). */
    readonly maxLargeWaitMs = MAX_LARGE_WAIT_MS,
  ) {}

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
    if (bodyBytes >= LARGE_BODY) {
      this.large.push(job);
      this.largeAt.push(performance.now());
    } else this.queue.push(job);
    this.schedule();
  }

  /**
   * A body under LARGE_BODY is in flight, from its request's headers until it is answered: large
   * bodies' work waits meanwhile (bounded, see the class). Returns the end, to call once (more
   * calls do nothing) when the request is answered or gone.
   */
  smallBodyBegan(): () => void {
    this.small++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.small === 0) this.smallBodiesDone();
    };
  }

  /** Small bodies in flight. */
  get smallInFlight(): number {
    return this.small;
  }

  /**
   * Paces the reading of a large body: `read` calls `pause` when small bodies are in flight, and
   * `resume` follows once none is, or after MAX_LARGE_WAIT_MS — then the body may read LARGE_BODY
   * bytes before it is paused again. Call `read(0)` before the first byte to hold it from the start.
   */
  paceLargeBody(pause: () => void, resume: () => void): LargeBodyPacer {
    return new LargeReader(this, pause, resume);
  }

  /** @internal For LargeReader. */
  holdReader(r: LargeReader): boolean {
    if (this.small === 0 || this.disposed) return false;
    this.pausedReaders.add(r);
    return true;
  }

  /** @internal For LargeReader. */
  forgetReader(r: LargeReader): void {
    this.pausedReaders.delete(r);
  }

  private smallBodiesDone(): void {
    const readers = [...this.pausedReaders];
    this.pausedReaders.clear();
    for (const r of readers) r.resumeNow(0);
    if (this.largeHead < this.large.length) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  /** Ms the first large job must still wait (0: it may run now). */
  private largeWait(): number {
    if (this.small === 0) return 0;
    return Math.max(0, this.largeAt[this.largeHead]! + this.maxLargeWaitMs - performance.now());
  }

  private next(): (() => void) | undefined {
    if (this.head < this.queue.length) {
      const job = this.queue[this.head]!;
      this.queue[this.head++] = NOOP;
      return job;
    }
    if (this.largeHead < this.large.length && this.largeWait() === 0) {
      const job = this.large[this.largeHead]!;
      this.large[this.largeHead++] = NOOP;
      // One large body's job a slice: the event loop turns before the next (see `drain`).
      this.endSlice = Math.max(this.endSlice, 1);
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
      this.largeAt = [];
      this.largeHead = 0;
    }
    this.scheduled = false;
    if (this.disposed) return;
    // Turns a job asked for are counted down even with nothing queued (see the top of drain).
    if (this.waitTurns > 0 || this.head < this.queue.length) return this.schedule();
    if (this.largeHead < this.large.length) {
      const wait = this.largeWait();
      if (wait === 0) return this.schedule();
      // Held back for the small bodies in flight: the last of them answered, or this timer, wakes it.
      clearTimeout(this.largeTimer);
      this.largeTimer = setTimeout(() => this.schedule(), Math.ceil(wait));
      this.largeTimer.unref();
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
    this.largeAt = [];
    this.largeHead = 0;
    clearTimeout(this.largeTimer);
    const readers = [...this.pausedReaders];
    this.pausedReaders.clear();
    for (const r of readers) r.resumeNow(0);
  }
}

/** One large body's reading, paused while small bodies are in flight (see `paceLargeBody`). */
class LargeReader implements LargeBodyPacer {
  private paused = false;
  private done = false;
  /** Bytes this body may still read before it is paused again (given after a pause ran out). */
  private credit = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly slicer: WorkSlicer,
    private readonly pause: () => void,
    private readonly resume: () => void,
  ) {}

  read(bytes: number): void {
    this.credit -= bytes;
    if (this.paused || this.done || this.credit > 0 || !this.slicer.holdReader(this)) return;
    this.paused = true;
    this.pause();
    // Held at most this long at a stretch, then LARGE_BODY bytes are let through whatever arrives.
    this.timer = setTimeout(() => this.resumeNow(LARGE_BODY), this.slicer.maxLargeWaitMs);
    this.timer.unref();
  }

  resumeNow(credit: number): void {
    if (!this.paused) return;
    this.paused = false;
    clearTimeout(this.timer);
    this.slicer.forgetReader(this);
    this.credit = credit;
    this.resume();
  }

  dispose(): void {
    if (this.done) return;
    // Answered (a refusal) while paused: what is left of the body is still read, and dropped.
    this.resumeNow(0);
    this.done = true;
  }
}

const NOOP = (): void => {};
