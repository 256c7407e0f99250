import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * Tells V8 about garbage it cannot see: the heap objects of spans (log records, metric series) the
 * budget evicted.
 *
 * Why: V8 starts a full collection when the old generation has grown by a factor (up to 4×) of what
 * was live after the last one, and it cannot know that the store just let go of tens of MiB. Under
 * bench:memory (extension's settings, `--trace-gc`), small spans stored and evicted within seconds
 * while 64 KiB-attribute spans arrived grew the old space from 77 to 294 MiB of mostly garbage
 * before V8's next full collection: the process's peak RSS, ~100 MiB over what the store held.
 * The standalone collector limits V8's heap growth instead (heapGrowth.ts), a process-wide flag the
 * extension must not set: the extension host's heap is every extension's.
 *
 * How: once the heap bytes evicted since V8's last full collection pass a quarter of what V8 found
 * live then (16 MiB to a quarter of the budget: `garbageThresholdForLive`), one ArrayBuffer of
 * NUDGE_BYTES is allocated and dropped. V8 counts an ArrayBuffer's size as external memory when it
 * is made; past its external limit (64 MiB over what it counted at the last full collection) it
 * starts *incremental* marking, as it would on its own later, so the pauses are the usual marking
 * steps. The buffer is never written (calloc'd pages are not resident) and goes with the next
 * young-generation collection. Measured in isolation (Node 20): 64 MiB and more started
 * incremental marking, 32 MiB did not; the call took 3–21 ms.
 *
 * How often: not while the collection a nudge began is still under way (a nudge then only advances
 * the marking, and costs its call), and at most every MIN_INTERVAL_MS; a nudge counts as under way
 * until V8 reports a full collection, or for at most BUSY_MS. Until 2026-12-07 the rule was a flat
 * 500 ms: while 64 KiB-attribute spans evicted small ones (bench:memory, ~100 MiB of small spans a
 * second), every full collection of that phase was a nudge's, and V8 had mostly finished the last
 * one well before the next was allowed (allowed sooner, they nearly doubled); the evicted spans'
 * heap objects, and the column buffers and value slabs freed only when V8 collects the chunks that
 * hold them, piled up beside the budget. 13 alternated pairs: peak RSS median 403 → 384 MiB,
 * 17–28 → 33–53 full collections in that phase (docs/performance.md, `rss-small2`): more marking
 * while a sender evicts at that rate, none more when nothing is evicted.
 *
 * Nothing process-wide is changed: no flag, no forced (atomic) collection; it only brings forward a
 * collection V8 would run anyway, and only after the collector made that much garbage itself.
 */
const MiB = 1024 * 1024;
/** What is allocated to pass V8's external limit (64 MiB over its count at the last full collection). */
export const NUDGE_BYTES = 128 * MiB;
/** At most one nudge in this long, even when V8 finishes its collections sooner. */
export const MIN_INTERVAL_MS = 200;
/**
 * A nudge counts as under way (no other is made) until V8 reports a full collection, or this long
 * at most (the rate before 2026-12-07): marking a large live heap takes a while, and a nudge during
 * it only advances it.
 */
export const BUSY_MS = 500;
/** Garbage allowed before a nudge, as a share of what V8 found live at its last full collection. */
const SHARE_OF_LIVE = 0.25;
const MIN_THRESHOLD = 16 * MiB;

/** Most garbage allowed before a nudge, for a budget: a quarter of it, 16–64 MiB. */
export function garbageThresholdFor(budgetBytes: number): number {
  return Math.min(64 * MiB, Math.max(MIN_THRESHOLD, Math.floor(budgetBytes / 4)));
}

/**
 * Garbage allowed before a nudge when `liveBytes` were live after V8's last full collection: a
 * quarter of that (as if V8 let the heap grow by 25 % before collecting: the standalone collector's
 * limit is of the same order, heapGrowth.ts), between 16 MiB and `maxBytes`. Proportional, so the
 * marking a nudge brings on (its cost follows what is live: every extension's heap, in the
 * extension host) stays in proportion to the garbage it frees.
 */
export function garbageThresholdForLive(liveBytes: number, maxBytes: number): number {
  return Math.min(maxBytes, Math.max(MIN_THRESHOLD, Math.floor(liveBytes * SHARE_OF_LIVE)));
}

function allocateAndDrop(): void {
  // Made and dropped: its size is all V8 needs to see.
  void new ArrayBuffer(NUDGE_BYTES);
}

export interface HeapGarbageOptions {
  /** Most garbage allowed before a nudge (garbageThresholdFor the budget); less once V8 tells what is live. */
  thresholdBytes: number;
  /** What tells V8 (tests replace it). */
  nudge?: () => void;
  clock?: () => number;
  /** Watch V8's full collections (each one resets the count); tests turn it off. */
  observeGc?: boolean;
}

export class HeapGarbageNotice {
  /** Heap bytes evicted since V8's last full collection (or the last nudge). */
  private garbage = 0;
  private lastNudge = -Infinity;
  /** A nudge was made and V8 has not reported a full collection since. */
  private underWay = false;
  /** Nudges so far. */
  nudges = 0;
  /** Garbage allowed before the next nudge. */
  thresholdBytes: number;
  readonly maxThresholdBytes: number;
  private readonly nudge: () => void;
  private readonly clock: () => number;
  private readonly observer: PerformanceObserver | undefined;

  constructor(options: HeapGarbageOptions) {
    this.thresholdBytes = this.maxThresholdBytes = options.thresholdBytes;
    this.nudge = options.nudge ?? allocateAndDrop;
    this.clock = options.clock ?? (() => performance.now());
    if (options.observeGc !== false) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
            this.collected(getHeapStatistics().used_heap_size);
            return;
          }
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    }
  }

  /** Garbage counted since the last full collection. */
  get pending(): number {
    return this.garbage;
  }

  /** V8 ran a full collection, after which `liveBytes` were live: what was evicted before it is gone. */
  collected(liveBytes?: number): void {
    this.garbage = 0;
    this.underWay = false;
    if (liveBytes !== undefined) this.thresholdBytes = garbageThresholdForLive(liveBytes, this.maxThresholdBytes);
  }

  /** `heapBytes` of stored data (on the JavaScript heap) were let go. */
  evicted(heapBytes: number): void {
    if (!(heapBytes > 0)) return;
    this.garbage += heapBytes;
    if (this.garbage < this.thresholdBytes) return;
    const now = this.clock();
    const since = now - this.lastNudge;
    if (since < MIN_INTERVAL_MS || (this.underWay && since < BUSY_MS)) return;
    this.lastNudge = now;
    this.underWay = true;
    this.garbage = 0;
    this.nudges++;
    this.nudge();
  }

  dispose(): void {
    this.observer?.disconnect();
  }
}
