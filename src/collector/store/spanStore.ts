import type {
  AttributeMatches,
  BatchCursor,
  ProcedureStats,
  ProcedureStatsQuery,
  RunDiff,
  RunSummary,
  SpanQuery,
  SpanSearchResult,
  StoreChange,
  StoreStats,
  TraceBatch,
  TraceTree,
} from '../../protocol/collectorTypes';
import type { SpanBatch } from '../../protocol/spanBatch';
import type { SpanView } from '../../protocol/spanView';
import type { AttrToken } from '../../protocol/timelineMessages';
import { ChangeCoalescer, type Disposable } from './changeCoalescer';
import { DecodeContext, spanCountOf, type DecodedBatch, type RowBatch } from './decodedBatch';
import { sameTrace, type ChunkSink, type SpanChunk } from './spanChunk';
import { encodeOtlpJson } from './otlpJsonEncoder';
import { diffSummaries } from '../../summary/summaryDiff';
import { procedureStatsFromSummaries } from '../../summary/procedureStats';
import { summarizeRun, type PlanRunSummary } from '../../summary/runSummary';
import { recordSource } from './queries/recordSource';
import { searchSpans } from './queries/spanSearch';
import { matchTraceSpans, oneSpanBatch, spanChainOf, traceBatchSince } from './queries/timelineReads';
import { buildTree } from './queries/traceTree';
import { toSpanView, type SpanOrigin, type SpanRecord } from './spanRecord';
import { snapshotRecords } from './chunkSpan';
import { ChunkTable } from './chunkTable';
import { releaseRowLarge, storeRowLarge } from './rowSlabs';
import { LossLedger } from './lossLedger';
import { DEFAULT_IDLE_MS, DEFAULT_MAX_BYTES, noCounts, type ExtraCounters, type IngestResult, type SpanStoreOptions } from './spanStoreTypes';
import { MemoryBudget, type BudgetMember } from './memoryBudget';
import { originBytes, rowBytes, TRACE_OVERHEAD, type SeenKeyArrays } from './storedBytes';
import { slabBytesFor, TextSlabs } from './textSlabs';
import { TraceEntry } from './traceEntry';
import { SeedSource } from './spanIdWords';
import { TraceLifecycle } from './traceLifecycle';
import { LastBatch } from './recordBatch';

/** Ids of evicted traces remembered, so that their late spans do not come back as a new trace. */
const EVICTED_IDS_KEPT = 10_000;

/**
 * Every trace received, as compact span records, within a budget in bytes. Traces are assembled
 * as spans arrive in any order. Beyond the budget whole traces are evicted: finished ones first,
 * least recently finished first; unfinished ones last, oldest first. A trace never evicts itself:
 * one that would outgrow its share of the budget has its newer spans refused instead.
 */
export class SpanStore {
  readonly maxBytes: number;
  readonly maxTraceBytes: number;
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly idleMs: number;
  /** Interned strings and shapes for decoders feeding this store. */
  readonly decodeContext = new DecodeContext();
  readonly counters: ExtraCounters = noCounts();
  /** Every trace, in order of first arrival. */
  private readonly traces = new Map<string, TraceEntry>();
  /** The same, by serial (what chunk rows name their owner by). */
  private readonly bySerial = new Map<number, TraceEntry>();
  private serials = 0;
  /** The trace entries' hash seeds. */
  private readonly seeds = new SeedSource();
  /** Where the spans are (span chunks: see spanChunk.ts). */
  private readonly table: ChunkTable;
  /** Running or finished, and the order of eviction. */
  private readonly lifecycle: TraceLifecycle;
  private readonly evictedIds = new Set<string>();
  private readonly changes: ChangeCoalescer;
  private readonly clock: () => number;
  private readonly maxTraceSpans: number;
  /** Key arrays and origins already counted (shared between spans; see storedBytes.ts). */
  private seenKeys: SeenKeyArrays = new WeakSet();
  private bytes = 0;
  /** Where large values' bytes are kept; its dead bytes count against the budget beside the traces. */
  private readonly slabs: TextSlabs;
  /**
   * Hands out trace entries' generations, from a random start: a cursor a reader kept from another
   * store (the collector restarted, the same trace loaded again) then never matches by chance, and
   * the reader is sent everything rather than a delta from the wrong point.
   */
  private generations = Math.floor(Math.random() * 2 ** 40);
  private spanCount = 0;
  private readonly losses: LossLedger;
  private runsCache: RunSummary[] | undefined;
  private version = 0;
  /** The budget this store's bytes count against (shared with logs and metrics in a Collector). */
  readonly budget: MemoryBudget;
  /** The trace a batch is adding to: never a candidate for eviction while it is stored. */
  private keep: TraceEntry | undefined;
  private completedFlushAt = -Infinity;
  /** The last full timeline batch made (see batchSince), in the budget's free room. */
  private readonly lastBatch = new LastBatch();

