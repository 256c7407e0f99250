// Logs and metrics over OTLP/gRPC from the official exporters (0.223.0, the line that runs on
// Node 20), with gzip, metadata and non-default timeouts: what they send is stored and read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { LogView } from '../../../src/collector/logs/logRecord';
import type { MetricSeries } from '../../../src/collector/metrics/metricStore';
import { httpRequest, withCollector } from '../collector/helpers';

test('logs over gRPC: the official exporter-logs-otlp-grpc (gzip, metadata, batched) — records stored, joined to their span', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c, endpoint) => {
    const url = `http://${c.grpcAddress}`;
    const metadata = new grpc.Metadata();
    metadata.set('x-team', 'checkout');
    const resource = resourceFromAttributes({ 'service.name': 'grpc-logs' });
    const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new GrpcTraceExporter({ url }))] });
    const exporter = new GrpcLogExporter({ url, compression: 'gzip' as never, metadata, timeoutMillis: 15_000 });
    const loggers = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 7, scheduledDelayMillis: 3_600_000 })] });
    const logger = loggers.getLogger('grpc-log', '3.1.0');
    const span = tracer.getTracer('t').startSpan('handle order');
    const ctx = trace.setSpan(context.active(), span);
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) logger.emit({ context: ctx, timestamp: t0 + i, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `line ${i} é ✓`, attributes: { i, even: i % 2 === 0, tags: ['a', 'b'] } });
    logger.emit({ severityNumber: SeverityNumber.WARN, body: { reason: 'no trace here', code: 7 } });
    span.end();
    await loggers.forceFlush();
    await tracer.forceFlush();
    await loggers.shutdown();
    await tracer.shutdown();
    const { traceId, spanId } = span.spanContext();
    const logs = JSON.parse((await httpRequest(endpoint, `/api/traces/${traceId}/logs`)).text) as LogView[];
    assert.deepEqual(
      logs.map((l) => l.body),
      Array.from({ length: 20 }, (_, i) => `line ${i} é ✓`),
    );
    assert.ok(logs.every((l) => l.spanId === spanId && l.serviceName === 'grpc-logs' && l.scopeName === 'grpc-log' && l.severityNumber === 9));
    assert.deepEqual(logs[3]!.attributes, { i: 3, even: false, tags: ['a', 'b'] });
    const untraced = JSON.parse((await httpRequest(endpoint, '/api/logs?service=grpc-logs')).text) as LogView[];
    assert.deepEqual(
      untraced.map((l) => [l.body, l.severityNumber]),
      [['{"reason": "no trace here", "code": 7}', 13]],
    );
    assert.equal(c.logs.stats().acceptedRecords, 21);
    assert.equal(c.store.trace(traceId)[0]?.spanId, spanId);
  });
});

test('metrics over gRPC: the official exporter-metrics-otlp-grpc (gzip, delta temporality) — points stored per series', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c, endpoint) => {
    const exporter = new GrpcMetricExporter({ url: `http://${c.grpcAddress}`, compression: 'gzip' as never, temporalityPreference: AggregationTemporality.DELTA, timeoutMillis: 15_000 });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'grpc-metrics' }), readers: [reader] });
    const meter = provider.getMeter('shop', '1.0.0');
    const orders = meter.createCounter('orders', { unit: '{order}' });
    orders.add(3, { region: 'eu' });
    const latency = meter.createHistogram('checkout.duration', { unit: 'ms' });
    for (const v of [10, 20, 30, 40]) latency.record(v);
    meter.createObservableGauge('process.memory.usage', { unit: 'By' }).addCallback((r) => r.observe(987_654));
    await reader.forceFlush();
    orders.add(5, { region: 'eu' });
    await reader.forceFlush();
    await provider.shutdown();
    const series = JSON.parse((await httpRequest(endpoint, '/api/metrics?service=grpc-metrics')).text) as MetricSeries[];
    const eu = series.find((s) => s.name === 'orders' && s.attributes.region === 'eu')!;
    assert.equal(eu.kind, 'sum');
    assert.equal(eu.unit, '{order}');
    assert.deepEqual(eu.points.slice(0, 2).map((p) => p.value), [3, 5], 'delta: each export its own increase');
    const hist = series.find((s) => s.name === 'checkout.duration')!;
    assert.equal(hist.kind, 'histogram');
    assert.deepEqual([hist.points[0]!.count, hist.points[0]!.sum], [4, 100]);
    assert.equal(series.find((s) => s.name === 'process.memory.usage')!.points.at(-1)!.value, 987_654);
  });
});
