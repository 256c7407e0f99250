import type { BudgetStats, BudgetSignal } from '../../protocol/collectorTypes';
import type { HeapGarbageNotice } from './heapGarbage';

/** What the receivers tell of request bodies in flight (ingest's InFlightBytes; reported with the budget). */
export interface InFlightSource {
  stats(): { inFlightBytes: number; maxInFlightBytes: number; peakInFlightBytes: number; busyRequests: number };
}

/**
 * A store that keeps its data within the shared budget: spans (whole traces), log records, metric
 * series. Each tells what it holds and gives up its oldest unit when asked.
 */
export interface BudgetMember {
  readonly signal: BudgetSignal;
  /** Bytes held now, as counted on the stored form. */
  readonly bytes: number;
  /** Units held now (traces, records, series). */
  readonly units: number;
  /**
   * Of `bytes`, those held outside the JavaScript heap (large values in slabs): what an eviction
   * frees of the rest becomes garbage V8 has to find (heapGarbage.ts).
   */
  readonly offHeapBytes?: number;
  /**
   * When (on the budget's clock) the unit this member would give up next last changed: a finished
   * trace's last span, a log record's arrival, a series' latest point. Undefined when it has nothing
   * to give up before the last resort.
   */
  nextEvictionAge(): number | undefined;
  /**
   * Gives up its next unit; with `lastResort` also what it keeps longest (unfinished traces).
   * Returns the bytes freed (0: nothing to give up).
   */
  evictOne(lastResort: boolean): number;
}

interface Evicted {
  units: number;
  bytes: number;
}

/**
 * The one memory budget of the collector, shared by spans, log records and metric points
 * (`--max-memory`, `instrumentFirst.collector.maxMemoryMB`). Whatever a signal adds beyond it
 * evicts, across all signals, **the least recently updated unit first** — a finished trace (by
 * its last span), a log record (by its arrival) or a metric series (by its latest point) —
 * and unfinished traces only when nothing else is left. Evictions are counted per signal.
 */
export class MemoryBudget {
  readonly maxBytes: number;
  private readonly members: BudgetMember[] = [];
  private readonly evicted = new Map<BudgetSignal, Evicted>();
  /** Request bodies in flight (bounded on their own, reported here). */
  inFlight: InFlightSource | undefined;
  /** Told of the heap bytes each eviction lets go (the collector sets it; see heapGarbage.ts). */
  garbage: HeapGarbageNotice | undefined;

  constructor(
    maxBytes: number,
    /** The clock the members' ages are on (default `performance.now`). */
    readonly clock: () => number = () => performance.now(),
  ) {
    this.maxBytes = Math.max(1024, maxBytes);
  }

  /** Adds a store to the budget (once). */
  register(member: BudgetMember): void {
    if (!this.members.includes(member)) this.members.push(member);
  }

  get usedBytes(): number {
    let n = 0;
    for (const m of this.members) n += m.bytes;
    return n;
  }

  /** Of `usedBytes`, those held outside the JavaScript heap (large values in slabs). */
  get offHeapBytes(): number {
    let n = 0;
    for (const m of this.members) n += m.offHeapBytes ?? 0;
    return n;
  }

  get over(): boolean {
    return this.usedBytes > this.maxBytes;
  }

  /** Evicts, least recently updated first across signals, until the stores are within the budget. */
  enforce(): void {
    let used = this.usedBytes;
    while (used > this.maxBytes) {
      let pick: BudgetMember | undefined;
      let oldest = Infinity;
      for (const m of this.members) {
        const age = m.nextEvictionAge();
        if (age !== undefined && (pick === undefined || age < oldest)) {
          pick = m;
          oldest = age;
        }
      }
      let freed = pick ? this.evictFrom(pick, false) : 0;
      if (freed === 0) {
        // Nothing left but what is kept longest (unfinished traces).
        for (const m of this.members) if ((freed = this.evictFrom(m, true)) > 0) break;
      }
      if (freed === 0) return;
      used = this.usedBytes;
    }
  }

  private evictFrom(m: BudgetMember, lastResort: boolean): number {
    const heapBefore = m.bytes - (m.offHeapBytes ?? 0);
    const freed = m.evictOne(lastResort);
    if (freed > 0) {
      this.garbage?.evicted(heapBefore - (m.bytes - (m.offHeapBytes ?? 0)));
      const e = this.evicted.get(m.signal) ?? { units: 0, bytes: 0 };
      e.units++;
      e.bytes += freed;
      this.evicted.set(m.signal, e);
    }
    return freed;
  }

  /** Units a signal gave up to the budget so far. */
  evictedOf(signal: BudgetSignal): Evicted {
    return { ...(this.evicted.get(signal) ?? { units: 0, bytes: 0 }) };
  }

  stats(): BudgetStats {
    const bySignal = {} as BudgetStats['signals'];
    for (const signal of ['spans', 'logs', 'metrics'] as const) {
      const m = this.members.find((x) => x.signal === signal);
      const e = this.evicted.get(signal) ?? { units: 0, bytes: 0 };
      bySignal[signal] = { bytes: m?.bytes ?? 0, units: m?.units ?? 0, evictedUnits: e.units, evictedBytes: e.bytes };
    }
    const inFlight = this.inFlight?.stats();
    return {
      maxBytes: this.maxBytes,
      usedBytes: this.usedBytes,
      signals: bySignal,
      inFlightBytes: inFlight?.inFlightBytes ?? 0,
      maxInFlightBytes: inFlight?.maxInFlightBytes ?? 0,
      peakInFlightBytes: inFlight?.peakInFlightBytes ?? 0,
      busyRequests: inFlight?.busyRequests ?? 0,
    };
  }
}