  constructor(private readonly options: SpanStoreOptions = {}) {
    this.budget = options.budget ?? new MemoryBudget(Math.max(64 * 1024, options.maxBytes ?? DEFAULT_MAX_BYTES), options.clock);
    this.maxBytes = this.budget.maxBytes;
    this.slabs = new TextSlabs(slabBytesFor(this.maxBytes));
    this.table = new ChunkTable((owner, pos, ref) => this.bySerial.get(owner)?.relocate(pos, ref), this.maxBytes);
    this.maxTraceBytes = Math.max(1, Math.min(this.maxBytes, options.maxTraceBytes ?? Math.floor(this.maxBytes / 2)));
    this.maxSpans = Math.max(1, options.maxSpans ?? 500_000);
    this.maxTraceSpans = Math.max(1, Math.floor(this.maxSpans / 2));
    this.maxTraces = Math.max(1, options.maxTraces ?? 2_000);
    this.idleMs = Math.max(0, options.idleMs ?? DEFAULT_IDLE_MS);
    this.clock = options.clock ?? (() => performance.now());
    this.changes = new ChangeCoalescer(options.changeIntervalMs ?? 75);
    this.losses = new LossLedger(options.onFirstLoss);
    this.lifecycle = new TraceLifecycle({
      idleMs: this.idleMs,
      clock: this.clock,
      onFinished: (ids) => {
        for (const id of ids) this.changes.mark(id, true);
        this.touch();
      },
    });
    this.budget.register(this.member());
  }

  /** This store as a member of the shared budget: it gives up whole traces, finished ones first. */
  private member(): BudgetMember {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return {
      signal: 'spans',
      get bytes() {
        return store.heldBytes;
      },
      get units() {
        return store.traces.size;
      },
      get offHeapBytes() {
        return store.slabs.heldBytes;
      },
      nextEvictionAge: () => this.lifecycle.nextFinishedActivity(this.keep),
      evictOne: (lastResort) => {
        const victim = this.lifecycle.victim(this.keep, lastResort);
        if (!victim) return 0;
        // What the store holds less: the trace's bytes, less the room its rows leave dead in chunks
        // until they are compacted (always less than a row's count, so this is never 0).
        const before = this.heldBytes;
        this.evict(victim);
        return Math.max(1, before - this.heldBytes);
      },
    };
  }

  /** Fires, coalesced, with the traces that changed since the last event. */
  onDidChange(listener: (e: StoreChange) => void): Disposable {
    return this.changes.on(listener);
  }

  /** Delivers pending change events now. */
  flushChanges(): void {
    this.changes.flush();
  }

