import { Attr, PLAN_SPAN_PREFIX } from '../../protocol/attributes';
import type { RunStatus, RunSummary } from '../../protocol/collectorTypes';
import { attr, attrNumber, attrString, isErrorRecord, STATUS_ERROR, type SpanRecord } from './spanRecord';

const OUTCOMES: readonly string[] = ['converged', 'failed', 'cancelled', 'not_converged'];

/** How a trace came to count as finished: its local root arrived, or nothing arrived for a while. */
export type FinishedBy = 'root' | 'idle' | undefined;

function isPlanSpan(rec: SpanRecord): boolean {
  return attr(rec, Attr.kind) !== undefined || rec.name.startsWith(PLAN_SPAN_PREFIX);
}

/** What the queries read of a store: its runs (newest first) and its trace entries. */
export interface TraceSource {
  runs(): RunSummary[];
  entry(traceId: string): TraceEntry | undefined;
  entries(): Iterable<TraceEntry>;
}

/**
 * One trace being assembled: its spans by id (insertion order), its size in bytes and a summary
 * kept up to date. A re-sent span id replaces the earlier span (last write wins); what the
 * replaced span contributed (root, plan name, extent, errors) is then recomputed from all spans,
 * lazily, so that a batch re-sending a whole trace costs one rescan, not one per span.
 */
export class TraceEntry {
  readonly spans = new Map<string, SpanRecord>();
  /** Bytes of its spans as counted by `recordBytes` (the store's budget). */
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
  private rootRec: SpanRecord | undefined;
  private run = false;
  private plan = '';
  private errorCount = 0;
  private minStart = Infinity;
  private maxEnd = -Infinity;
  /** A replacement happened: the fields above are recomputed on the next read. */
  private stale = false;
  private summaryCache: RunSummary | undefined;

  constructor(readonly traceId: string) {}

  /** Adds or replaces a span; returns the replaced span, if any. */
  add(rec: SpanRecord, nowMs: number): SpanRecord | undefined {
    return this.put(rec, nowMs, this.spans.get(rec.spanId));
  }

  /** `add` for a caller that has already looked up the span it replaces (`old`, or undefined). */
  put(rec: SpanRecord, nowMs: number, old: SpanRecord | undefined): SpanRecord | undefined {
    this.spans.set(rec.spanId, rec);
    this.lastActivityMs = nowMs;
    this.version++;
    this.summaryCache = undefined;
    if (old) {
      this.stale = true;
      return old;
    }
    if (this.stale) return undefined;
    if (isErrorRecord(rec)) this.errorCount++;
    // Each time read once: a getter's double that is not inlined here is a heap number per read.
    const start = rec.startMs;
    if (start < this.minStart) this.minStart = start;
    const end = rec.endMs;
    if (end > this.maxEnd) this.maxEnd = end;
    if (!rec.parentSpanId) this.rootRec = rec;
    if (!this.run && isPlanSpan(rec)) this.run = true;
    if (!this.plan && this.run) this.plan = attrString(rec, Attr.planName) ?? '';
    return undefined;
  }

  private fresh(): void {
    if (!this.stale) return;
    this.stale = false;
    this.rootRec = undefined;
    this.run = false;
    this.plan = '';
    this.errorCount = 0;
    this.minStart = Infinity;
    this.maxEnd = -Infinity;
    for (const rec of this.spans.values()) {
      if (isErrorRecord(rec)) this.errorCount++;
      if (rec.startMs < this.minStart) this.minStart = rec.startMs;
      if (rec.endMs > this.maxEnd) this.maxEnd = rec.endMs;
      if (!rec.parentSpanId) this.rootRec = rec;
      if (!this.run && isPlanSpan(rec)) this.run = true;
    }
    if (this.run) {
      for (const rec of this.spans.values()) {
        const p = attrString(rec, Attr.planName);
        if (p) {
          this.plan = p;
          break;
        }
      }
    }
  }

  /** The span without a parent (the last one to arrive, when several claim it). */
  get root(): SpanRecord | undefined {
    this.fresh();
    return this.rootRec;
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
    return this.root !== undefined;
  }

  /** Counts as finished: its root arrived, or no span arrived for the idle time. */
  get finished(): boolean {
    return this.finishedBy !== undefined || this.complete;
  }

  summary(): RunSummary {
    if (this.summaryCache) return this.summaryCache;
    this.fresh();
    const root = this.rootRec;
    const first = this.spans.values().next().value;
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
      spanCount: this.spans.size,
      errorCount: this.errorCount,
      serviceName: any ? any.origin.serviceName : '',
    };
    if (this.isRun && any) identify(summary, root ?? any);
    if (idle) summary.finishedBy = 'idle';
    if (this.refused > 0) summary.refusedSpans = this.refused;
    this.summaryCache = summary;
    return summary;
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
function identify(summary: RunSummary, span: SpanRecord): void {
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
