import { trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MemorySpanSink } from './memorySink';

/**
 * Auto-instrumentation inside steps. A program that registers the standard Node SDK (for example
 * `@opentelemetry/sdk-node` with the http and undici instrumentations, loaded with `--require`)
 * makes its spans with its own tracer provider, as the child of whatever span is active: inside a
 * step that is the step's span (the scheduler runs `do()` in the step's context, through the
 * global context manager the SDK registered), so they land in the run's trace. The SDK exports
 * them itself (to OTEL_EXPORTER_OTLP_ENDPOINT by default, where ours go too).
 *
 * What the SDK cannot do is hand them to this pipeline's in-process memory, which the CLI's
 * waterfall is drawn from. {@link attachToGlobalProvider} adds a processor to the registered SDK
 * provider that copies the ended spans of this pipeline's open runs into that memory (only
 * memory: the SDK's own exporter already sends them, and sending them twice would duplicate them
 * in a collector).
 */
export class RunTraces implements SpanProcessor {
  /** Trace ids of runs (root spans of this pipeline) that have started and not yet ended. */
  private readonly open = new Set<string>();

  has(traceId: string): boolean {
    return this.open.has(traceId);
  }

  onStart(span: Span, _parentContext: Context): void {
    if (!span.parentSpanContext) this.open.add(span.spanContext().traceId);
  }

  onEnd(span: ReadableSpan): void {
    if (!span.parentSpanContext) this.open.delete(span.spanContext().traceId);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}

/** Copies the foreign spans of open runs into the memory sink. */
class ForeignSpanCopier implements SpanProcessor {
  constructor(
    private readonly runs: RunTraces,
    private readonly memory: MemorySpanSink,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.runs.has(span.spanContext().traceId)) this.memory.export([span], () => undefined);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface SdkProviderInternals {
  getDelegate?: () => unknown;
  _activeSpanProcessor?: { _spanProcessors?: unknown };
}

/**
 * The span processor list of the globally registered SDK tracer provider (SDK 2.x keeps it in
 * `_activeSpanProcessor._spanProcessors`; there is no public way to add a processor after the
 * provider is built). Undefined when no SDK provider is registered, or one of another shape.
 */
function globalProcessorList(): SpanProcessor[] | undefined {
  const proxy = trace.getTracerProvider() as unknown as SdkProviderInternals;
  const delegate = (typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : proxy) as SdkProviderInternals | undefined;
  const list = delegate?._activeSpanProcessor?._spanProcessors;
  return Array.isArray(list) ? (list as SpanProcessor[]) : undefined;
}

/**
 * When the program registered an SDK tracer provider, adds a processor to it that copies spans of
 * this pipeline's open runs into `memory`. Returns the function that removes it, or undefined when
 * there is nothing to attach to.
 */
export function attachToGlobalProvider(runs: RunTraces, memory: MemorySpanSink): (() => void) | undefined {
  const list = globalProcessorList();
  if (!list) return undefined;
  const copier = new ForeignSpanCopier(runs, memory);
  list.push(copier);
  return () => {
    const i = list.indexOf(copier);
    if (i >= 0) list.splice(i, 1);
  };
}
