import { Attr, PLAN_SPAN_PREFIX } from '../../protocol/attributes';
import type { RunStatus, RunSummary } from '../../protocol/collectorTypes';
import type { ChunkSpan } from './chunkSpan';
import type { ChunkTable } from './chunkTable';
import { fromStoredValue } from './largeText';
import type { SpanChunk } from './spanChunk';
import type { SpanRows } from './recordBatch';
import { isSpanHex, SpanIdIndex, type SpanIdWords } from './spanIdWords';
import { attrNumber, attrString, isErrorRecord, STATUS_ERROR, type SpanLike } from './spanRecord';
import { attrText, type AttrValue } from '../../protocol/spanView';

const OUTCOMES: readonly string[] = ['converged', 'failed', 'cancelled', 'not_converged'];

/** How a trace came to count as finished: its local root arrived, or nothing arrived for a while. */
export type FinishedBy = 'root' | 'idle' | undefined;

/** The value of `key` on a chunk row (the first, as `attr` reads a record), or undefined. */
function rowAttr(chunk: SpanChunk, row: number, key: string): AttrValue | undefined {
  const keys = chunk.keys(row);
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return fromStoredValue(chunk.value(chunk.valueStart(row) + i));
  return undefined;
}

function rowIsPlan(chunk: SpanChunk, row: number): boolean {
  return rowAttr(chunk, row, Attr.kind) !== undefined || chunk.spanName(row).startsWith(PLAN_SPAN_PREFIX);
}

/** What counts as an error, for a chunk row (the rule is isErrorRecord's). */
function rowIsError(chunk: SpanChunk, row: number): boolean {
  return isErrorRecord({ status: chunk.status(row), events: chunk.extra(row)?.events });
}

/** What the queries read of a store: its runs (newest first) and its trace entries. */
export interface TraceSource {
  runs(): RunSummary[];
  entry(traceId: string): TraceEntry | undefined;
  entries(): Iterable<TraceEntry>;
}

/**
 * One trace being assembled: references to its spans' rows in the store's chunks (in arrival
 * order), an index from span id to place in that list, its size in bytes and a summary kept up to
 * date. A re-sent span id takes the place of the earlier span (last write wins: the store kills the
 * old row); what the replaced span contributed (root, plan name, extent, errors) is then recomputed
 * from all spans, lazily, so that a batch re-sending a whole trace costs one rescan, not one per span.
 */
export class TraceEntry implements SpanIdWords {
  /** Row references, by place (arrival order of each span id). */
  private refs: Int32Array;
  private count = 0;
  private readonly index: SpanIdIndex;
  /** Places of spans whose ids are not hex words (see spanChunk.ts). */
  private oddIds: Map<string, number> | undefined;
  /** Bytes of its spans as counted by `spanBytes` (the store's budget). */
  bytes = 0;
  /** Some span of it has values kept in the store's slabs (given back when the trace goes). */
  hasLargeValues = false;
  /** Spans of this trace refused because it reached its share of the budget. */
  refused = 0;
  /** Set when it first counts as finished (root arrived, or idle); never unset. */
  finishedBy: FinishedBy;
  /** Store clock (ms) of the last span added. */
  lastActivityMs = 0;
  /** Bumped on every change; lets queries cache per trace. */
  version = 0;
  /**
   * Set by the store, from a clock of its own, when the entry is made and whenever a stored span is
   * replaced: spans are otherwise only appended (in arrival order), so a reader that knows the
   * generation and how many spans it has can be sent only the rest (see `batchSince`).
   */
  generation = 0;
  private rootPos = -1;
  private run = false;
  private plan = '';
  private errorCount = 0;
  private minStart = Infinity;
  private maxEnd = -Infinity;
  /** A replacement happened: the fields above are recomputed on the next read. */
  private stale = false;
  private summaryCache: RunSummary | undefined;

  constructor(
    readonly traceId: string,
    /** The store's chunks, where the rows are. */
    readonly table: ChunkTable,
    /** The entry's number in its store, written on its rows (see ChunkTable's relocate). */
    readonly serial: number,
    /** Its span-id index's hash seed (random; a fresh one of its own when not given). */
    seed?: number,
    /**
     * Spans known to be on their way (a batch's run of this trace): its tables are made that size,
     * not grown to it. At most 1,024: spans refused later leave room that no span counts (12 bytes
     * each), so that room stays small; a larger trace grows its tables from there.
     */
    expected = 4,
  ) {
    const capacity = Math.max(4, Math.min(expected, 1024));
    this.refs = new Int32Array(capacity);
    this.index = new SpanIdIndex(this, capacity, seed);
  }

