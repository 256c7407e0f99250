import type { AttrValue, SpanView } from '../protocol/spanView';

/**
 * The narrow view of one trace's spans that a run summary is computed from, so that the collector
 * (flat records) and in-process tests (span views) share one summary function without copying
 * spans into a common shape. Spans are addressed by index, 0 ≤ i < count.
 */
export interface SpanSource {
  readonly count: number;
  traceId?(i: number): string;
  spanId(i: number): string;
  /** '' (or undefined) for a root span. */
  parentSpanId(i: number): string | undefined;
  name(i: number): string;
  startMs(i: number): number;
  endMs(i: number): number;
  /** Status ERROR, or an `exception` event on the span. */
  failed(i: number): boolean;
  /** 'error' | 'ok' | 'unset'. */
  status(i: number): 'error' | 'ok' | 'unset';
  attr(i: number, key: string): AttrValue | undefined;
}

/** A span source over plain span views (the runtime's memory sink, exported runs, tests). */
export function spanViewSource(spans: readonly SpanView[]): SpanSource {
  return {
    count: spans.length,
    traceId: (i) => spans[i]?.traceId ?? '',
    spanId: (i) => spans[i]!.spanId,
    parentSpanId: (i) => spans[i]!.parentSpanId,
    name: (i) => spans[i]!.name,
    startMs: (i) => spans[i]!.startMs,
    endMs: (i) => spans[i]!.endMs,
    failed: (i) => {
      const s = spans[i]!;
      if (s.status === 'error') return true;
      for (const e of s.events) if (e.name === 'exception') return true;
      return false;
    },
    status: (i) => spans[i]!.status,
    attr: (i, key) => spans[i]!.attributes[key],
  };
}
