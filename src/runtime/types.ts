import type { Span, Tracer, Attributes } from '@opentelemetry/api';

/** One step of a plan. `do()` may return further steps; they run right after it, depth-first. */
export interface Procedure {
  readonly id: string;
  do(ctx: StepContext): Promise<Procedure[] | void> | Procedure[] | void;
}

/** A reactive plan: `create()` looks at the world and returns the steps still needed. */
export interface Plan {
  readonly name: string;
  create(ctx: PlanContext): Promise<Procedure[]> | Procedure[];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A structured logger whose every line carries the trace id, span id and procedure id. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What `create()` gets: the pass number, the run's logger and its cancellation signal. */
export interface PlanContext {
  readonly pass: number;
  readonly plan: string;
  readonly traceId: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** What a step's `do()` gets: its own span to enrich, and helpers that keep the trace complete. */
export interface StepContext extends PlanContext {
  /** The step's own span: add attributes and events to it. */
  readonly span: Span;
  readonly tracer: Tracer;
  /** 0 for steps returned by create(), n+1 for steps returned by a step at depth n. */
  readonly depth: number;
  /**
   * Runs `fn` inside a child span named `name` (every external call should be one): the span is
   * ended for you, and an error is recorded on it and rethrown.
   */
  trace<T>(name: string, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T>;
}

/** How a run ended. `not_converged`: create() still returned steps after maxPasses passes. */
export type RunOutcome = 'converged' | 'failed' | 'cancelled' | 'not_converged';

export interface RunResult {
  plan: string;
  traceId: string;
  outcome: RunOutcome;
  converged: boolean;
  /** Passes started, including the final empty pass of a converged plan. */
  passes: number;
  stepsRun: number;
  durationMs: number;
  error?: Error;
  /** For not_converged: the ids of the steps the last pass still returned. */
  remaining?: string[];
}
