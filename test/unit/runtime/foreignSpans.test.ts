// The runtime beside a registered Node SDK, in one process: spans the SDK makes inside a run's
// steps (here by a user's own tracer, as an instrumentation would) join the step's trace and are
// kept in the runtime's memory; the SDK's spans outside runs are not; nothing stays attached after
// shutdown. Without an SDK nothing is attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTracing } from '../../../src/runtime/tracing';
import { Scheduler } from '../../../src/runtime/scheduler';
import { plan, procedure } from '../../../src/runtime/procedure';

test('foreign spans: without a registered SDK, nothing is attached', async () => {
  const tracing = createTracing({ endpoint: false, memory: true, env: {} });
  assert.equal(tracing.sdkAttached, false);
  await tracing.shutdown();
});

test('foreign spans: with the Node SDK registered, its spans inside steps are children of the step span and kept in memory; others are not', async () => {
  const exported = new InMemorySpanExporter();
  const sdk = new NodeSDK({ serviceName: 'user-app', spanProcessors: [new SimpleSpanProcessor(exported)], instrumentations: [] });
  sdk.start();
  try {
    const tracing = createTracing({ endpoint: false, memory: true, env: {} });
    assert.equal(tracing.sdkAttached, true);
    const user = trace.getTracer('user-code');
    user.startSpan('outside any run').end();
    const scheduler = new Scheduler({ tracing });
    const result = await scheduler.execute(
      plan('with-sdk', (ctx) =>
        ctx.pass === 1
          ? [
              procedure('step_a', async () => {
                await user.startActiveSpan('db query', async (span) => {
                  await new Promise((r) => setTimeout(r, 5));
                  span.end();
                });
              }),
            ]
          : [],
      ),
    );
    assert.equal(result.outcome, 'converged');
    const views = tracing.memory!.views(result.traceId);
    const step = views.find((v) => v.name === 'step_a');
    const query = views.find((v) => v.name === 'db query');
    assert.ok(step && query, JSON.stringify(views.map((v) => v.name)));
    assert.equal(query.parentSpanId, step.spanId);
    assert.equal(query.traceId, result.traceId);
    assert.equal(tracing.memory!.views().filter((v) => v.name === 'outside any run').length, 0);
    // The SDK exported both of its spans itself (the runtime did not take them over).
    await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate().forceFlush();
    assert.deepEqual(exported.getFinishedSpans().map((s) => s.name).sort(), ['db query', 'outside any run']);
    await tracing.shutdown();
    // Detached: a later span in the same trace id space is not copied any more.
    const before = tracing.memory!.count;
    user.startSpan('after shutdown').end();
    assert.equal(tracing.memory!.count, before);
  } finally {
    await sdk.shutdown();
  }
});
