/**
 * What the collector answers: the shapes of its queries, shared by the library API
 * (`Collector.store`), its read API over HTTP (`/api/*`, JSON) and every view that shows runs.
 * Times are epoch milliseconds (fractional), durations milliseconds.
 */
import type { SpanBatch } from './spanBatch';
import type { SpanStatusName, SpanView } from './spanView';

/**
 * Outcome of a run; `running` until its root span has arrived or no span arrived for the idle time.
 * `incomplete`: a plan run whose root never arrived (its program stopped before ending it).
 */
export type RunStatus = 'converged' | 'failed' | 'cancelled' | 'not_converged' | 'running' | 'incomplete';

/**
 * One trace in the store. `kind: 'plan'` is a run of our runtime (root span of kind `plan`);
 * any other OTel trace is listed too, with `kind: 'trace'`, its root span name as `plan`, and a
 * status of `converged` (no error span), `failed` (some error span) or `running` (no root yet, and
 * spans still arriving). A re-sent span id replaces the earlier span (last write wins) and the
 * summary is computed again from the spans then held.
 */
export interface RunSummary {
  traceId: string;
  kind: 'plan' | 'trace';
  /** Plan name (`plan.name`), or the root span name for other traces. */
  plan: string;
  startMs: number;
  durationMs: number;
  /** `plan.passes` of the root (0 while running or for other traces). */
  passes: number;
  status: RunStatus;
  spanCount: number;
  /** Spans with status ERROR or an `exception` event. */
  errorCount: number;
  serviceName: string;
  /** Plan file as the runner recorded it (`plan.file`, relative to its working directory). */
  planFile?: string;
  /** Export of the plan file (`plan.export`). */
  exportName?: string;
  /** `debug` when launched under a debugger: its durations include pauses. */
  runKind?: 'run' | 'debug';
  /** The launch id the runner stamped (`instrument_first.launch_id`). */
  launchId?: string;
  /** `idle`: finished without a local root, because no span arrived for the idle time. */
  finishedBy?: 'idle';
  /** Spans of this trace refused because it reached its share of the collector's memory budget. */
  refusedSpans?: number;
}

/** A span with its children, ordered by start time. */
export interface SpanNode extends SpanView {
  children: SpanNode[];
  /** The span names a parent that is not (yet) in the store; it is shown as a root. */
  orphan?: true;
  /** Why it is shown as a root although it names a parent: the parent is missing, is itself, or a cycle. */
  rootNote?: 'missing parent' | 'own parent' | 'parent cycle';
}

export interface TraceTree {
  traceId: string;
  summary: RunSummary;
  /** Normally one root; orphans (parent not arrived) are roots too. */
  roots: SpanNode[];
  spanCount: number;
}

/** One run in which a procedure ran (newest first in {@link ProcedureStats.recent}). */
export interface ProcedureRun {
  traceId: string;
  /** Total duration of the procedure's spans in that run. */
  durationMs: number;
  /** `error` when any of its spans in that run has status error. */
  status: SpanStatusName;
  /** Start of the run. */
  startMs: number;
}

/** Statistics of one procedure (step spans by `procedure.id`) over the last N runs. */
export interface ProcedureStats {
  procedureId: string;
  procedureType: string;
  filepath?: string;
  /** `code.function` of its step spans, when present. */
  codeFunction?: string;
  /** Step spans counted (a procedure may run several times per run). */
  count: number;
  errors: number;
  /** Duration of its latest span. */
  lastMs: number;
  /** How many times it ran in the newest run where it appears. */
  lastRunCount: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** In how many of the considered runs it appears. */
  runs: number;
  /** Newest first, at most the considered runs. */
  recent: ProcedureRun[];
}

export interface ProcedureStatsQuery {
  /** How many of the newest runs to consider (default 20). */
  lastRuns?: number;
  /** Only runs of this plan name. */
  plan?: string;
  /** Leave out runs launched under a debugger (their durations include pauses). */
  excludeDebug?: boolean;
}

/** How often a call (child span name) was made under a step, in run a and run b. */
export interface CallCountDiff {
  name: string;
  countA: number;
  countB: number;
}

export type StepChangeReason = 'duration' | 'calls' | 'status';

/** One step matched across two runs by procedure identity, pass and occurrence. */
export interface StepDiff {
  procedureId: string;
  procedureType?: string;
  pass: number;
  /** 0-based index among the steps with the same id in the same pass. */
  occurrence: number;
  spanIdA?: string;
  spanIdB?: string;
  durationMsA?: number;
  durationMsB?: number;
  statusA?: SpanStatusName;
  statusB?: SpanStatusName;
  /** Every call name under the step with its count in a and b (changed ones first). */
  calls: CallCountDiff[];
  /** Why a matched step is listed as changed (empty for added/removed). */
  reasons: StepChangeReason[];
}

