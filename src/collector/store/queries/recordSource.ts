import { attr, isErrorRecord, statusName, type SpanLike } from '../spanRecord';
import type { SpanSource } from '../../../summary/spanSource';

/**
 * The summary's span source over the collector's stored records, so a run that arrived over OTLP
 * is summarised by the same function as a run in a test process (no copy into span views).
 */
export function recordSource(records: readonly SpanLike[]): SpanSource {
  return {
    count: records.length,
    traceId: (i) => records[i]?.traceId ?? '',
    spanId: (i) => records[i]!.spanId,
    parentSpanId: (i) => records[i]!.parentSpanId,
    name: (i) => records[i]!.name,
    startMs: (i) => records[i]!.startMs,
    endMs: (i) => records[i]!.endMs,
    failed: (i) => isErrorRecord(records[i]!),
    status: (i) => statusName(records[i]!.status),
    attr: (i, key) => attr(records[i]!, key),
  };
}
