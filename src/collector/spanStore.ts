import type {
  ImportResult,
  ProcedureStats,
  ProcedureStatsQuery,
  RunDiff,
  RunSummary,
  SpanQuery,
  SpanSearchResult,
  StoreChange,
  StoreStats,
  TraceTree,
} from '../protocol/collectorTypes';
import type { SpanView } from '../protocol/spanView';
import { ChangeCoalescer, type Disposable } from './changeCoalescer';
import { DecodeContext, type DecodedBatch } from './decodedBatch';
import { decodeOtlpJson } from './otlpJsonDecoder';
import { encodeOtlpJson } from './otlpJsonEncoder';
import { diffRuns } from './queries/runDiff';
import { procedureStats } from './queries/procedureStats';
import { searchSpans } from './queries/spanSearch';
import { buildTree } from './queries/traceTree';
import { toSpanView, type SpanRecord } from './spanRecord';
import { TraceEntry } from './traceEntry';

export interface SpanStoreOptions {
  /** Most spans kept (default 500,000); whole oldest traces are evicted beyond it. */
  maxSpans?: number;
  /** Most traces kept (default 2,000). */
  maxTraces?: number;
  /** How often change events may fire, in ms (default 75). */
  changeIntervalMs?: number;
}

/** Counters kept outside the store (receiver, forwarder, persistence) reported with its stats. */
export type ExtraCounters = Pick<
  StoreStats,
  'requests' | 'rejectedRequests' | 'forwardedBatches' | 'forwardFailures' | 'forwardDropped' | 'forwardQueued' | 'persistedRuns' | 'persistErrors'
>;

/**
 * Every trace received, as compact span records, within bounds. Traces are assembled as spans
 * arrive in any order; oldest traces (by first arrival) are evicted whole.
 */
export class SpanStore {
  readonly maxSpans: number;
  readonly maxTraces: number;
  /** Interned strings and shapes for decoders feeding this store. */
  readonly decodeContext = new DecodeContext();
  readonly counters: ExtraCounters = {
    requests: 0,
    rejectedRequests: 0,
    forwardedBatches: 0,
    forwardFailures: 0,
    forwardDropped: 0,
    forwardQueued: 0,
    persistedRuns: 0,
    persistErrors: 0,
  };
  private readonly traces = new Map<string, TraceEntry>();
  private readonly changes: ChangeCoalescer;
  private spanCount = 0;
  private acceptedSpans = 0;
  private rejectedSpans = 0;
  private evictedTraces = 0;
  private evictedSpans = 0;
  private runsCache: RunSummary[] | undefined;
  private version = 0;

  constructor(options: SpanStoreOptions = {}) {
    this.maxSpans = Math.max(1, options.maxSpans ?? 500_000);
    this.maxTraces = Math.max(1, options.maxTraces ?? 2_000);
    this.changes = new ChangeCoalescer(options.changeIntervalMs ?? 75);
  }

  /** Fires, coalesced, with the traces that changed since the last event. */
  onDidChange(listener: (e: StoreChange) => void): Disposable {
    return this.changes.on(listener);
  }

  /** Delivers pending change events now. */
  flushChanges(): void {
    this.changes.flush();
  }

  /** Stores decoded spans (all of them: the batch was validated as a whole). */
  ingest(batch: DecodedBatch): ImportResult {
    const spans = batch.spans;
    this.rejectedSpans += batch.rejected;
    const touched: string[] = [];
    let entry: TraceEntry | undefined;
    for (let i = 0; i < spans.length; i++) {
      const rec = spans[i]!;
      if (!entry || entry.traceId !== rec.traceId) {
        entry = this.traces.get(rec.traceId);
        if (!entry) {
          entry = new TraceEntry(rec.traceId);
          this.traces.set(rec.traceId, entry);
          this.changes.mark(rec.traceId, true);
        }
        if (touched[touched.length - 1] !== entry.traceId) touched.push(entry.traceId);
      }
      rec.traceId = entry.traceId;
      const hadRoot = entry.complete;
      const wasRun = entry.isRun;
      this.spanCount += entry.add(rec);
      if ((!hadRoot && entry.complete) || wasRun !== entry.isRun) this.changes.mark(entry.traceId, true);
    }
    this.acceptedSpans += spans.length;
    const traceIds = [...new Set(touched)];
    for (const id of traceIds) this.changes.mark(id, false);
    if (spans.length > 0) this.touch();
    this.evict();
    return { traceIds, acceptedSpans: spans.length, rejectedSpans: batch.rejected };
  }

