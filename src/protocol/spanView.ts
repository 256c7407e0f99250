/**
 * A plain, display-oriented view of one span: what the terminal waterfall, the views and the
 * timeline draw from, whichever store it came from. Times are epoch milliseconds (fractional).
 */
export type AttrValue = string | number | boolean | string[] | number[] | boolean[];

export interface SpanEventView {
  name: string;
  timeMs: number;
  attributes: Record<string, AttrValue>;
}

export type SpanStatusName = 'unset' | 'ok' | 'error';

export interface SpanView {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  status: SpanStatusName;
  statusMessage?: string;
  attributes: Record<string, AttrValue>;
  events: SpanEventView[];
}
