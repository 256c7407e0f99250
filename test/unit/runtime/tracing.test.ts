import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createTracing, resolveOtlpProtocol, resolveTracesUrl, parseOtlpHeaders } from '../../../src/runtime/tracing';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { Scheduler } from '../../../src/runtime/scheduler';
import { procedure } from '../../../src/runtime/procedure';
import type { Plan } from '../../../src/runtime/types';
import { LosslessSpanProcessor } from '../../../src/runtime/losslessSpanProcessor';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

function trivialPlan(n: number): Plan {
  return {
    name: 'many',
    create: (ctx) => (ctx.pass === 1 ? Array.from({ length: n }, (_, i) => procedure(`s${i}`, () => Promise.resolve())) : []),
  };
}

test('no span is lost: 100,000 steps that only await microtasks deliver every span', async () => {
  const tracing = createTracing({ endpoint: false, memory: true, env: {} });
  const scheduler = new Scheduler({ tracing });
  const result = await scheduler.execute(trivialPlan(100_000));
  await tracing.shutdown();
  assert.equal(result.stepsRun, 100_000);
  const expected = 100_000 + 2 /* passes */ + 1; /* root */
  assert.equal(tracing.stats.produced, expected);
  assert.equal(tracing.stats.delivered, expected);
  assert.equal(tracing.stats.dropped, 0);
  assert.equal(tracing.memory!.count, expected);
});

test('a slow exporter applies backpressure instead of dropping spans', async () => {
  let inFlightMax = 0;
  let inFlight = 0;
  const received: ReadableSpan[] = [];
  const slow: SpanExporter = {
    export(spans, cb) {
      inFlight++;
      inFlightMax = Math.max(inFlightMax, inFlight);
      setTimeout(() => {
        inFlight--;
        received.push(...spans);
        cb({ code: ExportResultCode.SUCCESS });
      }, 5);
    },
    shutdown: () => Promise.resolve(),
  };
  const tracing = createTracing({ endpoint: false, memory: false, exporters: [slow], env: {}, processor: { maxBatch: 100, highWater: 400, lowWater: 100 } });
  const scheduler = new Scheduler({ tracing });
  await scheduler.execute(trivialPlan(5_000));
  await tracing.shutdown();
  assert.equal(received.length, 5_003);
  assert.equal(tracing.stats.dropped, 0);
  assert.ok(inFlightMax <= 2);
});

test('failing exports are retried, then counted as dropped — never silently', async () => {
  let calls = 0;
  const failing: SpanExporter = {
    export(_spans, cb) {
      calls++;
      cb({ code: ExportResultCode.FAILED, error: new Error('down') });
    },
    shutdown: () => Promise.resolve(),
  };
  const p = new LosslessSpanProcessor(failing, { retries: 3, retryDelayMs: 1 });
  const tracing = createTracing({ endpoint: false, memory: false, exporters: [], env: {} });
  const span = tracing.tracer.startSpan('x');
  span.end();
  // feed the ended span straight to the processor under test
  p.onEnd(span as unknown as ReadableSpan);
  await p.forceFlush();
  assert.equal(calls, 3);
  assert.deepEqual({ produced: p.stats.produced, delivered: p.stats.delivered, dropped: p.stats.dropped }, { produced: 1, delivered: 0, dropped: 1 });
});

test('instrumentation off (OTEL_SDK_DISABLED=true): the plan runs, no spans are made', async () => {
  const tracing = createTracing({ env: { OTEL_SDK_DISABLED: 'true' } });
  assert.equal(tracing.enabled, false);
  const scheduler = new Scheduler({ tracing });
  let ran = 0;
  const result = await scheduler.execute({
    name: 'off',
    create: (ctx) => (ctx.pass === 1 ? [procedure('a', (c) => void (ran++, c.span.setAttribute('k', 1), c.log.info('hi')))] : []),
  });
  assert.equal(result.outcome, 'converged');
  assert.equal(ran, 1);
  assert.equal(result.traceId, '');
  assert.equal(tracing.stats.produced, 0);
});

test('the OTLP endpoint comes from the standard variables', () => {
  assert.equal(resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(
    resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:2/custom' }),
    'http://b:2/custom',
  );
  assert.equal(resolveTracesUrl('http://c:3', {}), 'http://c:3/v1/traces');
  assert.equal(resolveTracesUrl('http://c:3/v1/traces', {}), 'http://c:3/v1/traces');
  assert.equal(resolveTracesUrl(false, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1' }), undefined);
  assert.equal(resolveTracesUrl(undefined, {}), undefined);
  assert.deepEqual(parseOtlpHeaders('api-key=abc%20d, x-team = infra,broken'), { 'api-key': 'abc d', 'x-team': 'infra' });
});

test('the OTLP protocol: http/protobuf by default (as in the OTel spec), the per-signal variable over the general one', () => {
  assert.equal(resolveOtlpProtocol(undefined, {}), 'http/protobuf');
  assert.equal(resolveOtlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), 'http/json');
  assert.equal(resolveOtlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }), 'http/protobuf');
  assert.equal(resolveOtlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' HTTP/JSON ' }), 'http/json');
  // gRPC is not spoken here: the default instead.
  assert.equal(resolveOtlpProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), 'http/protobuf');
  assert.equal(resolveOtlpProtocol('http/json', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }), 'http/json');
});

for (const [label, env, contentType] of [
  ['default (protobuf)', {}, 'application/x-protobuf'],
  ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json over OTEL_EXPORTER_OTLP_PROTOCOL', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'application/json'],
] as const) {
  test(`spans are exported over OTLP/HTTP with the configured headers and service name: ${label}`, async () => {
    const bodies: Array<{ headers: IncomingMessage['headers']; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end(contentType === 'application/json' ? '{}' : Buffer.alloc(0));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const tracing = createTracing({
        env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-token=s3cret', OTEL_SERVICE_NAME: 'provisioner' },
      });
      assert.equal(tracing.endpoint, `http://127.0.0.1:${port}/v1/traces`);
      assert.equal(tracing.protocol, contentType === 'application/json' ? 'http/json' : 'http/protobuf');
      const scheduler = new Scheduler({ tracing });
      const result = await scheduler.execute(trivialPlan(3));
      await tracing.shutdown();
      assert.equal(tracing.stats.delivered, 6);
      assert.ok(bodies.length > 0);
      const spans = bodies.flatMap((b) => {
        assert.equal(b.headers['content-type'], contentType);
        assert.equal(b.headers['x-token'], 's3cret');
        const ctx = new DecodeContext();
        return (contentType === 'application/json' ? decodeOtlpJsonBytes(b.body, ctx) : decodeOtlpProto(b.body, ctx)).spans;
      });
      assert.equal(spans.length, 6);
      assert.ok(spans.every((s) => s.traceId === result.traceId && s.origin.serviceName === 'provisioner'));
    } finally {
      server.close();
    }
  });
}