  idHigh(pos: number): number {
    return this.table.idHigh(this.refs[pos]!);
  }

  idLow(pos: number): number {
    return this.table.idLow(this.refs[pos]!);
  }

  /** Spans held. */
  get size(): number {
    return this.count;
  }

  /** The row reference of the span at `pos`. */
  ref(pos: number): number {
    return this.refs[pos]!;
  }

  /** A record-like view of the span at `pos` (valid until its chunk is compacted). */
  span(pos: number): ChunkSpan {
    return this.table.span(this.refs[pos]!);
  }

  /** Views of the spans from place `from` on, in arrival order. */
  spans(from = 0): ChunkSpan[] {
    const out = new Array<ChunkSpan>(Math.max(0, this.count - from));
    for (let i = from; i < this.count; i++) out[i - from] = this.table.span(this.refs[i]!);
    return out;
  }

  /** The rows of the spans from place `from` to `to`, for the timeline batch (recordBatch.ts). */
  rows(from = 0, to = this.count): SpanRows {
    const n = Math.max(0, to - from);
    const chunks = new Array<SpanChunk>(n);
    const rows = new Int32Array(n);
    const table = this.table;
    for (let i = 0; i < n; i++) {
      const ref = this.refs[from + i]!;
      chunks[i] = table.chunkOf(ref);
      rows[i] = table.rowOf(ref);
    }
    return { chunks, rows };
  }

  /** The place of the span with this id, or -1. */
  find(spanId: string): number {
    if (isSpanHex(spanId)) return this.index.get(parseInt(spanId.slice(0, 8), 16), parseInt(spanId.slice(8), 16));
    return this.oddIds?.get(spanId) ?? -1;
  }

  /** The place the span of row `ref` (not yet added) would replace, or -1. */
  findRow(ref: number): number {
    const chunk = this.table.chunkOf(ref);
    const row = this.table.rowOf(ref);
    if (chunk.hasWordIds(row)) return this.index.get(chunk.idHigh(row), chunk.idLow(row));
    return this.oddIds?.get(chunk.spanId(row)) ?? -1;
  }

  get(spanId: string): ChunkSpan | undefined {
    const pos = this.find(spanId);
    return pos < 0 ? undefined : this.span(pos);
  }

  has(spanId: string): boolean {
    return this.find(spanId) >= 0;
  }

  /** Every row reference (for the store to kill them when the trace goes). */
  allRefs(): Int32Array {
    return this.refs.subarray(0, this.count);
  }

  /** A compaction moved the span at `pos` to `ref`. */
  relocate(pos: number, ref: number): void {
    this.refs[pos] = ref;
  }

  /**
   * Adds the span of row `ref` at place `pos`: a new place (`pos === size`, only when `findRow`
   * found no span with its id) or the place of the span it replaces (found by `findRow`); returns
   * the replaced row's reference, or -1.
   */
  put(ref: number, pos: number, nowMs: number): number {
    this.lastActivityMs = nowMs;
    this.version++;
    this.summaryCache = undefined;
    if (pos < this.count) {
      const old = this.refs[pos]!;
      this.refs[pos] = ref;
      this.stale = true;
      return old;
    }
    if (this.count === this.refs.length) {
      const grown = new Int32Array(this.refs.length * 2);
      grown.set(this.refs);
      this.refs = grown;
    }
    this.refs[pos] = ref;
    this.count = pos + 1;
    const chunk = this.table.chunkOf(ref);
    const row = this.table.rowOf(ref);
    if (chunk.hasWordIds(row)) this.index.add(chunk.idHigh(row), chunk.idLow(row), pos);
    else (this.oddIds ??= new Map()).set(chunk.spanId(row), pos);
    if (!this.stale) this.account(chunk, row, pos);
    return -1;
  }

  /** Adds what one span contributes to the summary's fields. */
  private account(chunk: SpanChunk, row: number, pos: number): void {
    this.tally(chunk, row, pos);
    if (!this.plan && this.run) {
      const p = rowAttr(chunk, row, Attr.planName);
      this.plan = p === undefined ? '' : attrText(p);
    }
  }

  /** What one span contributes to the summary but the plan name: errors, extent, root, run. */
  private tally(chunk: SpanChunk, row: number, pos: number): void {
    if (rowIsError(chunk, row)) this.errorCount++;
    const start = chunk.startMs(row);
    if (start < this.minStart) this.minStart = start;
    const end = chunk.endMs(row);
    if (end > this.maxEnd) this.maxEnd = end;
    if (chunk.isRoot(row)) this.rootPos = pos;
    if (!this.run && rowIsPlan(chunk, row)) this.run = true;
  }

