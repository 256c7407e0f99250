import type { Attributes, Tracer } from '@opentelemetry/api';
import { Scheduler, type SchedulerOptions } from '../runtime/scheduler';
import type { LogRecordsMode, LogRecordView } from '../runtime/logRecords';
import { createTracing, type Tracing } from '../runtime/tracing';
import type { Plan, RunOutcome, RunResult } from '../runtime/types';
import { RunTrace } from './runTrace';
import { globalRouter } from './traceRouter';

export interface RunPlanOptions {
  /** Passes before the run is reported as `not_converged` (default 10). */
  maxPasses?: number;
  /** Cancels the run: its outcome becomes `cancelled`. */
  signal?: AbortSignal;
  /** Extra attributes for the run's root span. */
  attributes?: Attributes;
  /** `service.name` of the run's spans (default `instrument-first-test`). */
  serviceName?: string;
  /** Step attributes copied into the run's summary (see `run.trace.summary`). */
  pin?: readonly string[];
  /** Finds a procedure's source, recorded as `code.filepath` / `code.lineno` on its step span. */
  locate?: SchedulerOptions['locate'];
  /**
   * Capture spans that code inside steps starts through the global OpenTelemetry API (default
   * true). It needs a context manager, which on Node 20 costs a few µs per awaited promise
   * process-wide; `false` installs nothing global, and only `ctx.trace`/`ctx.tracer` spans are kept.
   */
  globalSpans?: boolean;
  /** Where `ctx.log` lines go (default `both`: span events in `trace`, log records in `logs`). */
  logRecords?: LogRecordsMode;
}

/** One finished in-process run of a plan and its whole trace. */
export interface PlanRun {
  readonly outcome: RunOutcome;
  readonly result: RunResult;
  /** The error that ended a failed, cancelled or not converging run. */
  readonly error: Error | undefined;
  readonly trace: RunTrace;
  /** The run's OTLP log records (`ctx.log` lines with their step's span id), in the order logged. */
  readonly logs: readonly LogRecordView[];
  /**
   * False when another OpenTelemetry SDK was registered globally before the first run: spans that
   * code inside steps starts through the global API then go to that SDK, not into this trace.
   */
  readonly capturesGlobalSpans: boolean;
}

/**
 * Runs a plan in this process with no collector and no network, and returns its outcome and trace.
 * Pass a factory to get a fresh plan (and fresh state) per run. Runs are independent: several
 * may go on at once, and each trace holds only its own spans — including spans that code inside
 * its steps starts through the global OpenTelemetry API (auto-instrumentation).
 */
export async function runPlan(plan: Plan | (() => Plan | Promise<Plan>), options: RunPlanOptions = {}): Promise<PlanRun> {
  const resolved = typeof plan === 'function' ? await plan() : plan;
  const { router, global } = options.globalSpans === false ? { router: undefined, global: false } : globalRouter();
  const tracing = createTracing({ endpoint: false, memory: true, enabled: true, env: {}, serviceName: options.serviceName ?? 'instrument-first-test', logRecords: options.logRecords ?? 'both' });
  const unregister: Array<() => void> = [];
  const scheduler = new Scheduler({
    tracing: router ? registering(tracing, (traceId, tracer) => unregister.push(router.register(traceId, tracer))) : tracing,
    ...(options.maxPasses !== undefined ? { maxPasses: options.maxPasses } : {}),
    ...(options.locate ? { locate: options.locate } : {}),
  });
  let result: RunResult;
  try {
    result = await scheduler.execute(resolved, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.attributes ? { attributes: options.attributes } : {}),
    });
  } finally {
    for (const u of unregister) u();
    await tracing.shutdown();
  }
  const memory = tracing.memory!;
  return {
    outcome: result.outcome,
    result,
    error: result.error,
    // Converted to span views and indexed when first asked (a selector, the summary, a waterfall).
    trace: new RunTrace(() => memory.views(result.traceId), options.pin),
    logs: tracing.logs?.memory?.views(result.traceId) ?? [],
    capturesGlobalSpans: global,
  };
}

/** The run's tracing, with a tracer that registers each root span's trace id with the router. */
function registering(tracing: Tracing, onRoot: (traceId: string, tracer: Tracer) => void): Tracing {
  const inner = tracing.tracer;
  const tracer: Tracer = {
    startSpan(name, options, ctx) {
      const span = inner.startSpan(name, options, ctx);
      if (options?.root) onRoot(span.spanContext().traceId, inner);
      return span;
    },
    startActiveSpan: inner.startActiveSpan.bind(inner) as Tracer['startActiveSpan'],
  };
  return {
    get enabled() {
      return tracing.enabled;
    },
    tracer,
    get memory() {
      return tracing.memory;
    },
    get endpoint() {
      return tracing.endpoint;
    },
    get sdkAttached() {
      return tracing.sdkAttached;
    },
    get protocol() {
      return tracing.protocol;
    },
    logRecords: tracing.logRecords,
    logs: tracing.logs,
    get stats() {
      return tracing.stats;
    },
    get needsDrain() {
      return tracing.needsDrain;
    },
    drain: () => tracing.drain(),
    flush: () => tracing.flush(),
    shutdown: () => tracing.shutdown(),
  };
}
