import type { AttributeMatches, BatchCursor, TraceBatch } from '../../../protocol/collectorTypes';
import type { SpanBatch } from '../../../protocol/spanBatch';
import type { SpanView } from '../../../protocol/spanView';
import type { AttrToken } from '../../../protocol/timelineMessages';
import { encodeRecordBatch, type LastBatch } from '../recordBatch';
import { toSpanView, type SpanRecord } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';
import { attributeMatchesSince } from './attributeMatch';

/**
 * The timeline batch of a trace, read from its records: the spans added since `since`, or all of
 * them (`full`) on first ask or when spans were replaced since. A full batch may be the one kept
 * in `kept` from an earlier ask; a new full batch is kept there when it fits in `room` bytes.
 */
export function traceBatchSince(entry: TraceEntry, since: BatchCursor | undefined, summary: boolean, kept: LastBatch, room: number): TraceBatch {
  const size = entry.spans.size;
  const full = !since || since.generation !== entry.generation || since.spans > size;
  const cursor = { generation: entry.generation, spans: size };
  const reuse = full ? kept.get(entry, entry.generation, size, summary) : undefined;
  if (reuse) return { batch: reuse, cursor, full };
  // A full trace's records by spread: one array of the exact size (pushing 100k records grew
  // it step by step, ~2 MB of garbage inside the first ask).
  const batch = encodeRecordBatch(full ? [...entry.spans.values()] : recordsFrom(entry.spans, since.spans), summary);
  if (full) kept.keep(entry, entry.generation, size, batch, room);
  return { batch, cursor, full };
}

/** The records after the first `from` (a live update's: a few hundred). */
function recordsFrom(spans: ReadonlyMap<string, SpanRecord>, from: number): SpanRecord[] {
  const records: SpanRecord[] = [];
  let i = 0;
  for (const rec of spans.values()) if (i++ >= from) records.push(rec);
  return records;
}

/** A span and its ancestors, nearest first, at most `max` of them (a cycle ends the walk). */
export function spanChainOf(spans: ReadonlyMap<string, SpanRecord> | undefined, spanId: string, max: number): SpanView[] {
  const chain: SpanView[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = spanId; id && !seen.has(id) && chain.length < max; ) {
    const rec = spans?.get(id);
    if (!rec) break;
    seen.add(id);
    const view = toSpanView(rec);
    chain.push(view);
    id = view.parentSpanId;
  }
  return chain;
}

/** One span, whole, as a batch of one (the timeline's details of the selected span). */
export function oneSpanBatch(entry: TraceEntry | undefined, spanId: string): SpanBatch | undefined {
  const rec = entry?.spans.get(spanId);
  return rec ? encodeRecordBatch([rec]) : undefined;
}

/** The ids of a trace's spans whose attributes match every `key=value` token, all or since a cursor (see attributeMatch.ts). */
export function matchTraceSpans(entry: TraceEntry | undefined, tokens: readonly AttrToken[], since?: BatchCursor): AttributeMatches | undefined {
  return entry ? attributeMatchesSince(entry, tokens, since) : undefined;
}
