import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { withCollector } from '../collector/helpers';
import { protoRequest, protoSpan } from '../collector/protoWriter';

const hrMs = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;

test('OTLP/gRPC: the official exporter (gzip, metadata) delivers every span; each field matches what the SDK recorded', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    assert.match(c.grpcAddress, /^127\.0\.0\.1:\d+$/);
    const memory = new InMemorySpanExporter();
    const metadata = new grpc.Metadata();
    metadata.set('x-team', 'checkout');
    const exporter = new GrpcExporter({ url: `http://${c.grpcAddress}`, compression: 'gzip' as never, metadata, timeoutMillis: 20_000 });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'grpc-interop' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 50, maxQueueSize: 1000 }), new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('grpc-test', '0.0.7');
    const root = tracer.startSpan('plan grpc', { kind: SpanKind.SERVER, attributes: { 'instrument_first.kind': 'plan', 'plan.name': 'grpc' } });
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 120; i++) {
      const s = tracer.startSpan(`step ${i}`, { attributes: { n: i, ratio: i / 7, ok: i % 2 === 0, tags: ['x', 'y'], text: 'é ✓ '.repeat(i % 4) } }, ctx);
      s.addEvent('note', { i });
      if (i % 40 === 5) s.setStatus({ code: SpanStatusCode.ERROR, message: `bad ${i}` });
      s.end();
    }
    root.end();
    await provider.forceFlush();
    const recorded: ReadableSpan[] = memory.getFinishedSpans();
    await provider.shutdown();
    assert.equal(recorded.length, 121);
    const traceId = root.spanContext().traceId;
    const stored = new Map(c.store.trace(traceId).map((s) => [s.spanId, s]));
    assert.equal(stored.size, 121);
    for (const r of recorded) {
      const s = stored.get(r.spanContext().spanId)!;
      assert.ok(s, r.name);
      assert.equal(s.name, r.name);
      assert.equal(s.parentSpanId ?? undefined, r.parentSpanContext?.spanId);
      assert.ok(Math.abs(s.startMs - hrMs(r.startTime)) < 1e-3, 'start');
      assert.ok(Math.abs(s.endMs - hrMs(r.endTime)) < 1e-3, 'end');
      assert.equal(s.status, r.status.code === SpanStatusCode.ERROR ? 'error' : 'unset');
      assert.equal(s.statusMessage ?? undefined, r.status.message);
      assert.deepEqual(s.attributes, r.attributes);
      assert.deepEqual(
        s.events.map((e) => [e.name, e.attributes]),
        r.events.map((e) => [e.name, e.attributes]),
      );
    }
    assert.equal(c.store.run(traceId)?.serviceName, 'grpc-interop');
    assert.equal(c.store.stats().rejectedSpans, 0);
  });
});

function callExport(address: string, service: string, body: Buffer, options: grpc.ClientOptions = {}): Promise<{ err: grpc.ServiceError | null; res: Buffer | undefined }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), options);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/opentelemetry.proto.collector.${service}/Export`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (err, res) => {
        client.close();
        resolve({ err, res });
      },
    );
  });
}

test('OTLP/gRPC: garbage is INVALID_ARGUMENT, too large is RESOURCE_EXHAUSTED, a bad span is partialSuccess; nothing of a refused request is stored', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0, maxBodyBytes: 64 * 1024 }, async (c) => {
    const a = c.grpcAddress;
    const garbage = await callExport(a, 'trace.v1.TraceService', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    assert.equal(garbage.err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(garbage.err?.details ?? '', /\S/);
    const T = 'aa'.repeat(16);
    const huge = protoRequest([protoSpan({ traceId: T, spanId: '01'.repeat(8), name: 'x'.repeat(100_000), startMs: 1.7e12, endMs: 1.7e12 + 1 })]);
    const tooLarge = await callExport(a, 'trace.v1.TraceService', huge);
    assert.equal(tooLarge.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(c.store.stats().spans, 0);
    const mixed = protoRequest([
      protoSpan({ traceId: T, spanId: '02'.repeat(8), name: 'fine', startMs: 1.7e12, endMs: 1.7e12 + 5 }),
      protoSpan({ traceId: T, spanId: '03'.repeat(8), name: 'backwards', startMs: 1.7e12 + 5, endMs: 1.7e12 }),
    ]);
    const partial = await callExport(a, 'trace.v1.TraceService', mixed);
    assert.equal(partial.err, null);
    // ExportTraceServiceResponse { partial_success = 1 { rejected_spans = 1; error_message = 2 } }
    const res = partial.res!;
    assert.equal(res[0], 0x0a);
    assert.equal(res[2], 0x08);
    assert.equal(res[3], 1, 'one span rejected');
    assert.match(res.toString('utf8'), /ends before it starts/);
    assert.deepEqual(
      c.store.trace(T).map((s) => s.name),
      ['fine'],
    );
    const logs = await callExport(a, 'logs.v1.LogsService', Buffer.alloc(0));
    assert.equal(logs.err, null);
    assert.equal(logs.res!.length, 0, 'an empty request: full success');
    const badLogs = await callExport(a, 'logs.v1.LogsService', Buffer.from([0x0a, 0x05, 0x12]));
    assert.equal(badLogs.err?.code, grpc.status.INVALID_ARGUMENT);
    const metrics = await callExport(a, 'metrics.v1.MetricsService', Buffer.alloc(0));
    assert.equal(metrics.err, null);
    assert.equal((await callExport(a, 'metrics.v1.MetricsService', Buffer.from([0x0a, 0x7f]))).err?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(c.store.stats().spans, 1);
  });
});

test('instrument-first collector --grpc-port 0 prints the gRPC address beside the HTTP one and stores what the gRPC exporter sends', async () => {
  const { spawn } = await import('node:child_process');
  const { resolve } = await import('node:path');
  const child = spawn(process.execPath, [resolve('dist/cli.js'), 'collector', '--grpc-port', '0', '--decode-threads', '0'], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  try {
    const started = Date.now();
    // Both streams: stdout and stderr are two pipes, and either may be read first.
    while (!(/^grpc /m.test(stdout) && /OTLP\/gRPC on /.test(stderr)) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    const [http, grpcLine] = stdout.trim().split('\n');
    assert.match(http!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(grpcLine!, /^grpc 127\.0\.0\.1:\d+$/);
    assert.match(stderr, /OTLP\/gRPC on 127\.0\.0\.1:\d+/);
    const address = grpcLine!.slice(5);
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new GrpcExporter({ url: `http://${address}` }))] });
    const span = provider.getTracer('cli').startSpan('over grpc');
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const res = await fetch(`${http}/api/traces/${span.spanContext().traceId}/spans`);
    assert.deepEqual(((await res.json()) as { name: string }[]).map((s) => s.name), ['over grpc']);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  assert.match(stderr, /collector stopped: 1 spans accepted/);
});
