// One memory budget for spans, log records and metric points (issue 16 on issue 12's budget): the
// three stores together never pass it, and what goes first is the least recently updated unit,
// whatever its signal, with unfinished traces last.
import { test } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { LogStore } from '../../../src/collector/logs/logStore';
import { decodeOtlpLogsJson } from '../../../src/collector/logs/otlpLogsDecoder';
import { MemoryBudget } from '../../../src/collector/store/memoryBudget';
import { MetricStore } from '../../../src/collector/metrics/metricStore';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { HeapGrowthLimit, heapGrowingPercent, percentForLive } from '../../../src/collector/store/heapGrowth';
import { jsonRequest, spanIdOf, T0, traceIdOf } from './helpers';

function stores(maxBytes: number) {
  let now = 0;
  const clock = (): number => now;
  const budget = new MemoryBudget(maxBytes, clock);
  const spans = new SpanStore({ budget, clock, idleMs: 0, maxTraceBytes: maxBytes });
  const logs = new LogStore({ budget });
  const metrics = new MetricStore({ budget });
  return { budget, spans, logs, metrics, at: (t: number) => (now = t) };
}

/** A trace of `n` spans with `pad` characters in one attribute; finished (root sent) unless `open`. */
function traceBody(t: number, n: number, pad: number, open = false): string {
  const list = Array.from({ length: n }, (_, i) => ({
    traceId: traceIdOf(t),
    spanId: spanIdOf(i + 1),
    ...(i > 0 || open ? { parentSpanId: spanIdOf(open ? 999 : 1) } : {}),
    name: `s${i}`,
    startMs: T0 + i,
    endMs: T0 + i + 1,
    attributes: { pad: `${t}-${i}-`.padEnd(pad, 'p') },
  }));
  return jsonRequest(list);
}

const ctx = new DecodeContext();
function logBatch(tag: string, n: number, pad: number) {
  return decodeOtlpLogsJson(
    { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => ({ timeUnixNano: String(1.7e18 + i), body: { stringValue: `${tag} ${i} `.padEnd(pad, 'l') } })) }] }] },
    ctx,
  ).records;
}

function points(series: number, name = 'm') {
  return Array.from({ length: series }, (_, i) => ({ serviceName: 'svc', name, unit: '1', kind: 'gauge' as const, attributes: { i }, timeMs: T0, value: i }));
}

test('spans, log records and metric points share one budget: together they never pass it', () => {
  const s = stores(256 * 1024);
  for (let k = 0; k < 60; k++) {
    s.at(k);
    if (k % 3 === 0) importOtlpJson(s.spans, traceBody(k, 10, 400));
    else if (k % 3 === 1) s.logs.add(logBatch(`b${k}`, 40, 300));
    else s.metrics.add(points(30, `m${k}`));
    assert.ok(s.budget.usedBytes <= s.budget.maxBytes, `after step ${k}: ${s.budget.usedBytes} ≤ ${s.budget.maxBytes}`);
    assert.equal(s.budget.usedBytes, s.spans.stats().bytes + s.logs.stats().bytes + s.metrics.stats().bytes);
  }
  const b = s.spans.stats().budget!;
  assert.equal(b.maxBytes, 256 * 1024);
  // Every signal gave up something to the others, and /api/stats says so per signal.
  assert.ok(b.signals.spans.evictedUnits > 0 && b.signals.logs.evictedUnits > 0 && b.signals.metrics.evictedUnits > 0, JSON.stringify(b.signals));
  assert.equal(b.signals.logs.evictedUnits, s.logs.stats().evictedRecords);
  assert.equal(b.signals.metrics.evictedUnits, s.metrics.stats().evictedSeries);
  assert.equal(b.signals.spans.evictedUnits, s.spans.stats().evictedTraces);
  // What is left is the newest of each signal.
  assert.ok(s.spans.run(traceIdOf(57)), 'the newest trace is kept');
  assert.equal(s.metrics.query({ name: 'm59' }).length, 30, 'the newest series are kept');
});

test('the budget tells how much of what it holds is off the heap: large span values, not small ones, nor logs', () => {
  const s = stores(8 * 1024 * 1024);
  importOtlpJson(s.spans, traceBody(1, 4, 100));
  s.logs.add(logBatch('a', 20, 300));
  assert.equal(s.budget.offHeapBytes, 0, 'nothing large yet');
  importOtlpJson(s.spans, traceBody(2, 4, 64 * 1024));
  // Four 64 KiB values in a slab (counted whole once held), not the rest of what is stored.
  assert.ok(s.budget.offHeapBytes >= 4 * 64 * 1024, String(s.budget.offHeapBytes));
  assert.ok(s.budget.offHeapBytes < s.budget.usedBytes);
});

