import type { ReadableSpan, SpanExporter, SpanProcessor, Span } from '@opentelemetry/sdk-trace-base';
import { LosslessQueue, type LosslessProcessorOptions } from './losslessQueue';

export type { DeliveryStats, LosslessProcessorOptions } from './losslessQueue';

/**
 * A batching span processor that never drops a span to keep up (see {@link LosslessQueue}): the
 * SDK's BatchSpanProcessor drops spans once its queue is full, which with fast steps is nearly all
 * of them; this one keeps every span and asks the scheduler to wait instead.
 */
export class LosslessSpanProcessor extends LosslessQueue<ReadableSpan> implements SpanProcessor {
  constructor(exporter: SpanExporter, options: LosslessProcessorOptions = {}) {
    super(exporter, options);
  }

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    this.enqueue(span);
  }
}
