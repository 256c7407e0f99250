/**
 * The runtime that reactive plans run with: the Plan and Procedure shapes, helpers to make them,
 * the Scheduler, and the tracing pipeline. Import it as `instrument-first`.
 */
export type { Plan, PlanContext, Procedure, StepContext, Logger, LogFields, LogLevel, RunOutcome, RunResult } from './types';
export { procedure, plan, isPlan, isProcedure, procedureTypeName } from './procedure';
export { Scheduler, type SchedulerOptions, type ExecuteOptions, type SchedulerEvent, type CodeLocation } from './scheduler';
export { createTracing, resolveTracesUrl, resolveOtlpProtocol, parseOtlpHeaders, type OtlpProtocol, type Tracing, type TracingOptions } from './tracing';
export { LosslessSpanProcessor, type DeliveryStats, type LosslessProcessorOptions } from './losslessSpanProcessor';
export {
  DEFAULT_LOG_RECORDS,
  LosslessLogRecordProcessor,
  MemoryLogSink,
  resolveLogRecordsMode,
  resolveLogsUrl,
  type LogRecordPipeline,
  type LogRecordsMode,
  type LogRecordView,
} from './logRecords';
export { MemorySpanSink, toSpanView } from './memorySink';
export { createLogger, defaultLogFormat, type LogFormat, type LogOutput } from './logger';
export { PlanRunError, NotConvergedError, CancelledError } from './errors';
export { Attr } from '../protocol/attributes';
