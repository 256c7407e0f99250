/**
 * A cached value whose recomputation is rationed by its own cost: while changes stream in, it is
 * recomputed at most once per `cost / dutyCycle` (10% of the time by default), and the stale value
 * is served in between. After a quiet period the next read recomputes at once, so a run that just
 * finished is shown fresh. Keeps the extension host's event loop free while a collector ingests.
 */
export class CostBoundedCache<T> {
  private value: T | undefined;
  private has = false;
  private stale = true;
  private finishedAt = -Infinity;
  private costMs = 0;

  constructor(
    private readonly compute: () => T,
    private readonly dutyCycle = 0.1,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The inputs changed: recompute on a later read (possibly rationed). */
  invalidate(): void {
    this.stale = true;
  }

  /** Forget the value: the next read recomputes whatever the cost. */
  reset(): void {
    this.has = false;
    this.value = undefined;
    this.stale = true;
  }

  /** Milliseconds of the last computation. */
  get lastCostMs(): number {
    return this.costMs;
  }

  /** `retryInMs > 0`: the value is stale and may be recomputed after that long. */
  get(): { value: T; fresh: boolean; retryInMs: number } {
    if (this.has && this.stale) {
      const wait = this.finishedAt + this.costMs / this.dutyCycle - this.now();
      if (wait > 0) return { value: this.value as T, fresh: false, retryInMs: wait };
    }
    if (!this.has || this.stale) {
      const started = this.now();
      this.value = this.compute();
      this.finishedAt = this.now();
      this.costMs = this.finishedAt - started;
      this.has = true;
      this.stale = false;
    }
    return { value: this.value as T, fresh: true, retryInMs: 0 };
  }
}