test('eviction order: least recently updated first across signals; unfinished traces last', () => {
  const s = stores(200 * 1024);
  s.at(1);
  importOtlpJson(s.spans, traceBody(1, 10, 2000)); // finished trace A, ~20 kB
  s.at(2);
  importOtlpJson(s.spans, traceBody(2, 10, 2000, true)); // unfinished trace U (no root), oldest of all but A
  s.at(3);
  s.logs.add(logBatch('old', 10, 1000)); // ~10 kB of logs
  s.at(4);
  s.metrics.add(points(20, 'old')); // series last updated at 4
  s.at(5);
  importOtlpJson(s.spans, traceBody(5, 10, 2000)); // finished trace B
  s.at(6);
  s.metrics.add(points(20, 'old')); // the same series, updated again: now younger than B
  const evicted = (): string[] => {
    const out: string[] = [];
    if (!s.spans.run(traceIdOf(1))) out.push('A');
    if (!s.spans.run(traceIdOf(2))) out.push('U');
    if (s.logs.withoutTrace(undefined, 1_000_000).filter((l) => l.body.startsWith('old')).length < 10) out.push('logs');
    if (s.metrics.query({ name: 'old' }).length < 20) out.push('metrics');
    if (!s.spans.run(traceIdOf(5))) out.push('B');
    return out;
  };
  assert.deepEqual(evicted(), []);
  // New logs, a few kB at a time: each time the least recently updated unit goes.
  const seen: string[] = [];
  for (let k = 0; k < 400 && seen.length < 5; k++) {
    s.at(10 + k);
    s.logs.add(logBatch(`new${k}`, 4, 1000));
    assert.ok(s.budget.usedBytes <= s.budget.maxBytes);
    for (const e of evicted()) if (!seen.includes(e)) seen.push(e);
  }
  // A (finished at 1) before the old logs (3), then B (5) before the series (updated at 6); the
  // unfinished trace U (2) only when nothing older but new logs is left... which never happens
  // while newer logs can go: U outlives them all.
  assert.deepEqual(seen.slice(0, 4), ['A', 'logs', 'B', 'metrics']);
  assert.ok(s.spans.run(traceIdOf(2)), 'the unfinished trace is evicted last: still there');
  assert.equal(s.spans.stats().evictedUnfinished, 0);
});

test('an unfinished trace goes only when nothing else is left to give up', () => {
  const s = stores(64 * 1024);
  s.at(1);
  importOtlpJson(s.spans, traceBody(1, 5, 2000, true));
  s.at(2);
  // A log flood larger than what is left gives up its own oldest records, not the unfinished trace.
  s.logs.add(logBatch('flood', 60, 1000));
  assert.ok(s.spans.run(traceIdOf(1)), 'the unfinished trace outlives the logs');
  assert.ok(s.logs.stats().records > 0 && s.logs.stats().records < 60);
  assert.ok(s.budget.usedBytes <= s.budget.maxBytes);
  // A trace being stored that needs the room: logs go first, then the unfinished trace.
  s.at(3);
  importOtlpJson(s.spans, traceBody(2, 25, 2000));
  assert.equal(s.logs.stats().records, 0);
  assert.equal(s.spans.run(traceIdOf(1)), undefined);
  assert.equal(s.spans.stats().evictedUnfinished, 1);
  assert.equal(s.spans.trace(traceIdOf(2)).length, 25);
  assert.ok(s.budget.usedBytes <= s.budget.maxBytes);
});

test('a trace being stored never evicts itself, even when only logs can make room', () => {
  const s = stores(128 * 1024);
  s.at(1);
  s.logs.add(logBatch('early', 50, 1000));
  s.at(2);
  const r = importOtlpJson(s.spans, traceBody(9, 50, 2000));
  assert.equal(r.refusedSpans, 0);
  assert.equal(s.spans.trace(traceIdOf(9)).length, 50, 'all its spans are kept');
  assert.ok(s.logs.stats().evictedRecords > 0, 'logs made room');
  assert.ok(s.budget.usedBytes <= s.budget.maxBytes);
});

test('a store used alone keeps its own budget (the old maxBytes option still works)', () => {
  const logs = new LogStore({ maxBytes: 32 * 1024 });
  logs.add(logBatch('x', 200, 500));
  assert.ok(logs.stats().bytes <= 32 * 1024);
  const metrics = new MetricStore({ maxBytes: 8 * 1024 });
  metrics.add(points(500));
  assert.ok(metrics.stats().bytes <= 8 * 1024);
});

test('heap growth headroom: a smaller share of a larger budget, within 10–100 %', () => {
  const MiB = 1024 * 1024;
  assert.ok(heapGrowingPercent(256 * MiB) > heapGrowingPercent(1024 * MiB));
  assert.equal(heapGrowingPercent(16 * 1024 * MiB), 10);
  assert.equal(heapGrowingPercent(1 * MiB), 100);
});

test('heap growth follows what is live after a full collection: a budget held mostly off the heap gets more headroom than the budget alone gives', async () => {
  const MiB = 1024 * 1024;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const limit = new HeapGrowthLimit(256 * MiB);
  try {
    assert.equal(limit.percent, heapGrowingPercent(256 * MiB));
    // This test process's heap is far below 256 MiB: after a full collection the percent is set for it.
    gc();
    // The collection is told through a PerformanceObserver, delivered later: 50 ms was not always
    // enough on a loaded machine. Waits for it (a test timeout, not this, ends a missing one).
    const initial = limit.percent;
    while (limit.percent === initial) await new Promise((r) => setTimeout(r, 20));
    assert.equal(limit.percent, percentForLive(getHeapStatistics().used_heap_size));
    assert.ok(limit.percent > heapGrowingPercent(256 * MiB));
    // Small moves are left alone; large ones followed.
    const before = limit.percent;
    limit.follow((100 * 48 * MiB) / (before - 2));
    assert.equal(limit.percent, before);
    limit.follow(480 * MiB);
    assert.equal(limit.percent, 10);
  } finally {
    limit.dispose();
  }
});