  /**
   * Stores decoded spans, within the bounds: a span that would take its trace beyond its share of
   * the budget is refused (counted, with the reason in the result), as is a late span of a trace
   * that was evicted. Re-sent span ids replace the earlier span (last write wins).
   */
  ingest(batch: DecodedBatch | RowBatch): IngestResult {
    const count = spanCountOf(batch);
    this.losses.rejected(batch.rejected);
    const now = this.clock();
    // What the other signals hold: it does not grow while this batch is stored (only evictions
    // shrink it), so the per-span check need not ask the budget.
    let others = this.budget.usedBytes - this.heldBytes;
    const before = new Map<TraceEntry, { hadRoot: boolean; wasRun: boolean }>();
    let refused = 0;
    let truncated = 0;
    let refusedReason = '';
    const refuse = (why: string): void => {
      if (refused++ === 0) refusedReason = why;
    };
    let entry: TraceEntry | undefined;
    let lastId = '';
    let last: SpanChunk | undefined;
    let lastRow = 0;
    let origin: SpanOrigin | undefined;
    // Set when an eviction may have removed the current trace: only then is it looked up again
    // for a span of the same trace (a Map lookup per span was measurable at full ingest).
    let evicted = false;
    const table = this.table;
    // Each span is appended as a row of the open chunk first, then admitted to its trace — or
    // refused, and its row discarded.
    const admit = (chunk: SpanChunk, row: number, traceRun: number | undefined): void => {
      if (last === undefined || !sameTrace(chunk, row, last, lastRow) || (evicted && entry && this.traces.get(lastId) !== entry)) {
        lastId = chunk.traceId(row);
        origin = undefined;
        entry = this.traces.get(lastId);
        if (!entry && !this.evictedIds.has(lastId)) {
          entry = new TraceEntry(lastId, table, ++this.serials, this.seeds.next(), traceRun);
          this.bySerial.set(entry.serial, entry);
          entry.generation = ++this.generations;
          entry.bytes = TRACE_OVERHEAD;
          this.bytes += TRACE_OVERHEAD;
          this.traces.set(lastId, entry);
          this.lifecycle.admit(entry);
          this.changes.mark(lastId, true);
        }
        if (entry && !before.has(entry)) before.set(entry, { hadRoot: entry.complete, wasRun: entry.isRun });
      }
      last = chunk;
      lastRow = row;
      evicted = false;
      const ref = table.refOfOpen(row);
      if (!entry) {
        refuse(`trace ${lastId} was evicted earlier: its late spans are not kept`);
        table.discard(ref);
        return;
      }
      // Counted in the form it is kept in: large strings off the heap, in slabs.
      const large = storeRowLarge(this.slabs, chunk, row);
      let size = rowBytes(chunk, row, this.seenKeys);
      const o = chunk.spanOrigin(row);
      if (o !== origin) {
        origin = o;
        size += originBytes(o, this.seenKeys);
      }
      const oldPos = entry.findRow(ref);
      const oldRef = oldPos < 0 ? -1 : entry.ref(oldPos);
      const delta = size - (oldRef >= 0 ? rowBytes(table.chunkOf(oldRef), table.rowOf(oldRef), this.seenKeys) : 0);
      if (entry.bytes + delta > this.maxTraceBytes || (oldPos < 0 && entry.size >= this.maxTraceSpans)) {
        if (large > 0) releaseRowLarge(this.slabs, chunk, row);
        table.discard(ref);
        entry.refused++;
        entry.invalidate();
        refuse(entry.limitReason(this.maxTraceSpans, this.maxTraceBytes));
        return;
      }
      if (chunk.extra(row)?.truncatedValues) truncated++;
      const pos = oldPos < 0 ? entry.size : oldPos;
      table.added(row, entry.serial, pos);
      entry.put(ref, pos, now);
      if (oldRef >= 0) {
        entry.generation = ++this.generations;
        if (entry.hasLargeValues) releaseRowLarge(this.slabs, table.chunkOf(oldRef), table.rowOf(oldRef));
        table.kill(oldRef);
      }
      if (large > 0) entry.hasLargeValues = true;
      entry.bytes += delta;
      this.bytes += delta;
      if (oldRef < 0) this.spanCount++;
      if (this.spanCount > this.maxSpans || this.traces.size > this.maxTraces || this.heldBytes + others > this.maxBytes) {
        this.evictFor(entry);
        evicted = true;
        others = this.budget.usedBytes - this.heldBytes;
      }
    };
    const sink: ChunkSink = { chunk: () => table.chunk(count), added: (chunk, row, _i, traceRun) => admit(chunk, row, traceRun) };
    if ('append' in batch) batch.append(sink);
    else {
      const spans = batch.spans;
      for (let i = 0; i < spans.length; i++) {
        const c = table.chunk(spans.length - i);
        admit(c, c.appendRecord(spans[i]!), undefined);
      }
    }
    this.losses.accepted(count - refused);
    this.losses.truncated(truncated);
    this.losses.refused(refused, refusedReason);
    const traceIds: string[] = [];
    let completed = false;
    for (const [e, was] of before) {
      if (this.traces.get(e.traceId) !== e) continue;
      traceIds.push(e.traceId);
      this.lifecycle.settle(e, now);
      if (!was.hadRoot && e.complete) completed = true;
      this.changes.mark(e.traceId, was.hadRoot !== e.complete || was.wasRun !== e.isRun);
    }
    if (count > refused) this.touch();
    // The kept timeline batch lives in the budget's free room only (logs and metrics share it too).
    if (this.lastBatch.bytes > this.budget.maxBytes - this.budget.usedBytes) this.lastBatch.drop();
    this.lifecycle.scheduleIdleCheck();
    // A trace just completed: tell at once (its views show final figures), not after the interval;
    // at most once per interval, so that loading a thousand saved runs stays a handful of events.
    if (completed && now - this.completedFlushAt >= (this.options.changeIntervalMs ?? 75)) {
      this.completedFlushAt = now;
      this.changes.flush();
    }
    return { traceIds, acceptedSpans: count - refused, rejectedSpans: batch.rejected, refusedSpans: refused, refusedReason };
  }

