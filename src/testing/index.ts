/**
 * Trace tests: run a plan in process and assert on its trace, in any test runner. Import it as
 * `instrument-first/testing`. See docs/trace-tests.md.
 */
export { runPlan, type PlanRun, type RunPlanOptions } from './runPlan';
export { RunTrace } from './runTrace';
export { expectTrace, TraceAssertionError, type TraceExpectation } from './expectTrace';
export { parseSelector, SelectorSyntaxError, type ParsedSelector } from './selector';
export { summarizeRun, allSteps, type PlanRunSummary, type PassSummary, type StepSummary, type CallSummary } from '../summary/runSummary';
export { spanViewSource, type SpanSource } from '../summary/spanSource';
export type { SpanView, AttrValue } from '../protocol/spanView';
export type { LogRecordView, LogRecordsMode } from '../runtime/logRecords';
export type { Plan, Procedure, StepContext, PlanContext, RunOutcome, RunResult } from '../runtime/types';
