import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { AttrValue, SpanView } from '../protocol/spanView';

/** An in-process span exporter that keeps every span it is given, for the CLI and tests. */
export class MemorySpanSink implements SpanExporter {
  private readonly spans: ReadableSpan[] = [];

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const s of spans) this.spans.push(s);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  get count(): number {
    return this.spans.length;
  }

  /** The spans of one trace (all spans when no id is given), as plain views. */
  views(traceId?: string): SpanView[] {
    const out: SpanView[] = [];
    for (const s of this.spans) {
      const ctx = s.spanContext();
      if (traceId && ctx.traceId !== traceId) continue;
      out.push(toSpanView(s));
    }
    return out;
  }

  clear(): void {
    this.spans.length = 0;
  }
}

export function toSpanView(s: ReadableSpan): SpanView {
  const ctx = s.spanContext();
  const parent = s.parentSpanContext?.spanId;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: s.name,
    startMs: hrTimeToMilliseconds(s.startTime),
    endMs: hrTimeToMilliseconds(s.endTime),
    status: s.status.code === SpanStatusCode.ERROR ? 'error' : s.status.code === SpanStatusCode.OK ? 'ok' : 'unset',
    ...(s.status.message ? { statusMessage: s.status.message } : {}),
    attributes: s.attributes as Record<string, AttrValue>,
    events: s.events.map((e) => ({
      name: e.name,
      timeMs: hrTimeToMilliseconds(e.time),
      attributes: (e.attributes ?? {}) as Record<string, AttrValue>,
    })),
  };
}