  private fresh(): void {
    if (!this.stale) return;
    this.stale = false;
    this.rootPos = -1;
    this.run = false;
    this.plan = '';
    this.errorCount = 0;
    this.minStart = Infinity;
    this.maxEnd = -Infinity;
    const table = this.table;
    for (let pos = 0; pos < this.count; pos++) {
      const ref = this.refs[pos]!;
      this.tally(table.chunkOf(ref), table.rowOf(ref), pos);
    }
    if (this.run) {
      for (let pos = 0; pos < this.count; pos++) {
        const p = attrString(this.span(pos), Attr.planName);
        if (p) {
          this.plan = p;
          break;
        }
      }
    }
  }

  /** The span without a parent (the last one to arrive, when several claim it). */
  get root(): ChunkSpan | undefined {
    this.fresh();
    return this.rootPos < 0 ? undefined : this.span(this.rootPos);
  }

  get isRun(): boolean {
    this.fresh();
    return this.run;
  }

  get planName(): string {
    this.fresh();
    return this.plan;
  }

  get errors(): number {
    this.fresh();
    return this.errorCount;
  }

  /** Its root has arrived. */
  get complete(): boolean {
    this.fresh();
    return this.rootPos >= 0;
  }

  /** Counts as finished: its root arrived, or no span arrived for the idle time. */
  get finished(): boolean {
    return this.finishedBy !== undefined || this.complete;
  }

  summary(): RunSummary {
    if (this.summaryCache) return this.summaryCache;
    this.fresh();
    const root = this.rootPos < 0 ? undefined : this.span(this.rootPos);
    const first = this.count > 0 ? this.span(0) : undefined;
    const startMs = root ? root.startMs : this.minStart === Infinity ? 0 : this.minStart;
    const endMs = root ? root.endMs : this.maxEnd === -Infinity ? startMs : this.maxEnd;
    const idle = !root && this.finishedBy === 'idle';
    let status: RunStatus;
    let passes = 0;
    let plan: string;
    if (this.run) {
      plan = this.plan || (root ? root.name.replace(/^plan /, '') : '');
      if (root) {
        const outcome = attrString(root, Attr.planOutcome) ?? '';
        status = OUTCOMES.includes(outcome) ? (outcome as RunStatus) : root.status === STATUS_ERROR ? 'failed' : 'converged';
        passes = attrNumber(root, Attr.planPasses) ?? 0;
      } else status = idle ? 'incomplete' : 'running';
    } else {
      plan = root ? root.name : (first?.name ?? '');
      status = !root && !idle ? 'running' : this.errorCount > 0 ? 'failed' : 'converged';
    }
    const any = root ?? first;
    const summary: RunSummary = {
      traceId: this.traceId,
      kind: this.run ? 'plan' : 'trace',
      plan,
      startMs,
      durationMs: Number.isFinite(endMs - startMs) ? Math.max(0, endMs - startMs) : 0,
      passes,
      status,
      spanCount: this.count,
      errorCount: this.errorCount,
      serviceName: any ? any.origin.serviceName : '',
    };
    if (this.isRun && any) identify(summary, root ?? any);
    if (idle) summary.finishedBy = 'idle';
    if (this.refused > 0) summary.refusedSpans = this.refused;
    this.summaryCache = summary;
    return summary;
  }

  /** Why its newer spans are refused, at these limits (it reached one of them). */
  limitReason(maxSpans: number, maxBytes: number): string {
    return this.size >= maxSpans
      ? `trace ${this.traceId} reached its limit of ${maxSpans} spans (half of the collector's span limit): its newer spans are refused`
      : `trace ${this.traceId} reached its limit of ${maxBytes} bytes of the collector's memory budget: its newer spans are refused`;
  }

  /** Forgets the cached summary (its finished state or refused count changed). */
  invalidate(): void {
    this.summaryCache = undefined;
    this.version++;
  }
}

/**
 * The run's identity as the runner stamped it (plan file, export, kind, launch id): on the root
 * span, and on the resource of every span (so a run in progress is known too).
 */
function identify(summary: RunSummary, span: SpanLike): void {
  const fromResource = (key: string): string | undefined => {
    const i = span.origin.resourceKeys.indexOf(key);
    const v = i >= 0 ? span.origin.resourceValues[i] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const get = (key: string) => attrString(span, key) ?? fromResource(key);
  const file = get(Attr.planFile);
  const exportName = get(Attr.planExport);
  const kind = get(Attr.runKind);
  const launchId = get(Attr.launchId);
  if (file) summary.planFile = file;
  if (exportName) summary.exportName = exportName;
  if (kind === 'run' || kind === 'debug') summary.runKind = kind;
  if (launchId) summary.launchId = launchId;
}