  private touch(): void {
    this.version++;
    this.runsCache = undefined;
  }

  /**
   * Evicts whole traces other than `keep` until the store is within its span and trace limits, then
   * lets the shared budget evict (least recently updated first, whatever the signal).
   */
  private evictFor(keep: TraceEntry): void {
    this.keep = keep;
    try {
      while (this.spanCount > this.maxSpans || this.traces.size > this.maxTraces) {
        const victim = this.lifecycle.victim(keep, true);
        if (!victim) break;
        this.evict(victim);
      }
      this.budget.enforce();
    } finally {
      this.keep = undefined;
    }
  }

  private evict(victim: TraceEntry): void {
    this.losses.evicted(
      victim.traceId,
      victim.size,
      victim.bytes,
      victim.finished,
      () => `the memory budget of ${this.maxBytes} bytes, ${this.maxSpans} spans, ${this.maxTraces} traces`,
    );
    this.evictedIds.add(victim.traceId);
    if (this.evictedIds.size > EVICTED_IDS_KEPT) this.evictedIds.delete(this.evictedIds.values().next().value!);
    this.remove(victim);
  }

  private remove(entry: TraceEntry): void {
    this.lastBatch.drop(entry);
    this.traces.delete(entry.traceId);
    this.lifecycle.forget(entry.traceId);
    this.spanCount -= entry.size;
    this.bytes -= entry.bytes;
    // A kill may compact a chunk and move this entry's later rows: the entry is told (by serial)
    // until its last row is killed, and `allRefs` is a view of its list, so it reads the moves.
    const refs = entry.allRefs();
    for (let i = 0; i < refs.length; i++) {
      if (entry.hasLargeValues) releaseRowLarge(this.slabs, this.table.chunkOf(refs[i]!), this.table.rowOf(refs[i]!));
      this.table.kill(refs[i]!);
    }
    this.bySerial.delete(entry.serial);
    this.changes.mark(entry.traceId, true);
    this.touch();
  }

  /**
   * Finishes the traces that saw no span for the idle time (plan runs: 12 times as long); late
   * spans later update them. Runs by itself on a timer; tests call it with their clock.
   */
  checkIdle(): void {
    this.lifecycle.checkIdle();
  }

  /**
   * Counts these traces as finished now (loaded from files: whatever they lack will not come), so
   * that they are not finished again by the idle timer and written back unchanged.
   */
  markFinished(traceIds: readonly string[]): void {
    const entries: TraceEntry[] = [];
    for (const id of traceIds) {
      const e = this.traces.get(id);
      if (e) entries.push(e);
    }
    this.lifecycle.markFinished(entries);
  }

  /** One run (trace) as OTLP JSON, grouped by resource and scope. */
  exportOtlpJson(traceId: string): string {
    const entry = this.traces.get(traceId.toLowerCase());
    return encodeOtlpJson(entry ? entry.spans() : []);
  }

