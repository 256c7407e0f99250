/**
 * Span attribute keys and span kinds written by the runtime and read by the collector, the views
 * and the linter. Standard semantic-convention keys (`code.*`, `exception.*`) are used where they
 * fit; the rest are namespaced `plan.*`, `procedure.*` and `instrument_first.*`.
 */
export const Attr = {
  /** What this span is in a plan run: one of {@link SpanKindName}. */
  kind: 'instrument_first.kind',
  planName: 'plan.name',
  /** 1-based pass number, on pass and step spans. */
  planPass: 'plan.pass',
  /** On the root span: how many passes ran. */
  planPasses: 'plan.passes',
  /** On the root span: converged | failed | cancelled | not_converged. */
  planOutcome: 'plan.outcome',
  /** On the root span: the plan file, relative to the working directory of the run (`/` separators). */
  planFile: 'plan.file',
  /** On the root span: the export of the plan file that ran (`default` or the binding's name). */
  planExport: 'plan.export',
  /** On the root span: `run` or `debug` (a debugged run's durations include pauses). */
  runKind: 'instrument_first.run_kind',
  /** On the root span: the id the launching tool passed in `INSTRUMENT_FIRST_SESSION_ID`. */
  launchId: 'instrument_first.launch_id',
  /** On the root span: how many steps ran in all. */
  planStepsRun: 'plan.steps_run',
  /** On a pass span: how many steps create() returned. */
  passStepCount: 'plan.pass.step_count',
  /** On a pass span: true on the final empty pass that proves convergence. */
  passConverged: 'plan.pass.converged',
  procedureId: 'procedure.id',
  procedureType: 'procedure.type',
  /** 0 for steps returned by create(), n+1 for steps returned by a step at depth n. */
  procedureDepth: 'procedure.depth',
  /** On a step span: how many further steps its do() returned. */
  procedureReturned: 'procedure.returned',
  codeFilepath: 'code.filepath',
  codeFunction: 'code.function',
  codeLineno: 'code.lineno',
  exceptionType: 'exception.type',
  exceptionMessage: 'exception.message',
  exceptionStacktrace: 'exception.stacktrace',
  logSeverity: 'log.severity',
  logMessage: 'log.message',
  serviceName: 'service.name',
} as const;

export type SpanKindName = 'plan' | 'pass' | 'step' | 'call';

/** Name of the span event that carries one log line of the step logger. */
export const LOG_EVENT_NAME = 'log';

/** Root spans of plan runs are named `plan <name>`. */
export const PLAN_SPAN_PREFIX = 'plan ';
