import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chartTitle, formatMetricValue, metricCharts, METRICS_GRACE_MS, polylinePoints, runMetricSeries, type StoredSeries } from '../../../src/timelineModel/metricCharts';

const series = (name: string, unit: string, kind: string, points: StoredSeries['points'], attributes = {}, serviceName = 'svc'): StoredSeries => ({ serviceName, name, unit, kind, attributes, points });

void test('run metrics: the run service only, points from the run start to the grace after its end; histograms as means', () => {
  const all = [
    series('process.memory.usage', 'By', 'gauge', [{ timeMs: 900, value: 1 }, { timeMs: 1000, value: 2 }, { timeMs: 1500, value: 3 }, { timeMs: 2000 + METRICS_GRACE_MS, value: 4 }, { timeMs: 2001 + METRICS_GRACE_MS, value: 5 }]),
    series('http.duration', 'ms', 'histogram', [{ timeMs: 1200, count: 4, sum: 10 }, { timeMs: 1300, count: 0, sum: 0 }]),
    series('other.service', '1', 'gauge', [{ timeMs: 1200, value: 1 }], {}, 'else'),
    series('before.run', '1', 'gauge', [{ timeMs: 10, value: 1 }]),
  ];
  const got = runMetricSeries(all, 'svc', 1000, 2000);
  assert.deepEqual(got.map((s) => [s.name, s.valueIs, s.points.map((p) => p.value)]), [
    ['process.memory.usage', 'value', [2, 3, 4]],
    ['http.duration', 'mean', [2.5]],
  ]);
});

void test('charts: one per metric name, a line per attribute set, range and last value with the unit', () => {
  const charts = metricCharts([
    { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', valueIs: 'value', attributes: { 'process.cpu.state': 'user' }, points: [{ timeMs: 2, value: 0.2 }, { timeMs: 1, value: 0.1 }] },
    { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', valueIs: 'value', attributes: { 'process.cpu.state': 'system' }, points: [{ timeMs: 1, value: 0.05 }, { timeMs: 3, value: 0.07 }] },
    { name: 'process.memory.usage', unit: 'By', kind: 'gauge', valueIs: 'value', attributes: {}, points: [{ timeMs: 1, value: 50 * 1024 * 1024 }] },
  ]);
  assert.deepEqual(charts.map((c) => c.name), ['process.cpu.utilization', 'process.memory.usage']);
  const cpu = charts[0]!;
  assert.deepEqual(cpu.lines.map((l) => [l.label, l.last]), [['system', 0.07], ['user', 0.2]]);
  assert.deepEqual([cpu.t0, cpu.t1, cpu.min, cpu.max], [1, 3, 0.05, 0.2]);
  assert.equal(cpu.lastText, 'system: 7 % · user: 20 %');
  assert.equal(chartTitle(charts[1]!), 'process.memory.usage (By): 50 MiB');
  // Time left to right, value bottom to top; a single point sits in the middle.
  assert.equal(polylinePoints(cpu.lines[1]!, cpu, 100, 10), '0.0,6.7 50.0,0.0');
  assert.equal(polylinePoints(charts[1]!.lines[0]!, charts[1]!, 100, 10), '50.0,5.0');
});

void test('metric values: bytes, seconds, ratios, counts in braces, big and tiny numbers', () => {
  assert.equal(formatMetricValue(1536, 'By'), '1.5 KiB');
  assert.equal(formatMetricValue(0.25, 's'), '250 ms');
  assert.equal(formatMetricValue(0.123, '1'), '12.3 %');
  assert.equal(formatMetricValue(42, '{requests}'), '42 requests');
  assert.equal(formatMetricValue(1234.5, ''), '1,235');
  assert.equal(formatMetricValue(2e12, 'By'), '1.82 TiB');
  assert.equal(formatMetricValue(1e-6, 'm'), '1.00e-6 m');
  assert.equal(formatMetricValue(NaN, 'By'), 'NaN');
});