  deleteTrace(traceId: string): boolean {
    const entry = this.traces.get(traceId.toLowerCase());
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  clear(): void {
    this.lastBatch.drop();
    for (const id of this.traces.keys()) this.changes.mark(id, true);
    this.traces.clear();
    this.bySerial.clear();
    this.table.clear();
    this.lifecycle.clear();
    this.evictedIds.clear();
    this.spanCount = 0;
    this.bytes = 0;
    this.slabs.clear();
    this.seenKeys = new WeakSet();
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
    return entry ? entry.spans().map(toSpanView) : [];
  }

  /**
   * The timeline batch of a trace, read from its records: the spans added since `since` (a cursor
   * this returned earlier), or all of them (`full`) on first ask or when spans were replaced since.
   * `summary`: only the attributes the timeline reads from a batch (see `SpanBatch.summary`; what a
   * timeline panel asks for: the rest comes per span with {@link spanBatch} and {@link matchSpans}).
   * A full batch may be the one kept from an earlier ask (see LastBatch): callers only read it (a
   * structured clone or a post copies it; transferring its buffers would empty the kept one).
   */
  batchSince(traceId: string, since?: BatchCursor, { summary = false }: { summary?: boolean } = {}): TraceBatch | undefined {
    const entry = this.traces.get(traceId.toLowerCase());
    return entry ? traceBatchSince(entry, since, summary, this.lastBatch, this.budget.maxBytes - this.budget.usedBytes) : undefined;
  }

  /**
   * A span and its ancestors, nearest first, at most `max` of them (a cycle ends the walk): what
   * "go to code" needs, without views of the rest of the trace.
   */
  spanChain(traceId: string, spanId: string, max = 1000): SpanView[] {
    return spanChainOf(this.traces.get(traceId.toLowerCase()), spanId, max);
  }

  /**
   * One span of a trace, whole, as a batch of one (the timeline's details of the selected span,
   * in the format the webview already reads); undefined when the trace or the span is gone.
   */
  spanBatch(traceId: string, spanId: string): SpanBatch | undefined {
    return oneSpanBatch(this.traces.get(traceId.toLowerCase()), spanId);
  }

  /**
   * The ids of a trace's spans whose attributes match every `key=value` token (the value a
   * case-insensitive part of the attribute's text; '' asks for the key only), as the timeline's
   * search matches them: its batch holds only some attributes (see batchSince). With `since` (the
   * cursor of an earlier answer) only the spans added after it are searched, as batchSince.
   * Undefined when the trace is gone.
   */
  matchSpans(traceId: string, tokens: readonly AttrToken[], since?: BatchCursor): AttributeMatches | undefined {
    return matchTraceSpans(this.traces.get(traceId.toLowerCase()), tokens, since);
  }

  /** Where emptied buffers of large values made by a decode worker go back to (textSlabs.ts, `recycle`). */
  set recycleLargeBuffers(recycle: ((buffer: ArrayBuffer) => boolean) | undefined) {
    this.slabs.recycle = recycle;
  }

  /**
   * For a reader of `records` that reads across awaits: large values of traces evicted meanwhile
   * keep their bytes until the returned function is called (textSlabs.ts, `hold`).
   */
  holdLargeValues(): () => void {
    return this.slabs.hold();
  }

  /** A trace's spans as records copied out of the store, in arrival order (valid after an eviction: see chunkSpan.ts). */
  records(traceId: string): SpanRecord[] {
    const entry = this.traces.get(traceId.toLowerCase());
    return entry ? snapshotRecords(entry.spans()) : [];
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

  /** Per-procedure statistics, from the runs' summaries (the same function the editor's views use). */
  procedureStats(query: ProcedureStatsQuery = {}): ProcedureStats[] {
    return procedureStatsFromSummaries(this.runs(), (id) => this.summary(id), query);
  }

  /** A stored run's summary (computed on each call: the editor keeps its own cache by version). */
  summary(traceId: string): PlanRunSummary | undefined {
    const entry = this.traces.get(traceId.toLowerCase());
    return entry && entry.size > 0 ? summarizeRun(recordSource(entry.spans())) : undefined;
  }

  search(query: SpanQuery): SpanSearchResult {
    return searchSpans(this, query);
  }

  /** Two runs compared step by step, from their summaries (the same function the compare view uses). */
  diff(a: string, b: string): RunDiff | undefined {
    const [ra, rb] = [this.run(a), this.run(b)];
    const [sa, sb] = [this.summary(a), this.summary(b)];
    return ra && rb && sa && sb ? diffSummaries(sa, sb, ra, rb) : undefined;
  }

  /**
   * Bytes of the span chunks' columns: pages V8 maps itself, which `process.memoryUsage()` does not
   * show (for benchmarks that measure the stored form).
   */
  get chunkColumnBytes(): number {
    return this.table.columnBytes;
  }

  /** Bumped on every change of the content. */
  get contentVersion(): number {
    return this.version;
  }

  /**
   * What the store holds: its traces, and the room in slabs that no stored value uses any more
   * (released values in a slab still in use, filled slabs' unused ends; see textSlabs.ts).
   */
  private get heldBytes(): number {
    return this.bytes + this.slabs.deadBytes + this.table.deadBytes;
  }

  stats(): StoreStats {
    let runs = 0;
    for (const e of this.traces.values()) if (e.isRun) runs++;
    return {
      spans: this.spanCount,
      traces: this.traces.size,
      runs,
      bytes: this.heldBytes,
      maxBytes: this.maxBytes,
      maxTraceBytes: this.maxTraceBytes,
      maxSpans: this.maxSpans,
      maxTraces: this.maxTraces,
      ...this.losses.counts,
      ...this.counters,
      budget: this.budget.stats(),
    };
  }

  /** Counts spans rejected before decoding finished (e.g. a whole malformed body is not counted). */
  countRejected(n: number): void {
    this.losses.rejected(n);
  }

  dispose(): void {
    this.lifecycle.dispose();
    this.changes.dispose();
  }
}
