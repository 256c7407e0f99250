import { logRecordBytes, toLogView, type LogRecord, type LogView } from './logRecord';
import { LogTables } from './otlpLogsDecoder';

export interface LogStoreOptions {
  /** Estimated heap bytes kept at most (default 64 MiB); the oldest records go first. */
  maxBytes?: number;
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
  private head = 0;
  private bytes = 0;
  /** Keyed by the trace id's 16 bytes as latin1 (the start of `ids`): no hex string per record. */
  private readonly byTrace = new Map<string, LogRecord[]>();
  private accepted = 0;
  private rejected = 0;
  private evicted = 0;

  constructor(options: LogStoreOptions = {}) {
    this.maxBytes = Math.max(1024, options.maxBytes ?? 64 * 1024 * 1024);
  }

  /** Stores records (already validated); counts rejected ones of the same request. */
  add(records: readonly LogRecord[], rejected = 0): void {
    this.rejected += rejected;
    for (const r of records) {
      const size = logRecordBytes(r);
      this.ring.push(r);
      this.bytes += size;
      if (r.ids) {
        const key = traceKey(r);
        let list = this.byTrace.get(key);
        if (!list) this.byTrace.set(key, (list = []));
        list.push(r);
      }
    }
    this.accepted += records.length;
    this.evict();
  }

  private evict(): void {
    while (this.bytes > this.maxBytes && this.head < this.ring.length) {
      const r = this.ring[this.head]!;
      this.bytes -= logRecordBytes(r);
      this.ring[this.head] = undefined;
      this.head++;
      this.evicted++;
      if (r.ids) {
        const key = traceKey(r);
        const list = this.byTrace.get(key);
        if (list) {
          const i = list.indexOf(r);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) this.byTrace.delete(key);
        }
      }
    }
    // Compact now and then so the ring does not grow with what was evicted.
    if (this.head > 4096 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head);
      this.head = 0;
    }
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

  stats(): LogStoreStats {
    return { records: this.ring.length - this.head, bytes: this.bytes, maxBytes: this.maxBytes, acceptedRecords: this.accepted, rejectedRecords: this.rejected, evictedRecords: this.evicted };
  }

  clear(): void {
    this.ring = [];
    this.head = 0;
    this.bytes = 0;
    this.byTrace.clear();
  }
}

function traceKey(r: LogRecord): string {
  return r.ids.length === 16 ? r.ids : r.ids.slice(0, 16);
}
