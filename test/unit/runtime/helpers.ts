import { createTracing, type Tracing } from '../../../src/runtime/tracing';
import { Scheduler, type SchedulerOptions } from '../../../src/runtime/scheduler';
import type { SpanView } from '../../../src/protocol/spanView';

/** A scheduler whose spans stay in memory, for assertions. */
export function memoryScheduler(options: Omit<SchedulerOptions, 'tracing'> = {}): { scheduler: Scheduler; tracing: Tracing } {
  const tracing = createTracing({ endpoint: false, memory: true, env: {} });
  return { scheduler: new Scheduler({ ...options, tracing }), tracing };
}

export function spansOf(tracing: Tracing, traceId: string): SpanView[] {
  return tracing.memory!.views(traceId);
}

export function byName(spans: SpanView[], name: string): SpanView {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span named ${name} among ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
