import type { AttributeMatches, BatchCursor, TraceBatch } from '../../../protocol/collectorTypes';
import type { SpanBatch } from '../../../protocol/spanBatch';
import type { SpanView } from '../../../protocol/spanView';
import type { AttrToken } from '../../../protocol/timelineMessages';
import { encodeRowBatch, type LastBatch } from '../recordBatch';
import { toSpanView } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';
import { attributeMatchesSince } from './attributeMatch';

/**
 * The timeline batch of a trace, read from its records: the spans added since `since`, or all of
 * them (`full`) on first ask or when spans were replaced since. A full batch may be the one kept
 * in `kept` from an earlier ask; a new full batch is kept there when it fits in `room` bytes.
 */
export function traceBatchSince(entry: TraceEntry, since: BatchCursor | undefined, summary: boolean, kept: LastBatch, room: number): TraceBatch {
  const size = entry.size;
  const full = !since || since.generation !== entry.generation || since.spans > size;
  const cursor = { generation: entry.generation, spans: size };
  const reuse = full ? kept.get(entry, entry.generation, size, summary) : undefined;
  if (reuse) return { batch: reuse, cursor, full };
  const batch = encodeRowBatch(entry.rows(full ? 0 : since.spans), summary);
  if (full) kept.keep(entry, entry.generation, size, batch, room);
  return { batch, cursor, full };
}

/** A span and its ancestors, nearest first, at most `max` of them (a cycle ends the walk). */
export function spanChainOf(entry: TraceEntry | undefined, spanId: string, max: number): SpanView[] {
  const chain: SpanView[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = spanId; id && !seen.has(id) && chain.length < max; ) {
    const rec = entry?.get(id);
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
  const pos = entry ? entry.find(spanId) : -1;
  return pos >= 0 ? encodeRowBatch(entry!.rows(pos, pos + 1)) : undefined;
}

/** The ids of a trace's spans whose attributes match every `key=value` token, all or since a cursor (see attributeMatch.ts). */
export function matchTraceSpans(entry: TraceEntry | undefined, tokens: readonly AttrToken[], since?: BatchCursor): AttributeMatches | undefined {
  return entry ? attributeMatchesSince(entry, tokens, since) : undefined;
}
