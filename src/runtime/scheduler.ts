import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { Attr } from '../protocol/attributes';
import { CancelledError, NotConvergedError, PlanRunError, toError } from './errors';
import { createLogger, type LogOutput } from './logger';
import { isProcedure, procedureTypeName } from './procedure';
import { createTracing, type Tracing } from './tracing';
import type { Logger, Plan, PlanContext, Procedure, RunOutcome, RunResult, StepContext } from './types';

/** Where a procedure's code is, when the loader knows (recorded as `code.*` attributes). */
export interface CodeLocation {
  filepath?: string;
  lineno?: number;
}

export type SchedulerEvent =
  | { type: 'pass'; pass: number }
  | { type: 'step'; pass: number; id: string; depth: number; stepsRun: number };

export interface SchedulerOptions {
  /** The tracing pipeline; by default one is built from the environment. */
  tracing?: Tracing;
  /** Passes allowed before a run is reported as not converging (default 10). */
  maxPasses?: number;
  /** How log lines are printed (default: not printed; they still go to the spans). */
  log?: LogOutput;
  /** Finds the source of a procedure, for `code.filepath` / `code.lineno`. */
  locate?: (step: Procedure) => CodeLocation | undefined;
  /** Progress callback: a pass or a step starts. */
  onEvent?: (event: SchedulerEvent) => void;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  maxPasses?: number;
  /** Extra attributes for the root span. */
  attributes?: Attributes;
  /** Flush the run's spans before resolving (default true). */
  flush?: boolean;
}

/** Thrown inside a run to unwind to the pass loop once a step's error is recorded. */
class StepFailure {
  constructor(
    readonly stepId: string,
    readonly cause: Error,
  ) {}
}

interface RunState {
  readonly plan: string;
  readonly traceId: string;
  readonly tracer: Tracer;
  readonly tracing: Tracing;
  readonly signal: AbortSignal;
  readonly pass: number;
  stepsRun: number;
}

const DEFAULT_MAX_PASSES = 10;
/** The signal of runs started without one: it never aborts, so no step needs an abort wrapper. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Runs reactive plans: each pass calls `create()` and runs the returned steps depth-first (steps
 * returned by a step run right after it), until `create()` returns nothing. Every run, pass and
 * step gets its own span; spans are never dropped to keep up (the scheduler waits for the
 * exporter instead). Holds no state between runs: several runs may proceed at once.
 */
export class Scheduler {
  readonly tracing: Tracing;
  private readonly ownsTracing: boolean;
  private readonly maxPasses: number;
  private readonly logOutput: LogOutput;

  constructor(private readonly options: SchedulerOptions = {}) {
    this.ownsTracing = !options.tracing;
    this.tracing = options.tracing ?? createTracing();
    this.maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
    this.logOutput = options.log ?? { format: 'none' };
  }

  async execute(plan: Plan, options: ExecuteOptions = {}): Promise<RunResult> {
    const maxPasses = Math.max(1, options.maxPasses ?? this.maxPasses);
    const signal = options.signal ?? NEVER_ABORTED;
    const tracer = this.tracing.tracer;
    const started = performance.now();
    const root = tracer.startSpan(`plan ${plan.name}`, {
      root: true,
      attributes: { ...options.attributes, [Attr.kind]: 'plan', [Attr.planName]: plan.name },
    });
    const traceId = this.tracing.enabled ? root.spanContext().traceId : '';
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
    let passes = 0;
    let stepsRun = 0;
    let outcome: RunOutcome = 'converged';
    let error: Error | undefined;
    let remaining: string[] | undefined;
    let lastSteps: Procedure[] = [];

    try {
      for (;;) {
        throwIfAborted(signal);
        if (passes >= maxPasses) {
          outcome = 'not_converged';
          remaining = lastSteps.map((s) => s.id);
          error = new NotConvergedError(plan.name, traceId, passes, remaining);
          root.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          break;
        }
        passes++;
        const state: RunState = { plan: plan.name, traceId, tracer, tracing: this.tracing, signal, pass: passes, stepsRun };
        const steps = await this.runPass(plan, state, rootCtx);
        stepsRun = state.stepsRun;
        if (steps.length === 0) break;
        lastSteps = steps;
      }
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) {
        outcome = 'cancelled';
        error = err instanceof CancelledError ? err : new CancelledError();
      } else {
        outcome = 'failed';
        error = err instanceof PlanRunError ? err : toError(err);
        root.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
    }
    root.setAttributes({ [Attr.planPasses]: passes, [Attr.planOutcome]: outcome, [Attr.planStepsRun]: stepsRun });
    root.end();
    if (options.flush !== false) await this.tracing.flush();
    const result: RunResult = {
      plan: plan.name,
      traceId,
      outcome,
      converged: outcome === 'converged',
      passes,
      stepsRun,
      durationMs: performance.now() - started,
    };
    if (error) result.error = error;
    if (remaining) result.remaining = remaining;
    return result;
  }

