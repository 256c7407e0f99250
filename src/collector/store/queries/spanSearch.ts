import type { SpanQuery, SpanSearchResult } from '../../../protocol/collectorTypes';
import type { SpanView } from '../../../protocol/spanView';
import { attr, STATUS_ERROR, STATUS_OK, toSpanView, type SpanLike } from '../spanRecord';
import type { TraceSource } from '../traceEntry';

/** Spans matching every given criterion, newest traces first. */
export function searchSpans(store: TraceSource, q: SpanQuery): SpanSearchResult {
  const limit = Math.max(1, Math.min(q.limit ?? 100, 10_000));
  const name = q.name?.toLowerCase();
  const status = q.status === 'error' ? STATUS_ERROR : q.status === 'ok' ? STATUS_OK : q.status === 'unset' ? 0 : -1;
  const match = (rec: SpanLike): boolean => {
    if (status >= 0 && rec.status !== status) return false;
    if (q.minDurationMs !== undefined && rec.endMs - rec.startMs < q.minDurationMs) return false;
    if (name !== undefined && !rec.name.toLowerCase().includes(name)) return false;
    if (q.attribute !== undefined) {
      const v = attr(rec, q.attribute);
      if (v === undefined) return false;
      if (q.attributeValue !== undefined && (Array.isArray(v) ? v.join(',') : String(v)) !== q.attributeValue) return false;
    }
    return true;
  };
  const spans: SpanView[] = [];
  const traces = q.traceId ? [store.entry(q.traceId)].filter((e) => e !== undefined) : [...store.entries()].reverse();
  for (const entry of traces) {
    for (const rec of entry.spans()) {
      if (!match(rec)) continue;
      if (spans.length >= limit) return { spans, truncated: true };
      spans.push(toSpanView(rec));
    }
  }
  return { spans, truncated: false };
}
