import {
  context,
  createContextKey,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * Brand of the router in OpenTelemetry's global registry. A symbol from the global registry, so
 * the CommonJS and the ESM build of this module (and several copies in one process) find the
 * same router.
 */
const ROUTER_BRAND = Symbol.for('instrument-first.testing.traceRouter');

/** The tracer used for spans that belong to no run in progress (as the API does with no SDK). */
const NO_RUN_TRACER: Tracer = new ProxyTracerProvider().getTracer('instrument-first-testing');

/**
 * The process's global tracer provider while trace tests run: a span started through the global
 * API (`trace.getTracer(…)`, i.e. by auto-instrumentation) inside a step is made by the tracer of
 * the run that owns the active span, so it lands in that run's trace and no other. Runs register
 * their trace id for as long as they go on; spans with no registered parent are not recorded.
 */
export class TraceRouter implements TracerProvider {
  readonly [ROUTER_BRAND] = true;
  private readonly runs = new Map<string, Tracer>();
  private readonly tracer: Tracer;

  constructor() {
    const route = (options: SpanOptions | undefined, ctx: Context | undefined): Tracer => {
      if (options?.root) return NO_RUN_TRACER;
      const parent = trace.getSpan(ctx ?? context.active());
      return (parent && this.runs.get(parent.spanContext().traceId)) || NO_RUN_TRACER;
    };
    this.tracer = {
      startSpan: (name, options, ctx) => route(options, ctx).startSpan(name, options, ctx),
      startActiveSpan: ((name: string, ...rest: unknown[]) => {
        const fn = rest[rest.length - 1] as (span: Span) => unknown;
        const options = (rest.length >= 2 ? rest[0] : undefined) as SpanOptions | undefined;
        const ctx = (rest.length >= 3 ? rest[1] : undefined) as Context | undefined;
        const parentCtx = ctx ?? context.active();
        const span = route(options, parentCtx).startSpan(name, options, parentCtx);
        return context.with(trace.setSpan(parentCtx, span), fn, undefined, span);
      }) as Tracer['startActiveSpan'],
    };
  }

  getTracer(): Tracer {
    return this.tracer;
  }

  /** Spans whose parent is in `traceId` are made by `tracer` until the returned function is called. */
  register(traceId: string, tracer: Tracer): () => void {
    this.runs.set(traceId, tracer);
    return () => {
      if (this.runs.get(traceId) === tracer) this.runs.delete(traceId);
    };
  }

  get activeRuns(): number {
    return this.runs.size;
  }
}

function isRouter(p: unknown): p is TraceRouter {
  return typeof p === 'object' && p !== null && (p as Record<symbol, unknown>)[ROUTER_BRAND] === true;
}

const PROBE = createContextKey('instrument-first.testing.probe');

/** Whether the global context manager carries context into callbacks (none is registered by default). */
function contextPropagates(): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  return context.with(probe, () => context.active().getValue(PROBE) === true);
}

/** What {@link globalRouter} found or set up. */
export interface RouterSetup {
  router: TraceRouter;
  /** False when another tracer provider was already registered: global-API spans go there instead. */
  global: boolean;
}

/**
 * Finds the router in OpenTelemetry's global registry, or registers one (and an
 * AsyncLocalStorage context manager, if no working one is registered). The state lives in the
 * OpenTelemetry API's own global registry, not in this module, so every copy of this module in
 * the process shares it.
 */
export function globalRouter(): RouterSetup {
  if (!contextPropagates()) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = trace.getTracerProvider();
  // Duck-typed: the ESM and the CommonJS copy of the API each have their own ProxyTracerProvider class.
  const withDelegate = provider as TracerProvider & { getDelegate?: () => TracerProvider };
  const delegate = typeof withDelegate.getDelegate === 'function' ? withDelegate.getDelegate() : provider;
  if (isRouter(delegate)) return { router: delegate, global: true };
  const router = new TraceRouter();
  // Registers only when no provider is registered yet; else the user's own SDK stays in charge.
  const global = trace.setGlobalTracerProvider(router);
  return { router, global };
}