  /** Flushes and, when the scheduler built its own pipeline, shuts it down. */
  async close(): Promise<void> {
    if (this.ownsTracing) await this.tracing.shutdown();
    else await this.tracing.flush();
  }

  private async runPass(plan: Plan, state: RunState, rootCtx: Context): Promise<Procedure[]> {
    this.options.onEvent?.({ type: 'pass', pass: state.pass });
    const span = state.tracer.startSpan(
      `pass ${state.pass}`,
      { attributes: { [Attr.kind]: 'pass', [Attr.planName]: plan.name, [Attr.planPass]: state.pass } },
      rootCtx,
    );
    const passCtx = trace.setSpan(rootCtx, span);
    try {
      let steps: Procedure[];
      try {
        const planCtx: PlanContext = {
          pass: state.pass,
          plan: state.plan,
          traceId: state.traceId,
          signal: state.signal,
          log: createLogger(
            { traceId: state.traceId, spanId: span.spanContext().spanId, span, records: this.tracing.logRecords, pipeline: this.tracing.logs },
            this.logOutput,
          ),
        };
        steps = validateSteps(await abortable(context.with(passCtx, () => plan.create(planCtx)), state.signal), 'create()');
      } catch (err) {
        if (err instanceof CancelledError) throw err;
        const e = toError(err);
        span.recordException(e);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
        throw new PlanRunError(
          `create() of plan "${plan.name}" failed in pass ${state.pass}: ${e.message}` + traceSuffix(state.traceId),
          state.traceId,
          state.pass,
          undefined,
          { cause: e },
        );
      }
      span.setAttribute(Attr.passStepCount, steps.length);
      if (steps.length === 0) {
        span.setAttribute(Attr.passConverged, true);
        return steps;
      }
      try {
        for (const step of steps) await this.runStep(step, passCtx, 0, state);
      } catch (err) {
        if (err instanceof StepFailure) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `step ${err.stepId} failed` });
          throw new PlanRunError(
            `step "${err.stepId}" of plan "${plan.name}" failed in pass ${state.pass}: ${err.cause.message}` + traceSuffix(state.traceId),
            state.traceId,
            state.pass,
            err.stepId,
            { cause: err.cause },
          );
        }
        throw err;
      }
      return steps;
    } finally {
      span.end();
    }
  }

  private async runStep(step: Procedure, parentCtx: Context, depth: number, state: RunState): Promise<void> {
    throwIfAborted(state.signal);
    const type = procedureTypeName(step);
    const attributes: Attributes = {
      [Attr.kind]: 'step',
      [Attr.planName]: state.plan,
      [Attr.planPass]: state.pass,
      [Attr.procedureId]: step.id,
      [Attr.procedureType]: type,
      [Attr.procedureDepth]: depth,
      [Attr.codeFunction]: type === 'function' || type === 'object' ? 'do' : `${type}.do`,
    };
    const loc = this.options.locate?.(step);
    if (loc?.filepath) attributes[Attr.codeFilepath] = loc.filepath;
    if (loc?.lineno) attributes[Attr.codeLineno] = loc.lineno;
    const span = state.tracer.startSpan(step.id, { attributes }, parentCtx);
    const spanCtx = trace.setSpan(parentCtx, span);
    this.options.onEvent?.({ type: 'step', pass: state.pass, id: step.id, depth, stepsRun: state.stepsRun });
    let children: Procedure[];
    try {
      const ctx = new StepContextImpl(step.id, span, spanCtx, depth, state, this.logOutput, loc?.filepath);
      const returned = await abortable(context.with(spanCtx, () => step.do(ctx)), state.signal);
      // Only an array counts as returned steps: `(ctx) => ctx.span.setAttribute(…)` returns the span,
      // and TypeScript accepts that for a void-returning do().
      children = Array.isArray(returned) ? validateSteps(returned, `do() of step "${step.id}"`) : [];
      if (children.length > 0) span.setAttribute(Attr.procedureReturned, children.length);
    } catch (err) {
      if (err instanceof CancelledError) {
        span.setAttribute('procedure.cancelled', true);
        span.end();
        throw err;
      }
      const e = toError(err);
      span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      span.end();
      throw new StepFailure(step.id, e);
    }
    span.end();
    state.stepsRun++;
    if (this.tracing.needsDrain) await this.tracing.drain();
    for (const child of children) await this.runStep(child, spanCtx, depth + 1, state);
  }
}

