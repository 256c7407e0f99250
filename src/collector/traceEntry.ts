import { Attr, PLAN_SPAN_PREFIX } from '../protocol/attributes';
import type { RunStatus, RunSummary } from '../protocol/collectorTypes';
import { attr, attrNumber, attrString, isErrorRecord, STATUS_ERROR, type SpanRecord } from './spanRecord';

const OUTCOMES: readonly string[] = ['converged', 'failed', 'cancelled', 'not_converged'];

/** One trace being assembled: its spans by id (insertion order) and a summary kept up to date. */
export class TraceEntry {
  readonly spans = new Map<string, SpanRecord>();
  root: SpanRecord | undefined;
  isRun = false;
  planName = '';
  errors = 0;
  minStartMs = Infinity;
  maxEndMs = 0;
  /** Bumped on every change; lets queries cache per trace. */
  version = 0;
  private summaryCache: RunSummary | undefined;

  constructor(readonly traceId: string) {}

  /** Adds or replaces a span; returns the change in span count (0 or 1). */
  add(rec: SpanRecord): number {
    const old = this.spans.get(rec.spanId);
    if (old && isErrorRecord(old)) this.errors--;
    this.spans.set(rec.spanId, rec);
    if (isErrorRecord(rec)) this.errors++;
    if (rec.startMs < this.minStartMs) this.minStartMs = rec.startMs;
    if (rec.endMs > this.maxEndMs) this.maxEndMs = rec.endMs;
    if (!rec.parentSpanId) this.root = rec;
    if (!this.isRun) {
      const kind = attr(rec, Attr.kind);
      if (kind !== undefined || rec.name.startsWith(PLAN_SPAN_PREFIX)) this.isRun = true;
    }
    if (!this.planName && this.isRun) {
      const p = attrString(rec, Attr.planName);
      if (p) this.planName = p;
    }
    this.version++;
    this.summaryCache = undefined;
    return old ? 0 : 1;
  }

  get complete(): boolean {
    return this.root !== undefined;
  }

  summary(): RunSummary {
    if (this.summaryCache) return this.summaryCache;
    const root = this.root;
    const startMs = root ? root.startMs : this.minStartMs;
    const endMs = root ? root.endMs : this.maxEndMs;
    let status: RunStatus;
    let passes = 0;
    let plan: string;
    if (this.isRun) {
      plan = this.planName || (root ? root.name.replace(/^plan /, '') : '');
      if (!root) status = 'running';
      else {
        const outcome = attrString(root, Attr.planOutcome) ?? '';
        status = OUTCOMES.includes(outcome) ? (outcome as RunStatus) : root.status === STATUS_ERROR ? 'failed' : 'converged';
        passes = attrNumber(root, Attr.planPasses) ?? 0;
      }
    } else {
      plan = root ? root.name : (this.spans.values().next().value?.name ?? '');
      status = !root ? 'running' : this.errors > 0 ? 'failed' : 'converged';
    }
    const any = root ?? this.spans.values().next().value;
    this.summaryCache = {
      traceId: this.traceId,
      kind: this.isRun ? 'plan' : 'trace',
      plan,
      startMs,
      durationMs: Math.max(0, endMs - startMs),
      passes,
      status,
      spanCount: this.spans.size,
      errorCount: this.errors,
      serviceName: any ? any.origin.serviceName : '',
    };
    if (this.isRun && any) identify(this.summaryCache, root ?? any);
    return this.summaryCache;
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
