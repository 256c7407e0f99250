import { MemoryBudget } from '../store/memoryBudget';
import { logRecordBytes, toLogView, type LogRecord, type LogView } from './logRecord';
import { LogTables } from './otlpLogsDecoder';

export interface LogStoreOptions {
  /** Without a shared budget: estimated heap bytes kept at most (default 64 MiB); the oldest records go first. */
  maxBytes?: number;
  /** The budget shared with spans and metric points (the Collector's): records count against it. */
  budget?: MemoryBudget;
}

export interface LogStoreStats {
  records: number;
  bytes: number;
  maxBytes: number;
  acceptedRecords: number;
  rejectedRecords: number;
  evictedRecords: number;
}

/**
 * Log records received, oldest evicted first within a byte budget, found by trace id (joined to
 * spans by trace and span id) or, without trace context, by service.
 */
export class LogStore {
  readonly maxBytes: number;
  /** Severities and origins shared by the records decoded into this store. */
  readonly tables = new LogTables();
  private ring: (LogRecord | undefined)[] = [];
  /** When each record of the ring arrived, on the budget's clock (its age for eviction). */
  private arrivals: number[] = [];
  private head = 0;
  private bytes = 0;
  /** Keyed by the trace id's 16 bytes as latin1 (the start of `ids`): no hex string per record. */
  private readonly byTrace = new Map<string, LogRecord[]>();
  private accepted = 0;
  private rejected = 0;
  private evicted = 0;
  private readonly addListeners = new Set<(traceIds: ReadonlySet<string>) => void>();

  readonly budget: MemoryBudget;

  constructor(options: LogStoreOptions = {}) {
    this.budget = options.budget ?? new MemoryBudget(Math.max(1024, options.maxBytes ?? 64 * 1024 * 1024));
    this.maxBytes = this.budget.maxBytes;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    this.budget.register({
      signal: 'logs',
      get bytes() {
        return store.bytes;
      },
      get units() {
        return store.ring.length - store.head;
      },
      nextEvictionAge: () => (this.head < this.ring.length ? this.arrivals[this.head] : undefined),
      evictOne: () => this.evictOldest(),
    });
  }

  /** Stores records (already validated); counts rejected ones of the same request. */
  add(records: readonly LogRecord[], rejected = 0): void {
    this.rejected += rejected;
    const now = this.budget.clock();
    for (const r of records) {
      const size = logRecordBytes(r);
      this.ring.push(r);
      this.arrivals.push(now);
      this.bytes += size;
      if (r.ids) {
        const key = traceKey(r);
        let list = this.byTrace.get(key);
        if (!list) this.byTrace.set(key, (list = []));
        list.push(r);
      }
    }
    this.accepted += records.length;
    this.budget.enforce();
    if (this.addListeners.size && records.length) {
      // Unique packed ids first: converting each record's id to hex would double the cost of storing.
      const packed = new Set<string>();
      for (const r of records) packed.add(r.ids.slice(0, 16));
      const ids = new Set([...packed].map((p) => (p ? Buffer.from(p, 'latin1').toString('hex') : '')));
      for (const f of this.addListeners) f(ids);
    }
  }

  /** Called after records were stored, with their trace ids ('' for records without trace context). */
  onDidAdd(listener: (traceIds: ReadonlySet<string>) => void): { dispose(): void } {
    this.addListeners.add(listener);
    return { dispose: () => this.addListeners.delete(listener) };
  }

  /** Gives up the oldest record (the budget asks); returns its bytes, 0 when none is left. */
  private evictOldest(): number {
    if (this.head >= this.ring.length) return 0;
    const r = this.ring[this.head]!;
    const size = logRecordBytes(r);
    this.bytes -= size;
    this.ring[this.head] = undefined;
    this.head++;
    this.evicted++;
    if (r.ids) {
      const key = traceKey(r);
      const list = this.byTrace.get(key);
      if (list) {
        // The oldest record of its trace is nearly always first in the list.
        const i = list[0] === r ? 0 : list.indexOf(r);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byTrace.delete(key);
      }
    }
    // Compact now and then so the ring does not grow with what was evicted.
    if (this.head > 4096 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head);
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
    return size;
  }

  /**
   * Records accepted so far: a position in the stream of records that old ones leaving does not
   * move (persistence writes what came after the position it wrote last).
   */
  get position(): number {
    return this.accepted;
  }

  /** The records still held that were accepted after `position`, oldest first. */
  recordsAfter(position: number): LogRecord[] {
    const held = this.ring.length - this.head;
    const skip = Math.max(0, held - Math.max(0, this.accepted - position));
    return this.ring.slice(this.head + skip) as LogRecord[];
  }

  /** The logs of a trace in time order (a span's are those with its span id). */
  forTrace(traceId: string): LogView[] {
    const list = (/^[0-9a-fA-F]{32}$/.test(traceId) && this.byTrace.get(Buffer.from(traceId, 'hex').toString('latin1'))) || [];
    return [...list].sort((a, b) => a.timeMs - b.timeMs).map(toLogView);
  }

  /** Logs without trace context, newest last, optionally of one service (at most `limit`). */
  withoutTrace(service?: string, limit = 1000): LogView[] {
    const out: LogView[] = [];
    for (let i = this.ring.length - 1; i >= this.head && out.length < limit; i--) {
      const r = this.ring[i]!;
      if (!r.ids && (!service || r.origin.serviceName === service)) out.push(toLogView(r));
    }
    return out.reverse();
  }

  /** How many records without trace context each service sent (nothing decoded: cheap for a tree view). */
  servicesWithoutTrace(): Map<string, number> {
    const counts = new Map<string, number>();
    for (let i = this.head; i < this.ring.length; i++) {
      const r = this.ring[i]!;
      if (r.ids === '') counts.set(r.origin.serviceName, (counts.get(r.origin.serviceName) ?? 0) + 1);
    }
    return counts;
  }

  stats(): LogStoreStats {
    return { records: this.ring.length - this.head, bytes: this.bytes, maxBytes: this.maxBytes, acceptedRecords: this.accepted, rejectedRecords: this.rejected, evictedRecords: this.evicted };
  }

  clear(): void {
    this.ring = [];
    this.arrivals = [];
    this.head = 0;
    this.bytes = 0;
    this.byTrace.clear();
  }
}

function traceKey(r: LogRecord): string {
  return r.ids.length === 16 ? r.ids : r.ids.slice(0, 16);
}
