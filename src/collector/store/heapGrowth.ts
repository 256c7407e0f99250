import { setFlagsFromString } from 'node:v8';

/**
 * Why: the store keeps up to its budget live, and everything it evicts becomes garbage. V8 lets the
 * old generation grow to about 2× what was live after the last full collection before it collects
 * again (measured with `--trace-gc` under bench:memory: 250 MiB live, full collections at 500–555
 * MiB, peak RSS 934 MiB for a 256 MiB budget). Setting V8's heap growing factor to
 * 1 + headroom/live makes it collect once about `HEADROOM` of garbage has piled up.
 *
 * The flag is process-wide (in the extension host it applies to every extension's heap, which
 * then also stays closer to what is live) and is read at every full collection, so it takes effect
 * at once; the collector sets it back to V8's default when it stops.
 */
const MiB = 1024 * 1024;
/** Garbage allowed to pile up beyond what is live before a full collection. */
const HEADROOM = 48 * MiB;
/** What the process holds besides the store (code, tables, the extension host's own). */
const BASELINE = 32 * MiB;
const MIN_PERCENT = 10;
const MAX_PERCENT = 100;

/** The growing percent for a budget: headroom over what is live, within 10–100. */
export function heapGrowingPercent(budgetBytes: number): number {
  return Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, Math.round((100 * HEADROOM) / (budgetBytes + BASELINE))));
}

/** Sets V8's heap growing factor for a store of this budget; returns the percent set. */
export function limitHeapGrowth(budgetBytes: number): number {
  const percent = heapGrowingPercent(budgetBytes);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

/** Back to V8's own heuristics (0: the flag unset). */
export function restoreHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=0');
}