  private touch(): void {
    this.version++;
    this.runsCache = undefined;
  }

  private evict(): void {
    while (this.spanCount > this.maxSpans || this.traces.size > this.maxTraces) {
      const oldest = this.traces.values().next().value;
      if (!oldest) break;
      this.evictedTraces++;
      this.evictedSpans += oldest.spans.size;
      this.remove(oldest);
    }
  }

  private remove(entry: TraceEntry): void {
    this.traces.delete(entry.traceId);
    this.spanCount -= entry.spans.size;
    this.changes.mark(entry.traceId, true);
    this.touch();
  }

  /** Parses and stores OTLP JSON (a file of this tool or any other); throws DecodeError when malformed. */
  importOtlpJson(text: string, _source?: string): ImportResult {
    return this.ingest(decodeOtlpJson(text, this.decodeContext));
  }

  /** One run (trace) as OTLP JSON, grouped by resource and scope. */
  exportOtlpJson(traceId: string): string {
    const entry = this.traces.get(traceId.toLowerCase());
    return encodeOtlpJson(entry ? [...entry.spans.values()] : []);
  }

  deleteTrace(traceId: string): boolean {
    const entry = this.traces.get(traceId.toLowerCase());
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  clear(): void {
    for (const id of this.traces.keys()) this.changes.mark(id, true);
    this.traces.clear();
    this.spanCount = 0;
    this.decodeContext.clear();
    this.touch();
  }

  /** Every trace, newest first (plan runs and other traces). */
  runs(): RunSummary[] {
    if (!this.runsCache) {
      const list: RunSummary[] = [];
      for (const e of this.traces.values()) list.push(e.summary());
      list.sort((a, b) => b.startMs - a.startMs);
      this.runsCache = list;
    }
    return this.runsCache.slice();
  }

  run(traceId: string): RunSummary | undefined {
    return this.traces.get(traceId.toLowerCase())?.summary();
  }

  /** The spans of a trace, in arrival order. */
  trace(traceId: string): SpanView[] {
    const entry = this.traces.get(traceId.toLowerCase());
    return entry ? [...entry.spans.values()].map(toSpanView) : [];
  }

  /** Internal: the records of a trace, for queries. */
  records(traceId: string): SpanRecord[] {
    const entry = this.traces.get(traceId.toLowerCase());
    return entry ? [...entry.spans.values()] : [];
  }

  entry(traceId: string): TraceEntry | undefined {
    return this.traces.get(traceId.toLowerCase());
  }

  entries(): IterableIterator<TraceEntry> {
    return this.traces.values();
  }

  tree(traceId: string): TraceTree | undefined {
    const entry = this.entry(traceId);
    return entry ? buildTree(entry) : undefined;
  }

  procedureStats(query: ProcedureStatsQuery = {}): ProcedureStats[] {
    return procedureStats(this, query);
  }

  search(query: SpanQuery): SpanSearchResult {
    return searchSpans(this, query);
  }

  diff(a: string, b: string): RunDiff | undefined {
    const ea = this.entry(a);
    const eb = this.entry(b);
    return ea && eb ? diffRuns(ea, eb) : undefined;
  }

  /** Bumped on every change of the content. */
  get contentVersion(): number {
    return this.version;
  }

  stats(): StoreStats {
    let runs = 0;
    for (const e of this.traces.values()) if (e.isRun) runs++;
    return {
      spans: this.spanCount,
      traces: this.traces.size,
      runs,
      maxSpans: this.maxSpans,
      maxTraces: this.maxTraces,
      acceptedSpans: this.acceptedSpans,
      rejectedSpans: this.rejectedSpans,
      evictedTraces: this.evictedTraces,
      evictedSpans: this.evictedSpans,
      ...this.counters,
    };
  }

  /** Counts spans rejected before decoding finished (e.g. a whole malformed body is not counted). */
  countRejected(n: number): void {
    this.rejectedSpans += n;
  }

  dispose(): void {
    this.changes.dispose();
  }
}