export interface RunDiff {
  a: RunSummary;
  b: RunSummary;
  durationDeltaMs: number;
  /** Steps in b but not in a. */
  added: StepDiff[];
  /** Steps in a but not in b. */
  removed: StepDiff[];
  /** Matched steps whose call counts or status differ, or whose duration changed notably. */
  changed: StepDiff[];
  unchangedCount: number;
}

/** Span search; every given criterion must hold. */
export interface SpanQuery {
  /** Case-insensitive substring of the span name. */
  name?: string;
  /** An attribute key that must be present; with `attributeValue`, its value (compared as text). */
  attribute?: string;
  attributeValue?: string;
  status?: SpanStatusName;
  minDurationMs?: number;
  traceId?: string;
  /** Default 100, at most 10,000. */
  limit?: number;
}

export interface SpanSearchResult {
  spans: SpanView[];
  /** True when more spans matched than returned. */
  truncated: boolean;
}

/** Counters the user can see: what is kept, what was evicted, rejected or failed to forward. */
export interface StoreStats {
  spans: number;
  traces: number;
  runs: number;
  /** Memory the stored traces take, in bytes, as counted on their stored form. */
  bytes: number;
  /** The memory budget in bytes. */
  maxBytes: number;
  /** Most bytes one trace may take (its newer spans are refused beyond it). */
  maxTraceBytes: number;
  maxSpans: number;
  maxTraces: number;
  acceptedSpans: number;
  /** Spans the decoders found invalid. */
  rejectedSpans: number;
  /** Valid spans not kept for the bounds: their trace reached its share, or was evicted before they came. */
  refusedSpans: number;
  /** Spans stored with values cut to the per-value or per-span caps. */
  truncatedSpans: number;
  evictedTraces: number;
  evictedSpans: number;
  evictedBytes: number;
  /** Evicted traces that had not finished (evicted last, when only such traces were left). */
  evictedUnfinished: number;
  requests: number;
  rejectedRequests: number;
  forwardedBatches: number;
  forwardFailures: number;
  forwardDropped: number;
  forwardQueued: number;
  persistedRuns: number;
  persistErrors: number;
  /** The one memory budget that spans, log records and metric points share (absent from stores used alone in older files). */
  budget?: BudgetStats;
}

/** The signals sharing the collector's memory budget. */
export type BudgetSignal = 'spans' | 'logs' | 'metrics';

/**
 * The collector's one memory budget: what each signal holds and gave up to it. Eviction order:
 * least recently updated first across signals (a finished trace by its last span, a log record by
 * its arrival, a metric series by its latest point); unfinished traces last.
 */
export interface BudgetStats {
  maxBytes: number;
  /** Bytes held by all signals together, as counted on their stored form. */
  usedBytes: number;
  /** Per signal: bytes and units held (traces, log records, metric series), and what was evicted for the budget. */
  signals: Record<BudgetSignal, { bytes: number; units: number; evictedUnits: number; evictedBytes: number }>;
  /** Request bodies received and not yet stored (bounded apart from the budget). */
  inFlightBytes: number;
  maxInFlightBytes: number;
  peakInFlightBytes: number;
  /** Requests answered 503 (Retry-After) because the bodies in flight were at their bound. */
  busyRequests: number;
}

/** Result of importing OTLP JSON (a file or a request body). */
export interface ImportResult {
  traceIds: string[];
  acceptedSpans: number;
  rejectedSpans: number;
  /** Valid spans not kept for the memory bounds. */
  refusedSpans: number;
}

/** Event of the store: which traces changed; `runsChanged` when a trace appeared, completed or went away. */
export interface StoreChange {
  traceIds: string[];
  runsChanged: boolean;
}

/**
 * Where a reader of a trace's timeline batch stands: the trace's generation (it changes when a
 * stored span is replaced, or the trace is stored anew) and how many of its spans it has.
 */
export interface BatchCursor {
  generation: number;
  spans: number;
}

/**
 * The spans of a trace whose attributes match a search's `key=value` tokens: among all its spans
 * (`full`), or among those added since the cursor asked with (a live timeline asks again after each
 * update, for the new spans only).
 */
export interface AttributeMatches {
  spanIds: string[];
  /** Ask with this next time to search only the spans added after. */
  cursor: BatchCursor;
  /** True when `spanIds` are the matches among every span (first ask, or spans were replaced since). */
  full: boolean;
}

/** A trace's timeline batch: all its spans (`full`), or those added since the cursor asked with. */
export interface TraceBatch {
  batch: SpanBatch;
  /** Ask with this next time to get only what is added after. */
  cursor: BatchCursor;
  /** True when `batch` holds every span of the trace (first ask, or spans were replaced since). */
  full: boolean;
}
