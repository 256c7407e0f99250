import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ValueType } from '@opentelemetry/api';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { MetricSeries } from '../../../src/collector/metrics/metricStore';
import { MetricStore } from '../../../src/collector/metrics/metricStore';
import { httpRequest, withCollector } from '../collector/helpers';
import { fixture } from '../imports/helpers';

test('metrics: the official exporter-metrics-otlp-proto — counter, histogram, exponential histogram and gauge points (double and int) stored per series, read back from /api/metrics', async () => {
  await withCollector({ decodeThreads: 0 }, async (_c, endpoint) => {
    const exporter = new ProtoMetricExporter({ url: `${endpoint}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'metrics-interop' }),
      readers: [reader],
      views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const meter = provider.getMeter('shop', '1.0.0');
    const orders = meter.createCounter('orders', { unit: '{order}' });
    orders.add(3, { region: 'eu' });
    orders.add(4, { region: 'us' });
    const latency = meter.createHistogram('checkout.duration', { unit: 'ms' });
    for (const v of [10, 20, 30]) latency.record(v);
    meter.createObservableGauge('process.memory.usage', { unit: 'By' }).addCallback((r) => r.observe(123_456_789.5));
    meter.createObservableGauge('process.threads', { valueType: ValueType.INT }).addCallback((r) => r.observe(42, { pool: 'io' }));
    const payload = meter.createHistogram('payload.size', { unit: 'By' });
    for (const v of [100, 200, 4000]) payload.record(v, { route: '/upload' });
    await reader.forceFlush();
    orders.add(5, { region: 'eu' });
    await reader.forceFlush();
    await provider.shutdown();
    const series = JSON.parse((await httpRequest(endpoint, '/api/metrics?service=metrics-interop')).text) as MetricSeries[];
    const eu = series.find((s) => s.name === 'orders' && s.attributes.region === 'eu')!;
    assert.equal(eu.kind, 'sum');
    assert.equal(eu.unit, '{order}');
    assert.deepEqual(eu.points.map((p) => p.value), [3, 8, 8], 'cumulative: the latest points, oldest first (shutdown exports once more)');
    assert.deepEqual(series.find((s) => s.name === 'orders' && s.attributes.region === 'us')!.points.map((p) => p.value), [4, 4, 4]);
    const hist = series.find((s) => s.name === 'checkout.duration')!;
    assert.equal(hist.kind, 'histogram');
    assert.deepEqual([hist.points.at(-1)!.count, hist.points.at(-1)!.sum], [3, 60]);
    const gauge = series.find((s) => s.name === 'process.memory.usage')!;
    assert.equal(gauge.kind, 'gauge');
    assert.equal(gauge.points.at(-1)!.value, 123_456_789.5, 'as_double');
    const threads = series.find((s) => s.name === 'process.threads')!;
    assert.deepEqual([threads.kind, threads.attributes.pool, threads.points.at(-1)!.value], ['gauge', 'io', 42], 'as_int, with its attribute');
    const sizes = series.find((s) => s.name === 'payload.size')!;
    assert.deepEqual([sizes.kind, sizes.unit, sizes.attributes.route], ['exponentialHistogram', 'By', '/upload'], 'attributes are field 1 of an exponential histogram point');
    assert.deepEqual([sizes.points.at(-1)!.count, sizes.points.at(-1)!.sum], [3, 4300]);
    assert.ok(gauge.points.at(-1)!.timeMs > 1.6e12);
  });
});

test('metrics over HTTP JSON (the OTLP example), garbage refused, and the store keeps a window per series within its budget', async () => {
  await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    const example = fixture('otelcol-file-exporter.jsonl').split('\n')[2]!;
    let r = await httpRequest(endpoint, '/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: example });
    assert.equal(r.status, 200, r.text);
    const series = JSON.parse((await httpRequest(endpoint, '/api/metrics?service=my.service')).text) as MetricSeries[];
    assert.deepEqual([...new Set(series.map((s) => s.kind))].sort(), ['exponentialHistogram', 'gauge', 'histogram', 'sum']);
    assert.equal(series.find((s) => s.name === 'my.counter')?.points[0]?.value, 5);
    r = await httpRequest(endpoint, '/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics": {}}' });
    assert.equal(r.status, 400);
    r = await httpRequest(endpoint, '/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0x40, 0x12]) });
    assert.equal(r.status, 400);
    assert.equal(c.metrics.stats().series, series.length);
  });
  const store = new MetricStore({ maxBytes: 20_000, window: 5 });
  for (let i = 0; i < 10; i++) store.add([{ serviceName: 's', name: 'm', unit: '', kind: 'gauge', attributes: {}, timeMs: i, value: i }]);
  assert.deepEqual(store.query()[0]!.points.map((p) => p.value), [5, 6, 7, 8, 9]);
  for (let i = 0; i < 500; i++) store.add([{ serviceName: 's', name: `m${i}`, unit: '', kind: 'gauge', attributes: { i }, timeMs: 1, value: 1 }]);
  const s = store.stats();
  assert.ok(s.bytes <= s.maxBytes && s.evictedSeries > 0);
  assert.equal(store.query({ name: 'm' }).length, 0, 'the least recently updated series went first');
});
