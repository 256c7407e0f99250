import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * Why: the store keeps up to its budget live, and everything it evicts becomes garbage. V8 lets the
 * old generation grow to about 2× what was live after the last full collection before it collects
 * again (measured with `--trace-gc` under bench:memory: 250 MiB live, full collections at 500–555
 * MiB, peak RSS 934 MiB for a 256 MiB budget). Setting V8's heap growing factor to
 * 1 + headroom/live makes it collect once about `HEADROOM` of garbage has piled up.
 *
 * What is live in the heap is not the budget: large values are held off the heap (largeText.ts),
 * so a budget full of 64 KiB response bodies leaves ~40 MiB in the heap, and a percent worked out
 * from the budget then ran a full collection every few MiB (115 in 55 s under bench:memory). So
 * the limit starts from the budget and then follows what V8 finds live after each full collection.
 *
 * The flag is process-wide (in the extension host it would apply to every extension's heap: the
 * extension does not set it) and is read at every full collection, so it takes effect at once; the
 * collector sets it back to V8's default when it stops.
 */
const MiB = 1024 * 1024;
/** Garbage allowed to pile up beyond what is live before a full collection. */
const HEADROOM = 48 * MiB;
/** What the process holds besides the store (code, tables, the extension host's own). */
const BASELINE = 32 * MiB;
const MIN_PERCENT = 10;
const MAX_PERCENT = 100;
/** A new percent is set only when it differs by this much (each set is a flag parse). */
const STEP = 5;

/** The growing percent for a heap with `liveBytes` live: headroom over it, within 10–100. */
export function percentForLive(liveBytes: number): number {
  return Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, Math.round((100 * HEADROOM) / Math.max(1, liveBytes))));
}

/** The growing percent for a budget (all of it live in the heap, plus the process's own): the starting point. */
export function heapGrowingPercent(budgetBytes: number): number {
  return percentForLive(budgetBytes + BASELINE);
}

/**
 * Limits V8's heap growth for a store of this budget, and from then on to HEADROOM over what is
 * live after each full collection. `dispose()` gives V8 back its own heuristics.
 */
export class HeapGrowthLimit {
  /** The percent set now. */
  percent: number;
  private readonly observer: PerformanceObserver;

  constructor(budgetBytes: number) {
    this.percent = heapGrowingPercent(budgetBytes);
    setFlagsFromString(`--heap-growing-percent=${this.percent}`);
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          this.follow(getHeapStatistics().used_heap_size);
          return;
        }
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Sets the percent for `liveBytes` live (after a full collection), when it moved by STEP or more. */
  follow(liveBytes: number): void {
    const p = percentForLive(liveBytes);
    if (Math.abs(p - this.percent) < STEP) return;
    this.percent = p;
    setFlagsFromString(`--heap-growing-percent=${p}`);
  }

  /** Back to V8's own heuristics (0: the flag unset). */
  dispose(): void {
    this.observer.disconnect();
    setFlagsFromString('--heap-growing-percent=0');
  }
}
