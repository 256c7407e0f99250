import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { withCollector } from './helpers';

async function emit(exporter: SpanExporter, spans: number): Promise<{ traceId: string; rootId: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'interop' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 64, maxQueueSize: spans * 2 })],
  });
  const tracer = provider.getTracer('interop-test', '1.2.3');
  const root = tracer.startSpan('plan interop', { attributes: { 'instrument_first.kind': 'plan', 'plan.name': 'interop', 'plan.outcome': 'converged', 'plan.passes': 1 } });
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < spans - 1; i++) {
    const s = tracer.startSpan(`step ${i}`, { attributes: { 'instrument_first.kind': 'step', 'procedure.id': `p${i % 7}`, 'plan.pass': 1, n: i, ratio: i / 3, ok: i % 2 === 0, tags: ['a', 'b'] } }, ctx);
    s.addEvent('log', { 'log.severity': 'info', 'log.message': `line ${i}` });
    if (i === 3) s.setStatus({ code: SpanStatusCode.ERROR, message: 'failed at 3' });
    s.end();
  }
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: root.spanContext().traceId, rootId: root.spanContext().spanId };
}

for (const [name, make] of [
  ['exporter-trace-otlp-http (JSON)', (url: string) => new JsonExporter({ url })],
  ['exporter-trace-otlp-proto (protobuf)', (url: string) => new ProtoExporter({ url })],
  ['exporter-trace-otlp-proto with gzip', (url: string) => new ProtoExporter({ url, compression: 'gzip' as never })],
] as const) {
  test(`interop: the real OTel ${name} delivers every span intact`, async () => {
    await withCollector({}, async (c, endpoint) => {
      const { traceId, rootId } = await emit(make(`${endpoint}/v1/traces`), 300);
      const run = c.store.run(traceId)!;
      assert.equal(run.spanCount, 300);
      assert.equal(run.status, 'converged');
      assert.equal(run.serviceName, 'interop');
      assert.equal(run.errorCount, 1);
      const spans = c.store.trace(traceId);
      const s3 = spans.find((s) => s.name === 'step 3')!;
      assert.equal(s3.parentSpanId, rootId);
      assert.equal(s3.status, 'error');
      assert.equal(s3.statusMessage, 'failed at 3');
      assert.deepEqual(s3.attributes, { 'instrument_first.kind': 'step', 'procedure.id': 'p3', 'plan.pass': 1, n: 3, ratio: 1, ok: false, tags: ['a', 'b'] });
      assert.equal(spans.find((s) => s.name === 'step 4')!.attributes.ratio, 4 / 3);
      assert.deepEqual(s3.events.map((e) => [e.name, e.attributes['log.message']]), [['log', 'line 3']]);
      assert.ok(s3.endMs >= s3.startMs && s3.startMs > 1.6e12);
      assert.equal(c.store.stats().rejectedSpans, 0);
      assert.equal(JSON.parse(c.store.exportOtlpJson(traceId)).resourceSpans[0].scopeSpans[0].scope.version, '1.2.3');
    });
  });
}
