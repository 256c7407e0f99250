import type { StoreStats } from '../../protocol/collectorTypes';

/** What the store counts of spans it was sent: kept, rejected, refused, cut or evicted. */
export type LossCounts = Pick<
  StoreStats,
  'acceptedSpans' | 'rejectedSpans' | 'refusedSpans' | 'truncatedSpans' | 'evictedTraces' | 'evictedSpans' | 'evictedBytes' | 'evictedUnfinished'
>;

/**
 * The store's counts of what it did not keep as sent, and the one console line per kind of loss
 * the first time it happens (told, not silent: the counts go to /api/stats, the status bar and the
 * Runs view).
 */
export class LossLedger {
  readonly counts: LossCounts = {
    acceptedSpans: 0,
    rejectedSpans: 0,
    refusedSpans: 0,
    truncatedSpans: 0,
    evictedTraces: 0,
    evictedSpans: 0,
    evictedBytes: 0,
    evictedUnfinished: 0,
  };
  private readonly told = new Set<string>();

  constructor(private readonly onFirstLoss?: (message: string) => void) {}

  accepted(n: number): void {
    this.counts.acceptedSpans += n;
  }

  /** Spans the decoders rejected (malformed), before the store saw them. */
  rejected(n: number): void {
    this.counts.rejectedSpans += n;
  }

  refused(n: number, reason: string): void {
    if (n <= 0) return;
    this.counts.refusedSpans += n;
    this.tellOnce('refused', `${n} span(s) refused: ${reason}`);
  }

  truncated(n: number): void {
    if (n <= 0) return;
    this.counts.truncatedSpans += n;
    this.tellOnce('truncated', `${n} span(s) stored with values cut to the per-value or per-span caps (each cut value keeps a marker with its original length)`);
  }

  /** A whole trace evicted; `limits` says which bounds it was evicted for (the first time only). */
  evicted(traceId: string, spans: number, bytes: number, finished: boolean, limits: () => string): void {
    const c = this.counts;
    c.evictedTraces++;
    c.evictedSpans += spans;
    c.evictedBytes += bytes;
    if (!finished) c.evictedUnfinished++;
    if (!this.told.has('evicted')) {
      this.tellOnce('evicted', `trace ${traceId} (${spans} spans, ${bytes} bytes) evicted to stay within ${limits()}; later evictions are counted in /api/stats`);
    }
  }

  private tellOnce(kind: string, message: string): void {
    if (this.told.has(kind)) return;
    this.told.add(kind);
    this.onFirstLoss?.(message);
  }
}
