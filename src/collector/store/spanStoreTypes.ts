import type { ImportResult, StoreStats } from '../../protocol/collectorTypes';
import type { MemoryBudget } from './memoryBudget';

export interface SpanStoreOptions {
  /**
   * Memory budget in bytes for everything the store keeps, measured on the stored spans (see
   * storedBytes.ts). Default 256 MiB. Whole traces are evicted beyond it: finished ones, least
   * recently finished first, then unfinished ones, oldest first.
   */
  maxBytes?: number;
  /** Most bytes one trace may take (default: half the budget); its newer spans are refused beyond it. */
  maxTraceBytes?: number;
  /** Most spans kept (default 500,000); a secondary limit beside the budget. One trace may take half. */
  maxSpans?: number;
  /** Most traces kept (default 2,000). */
  maxTraces?: number;
  /**
   * A trace whose root has not arrived counts as finished once no span arrived for this long, in
   * ms (default 5,000; plan runs of our runtime, whose root always comes last, wait 12 times as
   * long). 0: never.
   */
  idleMs?: number;
  /** How often change events may fire, in ms (default 75). */
  changeIntervalMs?: number;
  /** Told once per kind, the first time spans are evicted, refused or truncated (a console line). */
  onFirstLoss?: (message: string) => void;
  /** The clock of idle completion (default `performance.now`); tests pass their own. */
  clock?: () => number;
  /**
   * The memory budget shared with log records and metric points (the Collector's); its size is
   * then this store's `maxBytes`. Default: a budget of `maxBytes` of its own.
   */
  budget?: MemoryBudget;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_IDLE_MS = 5_000;
/** Counters kept outside the store (receiver, forwarder, persistence) reported with its stats. */
export type ExtraCounters = Pick<
  StoreStats,
  'requests' | 'rejectedRequests' | 'forwardedBatches' | 'forwardFailures' | 'forwardDropped' | 'forwardQueued' | 'persistedRuns' | 'persistErrors'
>;

/** The counters kept outside the store, all zero. */
export function noCounts(): ExtraCounters {
  return { requests: 0, rejectedRequests: 0, forwardedBatches: 0, forwardFailures: 0, forwardDropped: 0, forwardQueued: 0, persistedRuns: 0, persistErrors: 0 };
}

/** What a store did with a batch (an ImportResult with the reason spans were refused). */
export interface IngestResult extends ImportResult {
  /** Why the first refused span was refused ('' when none was). */
  refusedReason: string;
}
