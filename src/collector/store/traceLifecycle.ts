import type { TraceEntry } from './traceEntry';

/** Plan runs end their root last: a long step with no span ending meanwhile must not finish the run. */
const PLAN_IDLE_FACTOR = 12;

export interface TraceLifecycleOptions {
  /** Idle time after which a trace without its root counts as finished, in ms; 0: never. */
  idleMs: number;
  clock: () => number;
  /** Told of the traces the idle timer (or markFinished) has just finished. */
  onFinished: (traceIds: readonly string[]) => void;
}

/**
 * Whether each stored trace is running or finished, and in which order they go when the store must
 * evict: finished ones least recently finished (or updated by late spans) first, running ones
 * oldest first. A trace finishes when its local root arrives, or after the idle time without a
 * span (plan runs of our runtime, whose root always comes last, wait 12 times as long).
 */
export class TraceLifecycle {
  /** Unfinished traces, in order of first arrival. */
  private readonly running = new Map<string, TraceEntry>();
  /** Finished traces, least recently finished first. */
  private readonly finishedLru = new Map<string, TraceEntry>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TraceLifecycleOptions) {}

  /** A trace just made: running until its root arrives or it goes idle. */
  admit(e: TraceEntry): void {
    this.running.set(e.traceId, e);
  }

  /** Puts a trace touched by a batch where it belongs: finished (its root is there) or running. */
  settle(e: TraceEntry, now: number): void {
    const id = e.traceId;
    if (e.complete) {
      if (e.finishedBy !== 'root') {
        e.finishedBy = 'root';
        e.invalidate();
      }
    } else if (e.finishedBy === 'root') {
      // Its root was re-sent with a parent: running again until idle.
      e.finishedBy = undefined;
      e.invalidate();
    }
    if (e.finished) {
      this.running.delete(id);
      // Late spans count as a new completion: least recently completed goes first.
      this.finishedLru.delete(id);
      this.finishedLru.set(id, e);
    } else if (!this.running.has(id)) {
      this.finishedLru.delete(id);
      this.running.set(id, e);
    }
    e.lastActivityMs = now;
  }

  /** The trace to evict next other than `keep`: a finished one, else (`lastResort`) a running one. */
  victim(keep: TraceEntry | undefined, lastResort: boolean): TraceEntry | undefined {
    return firstOther(this.finishedLru, keep) ?? (lastResort ? firstOther(this.running, keep) : undefined);
  }

  /** When the finished trace evicted next (other than `keep`) last saw a span. */
  nextFinishedActivity(keep: TraceEntry | undefined): number | undefined {
    return firstOther(this.finishedLru, keep)?.lastActivityMs;
  }

  forget(traceId: string): void {
    this.running.delete(traceId);
    this.finishedLru.delete(traceId);
  }

  clear(): void {
    this.running.clear();
    this.finishedLru.clear();
  }

  /** Finishes the running traces that saw no span for their idle time. */
  checkIdle(): void {
    if (this.options.idleMs <= 0) return;
    const now = this.options.clock();
    const done: string[] = [];
    for (const e of [...this.running.values()]) {
      if (e.finished || now - e.lastActivityMs < this.idleOf(e)) continue;
      this.finish(e);
      done.push(e.traceId);
    }
    if (done.length > 0) this.options.onFinished(done);
  }

  /** Counts these traces as finished now (loaded from files: whatever they lack will not come). */
  markFinished(entries: readonly TraceEntry[]): void {
    const done: string[] = [];
    for (const e of entries) {
      if (e.finished) continue;
      this.finish(e);
      done.push(e.traceId);
    }
    if (done.length > 0) this.options.onFinished(done);
  }

  /** Arms the idle timer for the running trace that goes idle first (once; it re-arms itself). */
  scheduleIdleCheck(): void {
    if (this.idleTimer || this.options.idleMs <= 0 || this.running.size === 0) return;
    let wait = Infinity;
    const now = this.options.clock();
    for (const e of this.running.values()) wait = Math.min(wait, e.lastActivityMs + this.idleOf(e) - now);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.checkIdle();
      this.scheduleIdleCheck();
    }, Math.max(50, Math.ceil(wait)));
    this.idleTimer.unref();
  }

  dispose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private finish(e: TraceEntry): void {
    e.finishedBy = 'idle';
    e.invalidate();
    this.running.delete(e.traceId);
    this.finishedLru.set(e.traceId, e);
  }

  private idleOf(e: TraceEntry): number {
    return e.isRun ? this.options.idleMs * PLAN_IDLE_FACTOR : this.options.idleMs;
  }
}

/** The first entry of an ordered map other than `keep`. */
function firstOther(map: Map<string, TraceEntry>, keep: TraceEntry | undefined): TraceEntry | undefined {
  for (const e of map.values()) if (e !== keep) return e;
  return undefined;
}