class StepContextImpl implements StepContext {
  private logger: Logger | undefined;
  constructor(
    private readonly stepId: string,
    readonly span: Span,
    private readonly spanCtx: Context,
    readonly depth: number,
    private readonly state: RunState,
    private readonly logOutput: LogOutput,
    /** The step's source file: a call's line is taken from the first frame in it (past helpers). */
    private readonly stepFile?: string,
  ) {}
  get pass(): number {
    return this.state.pass;
  }
  get plan(): string {
    return this.state.plan;
  }
  get traceId(): string {
    return this.state.traceId;
  }
  get signal(): AbortSignal {
    return this.state.signal;
  }
  get tracer(): Tracer {
    return this.state.tracer;
  }
  get log(): Logger {
    return (this.logger ??= createLogger(
      {
        traceId: this.state.traceId,
        spanId: this.span.spanContext().spanId,
        procedureId: this.stepId,
        span: this.span,
        records: this.state.tracing.logRecords,
        pipeline: this.state.tracing.logs,
      },
      this.logOutput,
    ));
  }
  async trace<T>(name: string, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T> {
    const where = attributes?.[Attr.codeLineno] === undefined ? callerLocation(this.trace, this.stepFile) : undefined;
    const span = this.state.tracer.startSpan(name, { attributes: { [Attr.kind]: 'call', ...where, ...attributes } }, this.spanCtx);
    try {
      return await context.with(trace.setSpan(this.spanCtx, span), () => fn(span));
    } catch (err) {
      const e = toError(err);
      span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      throw err;
    } finally {
      span.end();
    }
  }
}

/**
 * `code.filepath` / `code.lineno` of the code that called `fn` (the line of a `ctx.trace(…)` call),
 * from a short stack (source-mapped when the runner enabled source maps). With `preferFile`, the
 * first frame in that file wins, so a call made through a shared helper points at the step's line
 * that called the helper. Undefined when no frame names a file (native code, eval).
 */
function callerLocation(fn: (...args: never[]) => unknown, preferFile: string | undefined): Attributes | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = preferFile ? 6 : 1;
  Error.captureStackTrace(holder, fn);
  Error.stackTraceLimit = limit;
  let first: { file: string; line: number } | undefined;
  for (const m of (holder.stack ?? '').matchAll(/\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?\s*$/gm)) {
    const file = m[1]!.startsWith('file://') ? decodeURIComponent(m[1]!.slice(7)) : m[1]!;
    if (file.startsWith('node:')) continue;
    const at = { file, line: Number(m[2]) };
    first ??= at;
    if (!preferFile || file === preferFile) {
      first = at;
      break;
    }
  }
  return first ? { [Attr.codeFilepath]: first.file, [Attr.codeLineno]: first.line } : undefined;
}

function traceSuffix(traceId: string): string {
  return traceId ? ` (trace ${traceId})` : '';
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

function validateSteps(value: unknown, where: string): Procedure[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TypeError(`${where} must return an array of procedures, got ${typeof value}`);
  for (let i = 0; i < value.length; i++) {
    if (!isProcedure(value[i])) throw new TypeError(`${where} returned an item at index ${i} that is not a procedure (needs a string id and a do() method)`);
  }
  return value as Procedure[];
}

/** Awaits `value`, but rejects with CancelledError as soon as the signal aborts. */
function abortable<T>(value: T | Promise<T>, signal: AbortSignal): Promise<T> | T {
  if (!(value instanceof Promise) || signal === NEVER_ABORTED) return value;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : toError(e));
      },
    );
  });
}
