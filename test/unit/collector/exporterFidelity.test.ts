import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, TraceFlags, context, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { withCollector } from './helpers';
import { normalRequest } from './otlpGenerator';

/**
 * Spans with everything the OTel JS SDK can put on a span: links (with attributes and a remote
 * context's traceState), a traceState of its own, every attribute type the API allows, events,
 * every kind and status, limits low enough to give dropped counts, a scope version and schema URL.
 * Returns what the SDK finished, as the official JSON serializer writes it — the reference.
 */
async function emit(exporter: SpanExporter): Promise<unknown> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fidelity', 'host.arch': 'x64', 'process.pid': 4242, 'deployment.ratio': 0.25, 'feature.on': true, 'langs': ['ts', 'go'] }),
    spanLimits: { attributeCountLimit: 12, eventCountLimit: 3, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 2 },
    spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('fidelity-test', '4.5.6', { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' });
  const remote = trace.setSpanContext(context.active(), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
  });
  const root = tracer.startSpan('root', { kind: SpanKind.SERVER, startTime: [1763000000, 123456789] }, remote);
  const rootCtx = trace.setSpan(remote, root);
  const kinds = [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  for (let i = 0; i < 4; i++) {
    const s = tracer.startSpan(
      `child ${i}`,
      {
        kind: kinds[i],
        startTime: [1763000000, 200000001 + i],
        attributes: {
          str: 'text "quoted" \\ and ✓',
          int: 42,
          negative: -7,
          big: 2 ** 53 - 1,
          double: 3.25,
          whole_double: 3.0,
          bool: i % 2 === 0,
          strs: ['a', '', 'c'],
          ints: [1, 2, 3],
          doubles: [0.5, 1.5],
          bools: [true, false],
          with_null: ['a', null as unknown as string, 'b'],
          over_the_limit_1: 'x',
          over_the_limit_2: 'y',
        },
        links: [
          { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('vendor=v1') }, attributes: { 'link.kind': 'follows', 'link.n': 1, 'link.extra': 'dropped' } },
          { context: root.spanContext(), attributes: { 'link.kind': 'parent-ish' } },
          { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE } },
        ],
      },
      rootCtx,
    );
    s.addEvent('event one', { 'e.n': i, 'e.s': 'v', 'e.dropped': true }, [1763000000, 300000000 + i]);
    s.addEvent('event two', [1763000000, 300000100]);
    for (let e = 0; e < 3; e++) s.addEvent(`extra ${e}`);
    if (i === 1) s.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed: <b>bold</b>' });
    if (i === 2) s.setStatus({ code: SpanStatusCode.OK });
    s.end([1763000001, 987654321]);
  }
  root.end([1763000002, 1]);
  await provider.forceFlush();
  const finished = memory.getFinishedSpans();
  await provider.shutdown();
  return JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(finished)!).toString('utf8'));
}

for (const [name, make] of [
  ['exporter-trace-otlp-http (JSON)', (url: string) => new JsonExporter({ url })],
  ['exporter-trace-otlp-http (JSON) with gzip', (url: string) => new JsonExporter({ url, compression: 'gzip' as never })],
  ['exporter-trace-otlp-proto (protobuf)', (url: string) => new ProtoExporter({ url })],
  ['exporter-trace-otlp-proto with gzip', (url: string) => new ProtoExporter({ url, compression: 'gzip' as never })],
] as const) {
  test(`official ${name}: every field the SDK sends is stored and exported as sent, compared field by field`, async () => {
    await withCollector({}, async (c, endpoint) => {
      const reference = await emit(make(`${endpoint}/v1/traces`));
      const want = normalRequest(reference);
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const got = normalRequest(JSON.parse(c.store.exportOtlpJson(traceId)));
      assert.equal(got.length, 5);
      assert.deepEqual(got, want);
      // A few of the fields this covers, spelled out.
      const child = got.find((s) => (s as { name: string }).name === 'child 1') as Record<string, unknown>;
      assert.ok((child.links as unknown[]).length === 2 && child.droppedLinks === 1 && child.droppedEvents === 2 && (child.droppedAttributes as number) === 2);
      // The SDK keeps the last links past its limit; flags carry the W3C flags and the is-remote bits.
      assert.deepEqual((child.links as { traceState: string; flags: number }[]).map((l) => [l.traceState, l.flags]), [['congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', 0x101], ['', 0x100]]);
      assert.equal(child.traceState, 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
      assert.equal(child.start, '1763000000200000002');
      assert.deepEqual((child.attributes as [string, unknown][]).find(([k]) => k === 'whole_double'), ['whole_double', ['int', '3']]);
      // The read API's span view carries links for the timeline.
      const view = c.store.trace(traceId).find((s) => s.name === 'child 1')!;
      assert.deepEqual(view.links?.map((l) => [l.traceId, l.spanId, l.traceState, l.attributes['link.kind']]), [
        [traceId, (got.find((s) => (s as { name: string }).name === 'root') as { spanId: string }).spanId, 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', 'parent-ish'],
        ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', undefined, undefined],
      ]);
      assert.equal(c.store.stats().rejectedSpans, 0);
    });
  });
}
