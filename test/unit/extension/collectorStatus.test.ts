// What the status bar tooltip and the Runs view say about the collector's bounds (pure text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import { collectorTooltip, formatBytes, lossLines, runLossText, runsViewMessage } from '../../../src/views/collectorStatus';
import { collectorStatusText } from '../../../src/views/format';
import { jsonRequest } from '../collector/helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { LogStore } from '../../../src/collector/logs/logStore';
import { decodeOtlpLogsJson } from '../../../src/collector/logs/otlpLogsDecoder';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { MemoryBudget } from '../../../src/collector/store/memoryBudget';
import { formatCount } from '../../../src/views/format';

const span = (trace: string, id: number, parent = 'ffffffffffffffff') => ({ traceId: trace, spanId: id.toString(16).padStart(16, '0'), parentSpanId: parent, name: 'x', startMs: 1e12, endMs: 1e12 + 1 });

test('nothing lost: the tooltip gives the budget and the counts, the Runs view no message', () => {
  const store = new SpanStore({ maxBytes: 8 * 1024 * 1024 });
  importOtlpJson(store, jsonRequest([span('a'.repeat(32), 1)]));
  const s = store.stats();
  assert.deepEqual(lossLines(s), []);
  assert.equal(runsViewMessage(s), '');
  const tip = collectorTooltip(s, 'http://127.0.0.1:4318');
  assert.match(tip, /OTLP\/HTTP at http:\/\/127\.0\.0\.1:4318\/v1\/traces/);
  assert.match(tip, /of 8 MiB \(0%\) · 1 spans in 1 traces/);
  assert.match(tip, /limits: 8 MiB, one trace 4 MiB; 500k spans, 2k traces/);
  assert.doesNotMatch(tip, /gRPC/);
  // With the gRPC receiver running, its address on the line after the HTTP one.
  assert.equal(collectorTooltip(s, 'http://127.0.0.1:4318', 'http://127.0.0.1:4317').split('\n')[1], 'OTLP/gRPC at http://127.0.0.1:4317');
  store.dispose();
});

test('evicted, refused and truncated counts reach the tooltip, the status text and the Runs view', () => {
  const store = new SpanStore({ maxSpans: 10, maxTraces: 2 });
  for (let t = 1; t <= 3; t++) importOtlpJson(store, jsonRequest([span(String(t).repeat(32), t)]));
  importOtlpJson(store, jsonRequest(Array.from({ length: 8 }, (_, i) => span('9'.repeat(32), 100 + i))));
  const s = store.stats();
  assert.equal(s.evictedTraces, 2);
  assert.equal(s.refusedSpans, 3);
  const tip = collectorTooltip(s, 'http://127.0.0.1:1');
  assert.match(tip, /2 traces \(2 spans\) evicted to stay within the memory budget, 2 of them unfinished/);
  assert.match(tip, /3 spans refused: their trace reached its share/);
  assert.equal(runsViewMessage(s), 'Memory budget 256 MiB: 2 evicted, 3 spans refused (hover the status bar for details)');
  assert.equal(collectorStatusText({ running: true, spans: s.spans, runs: s.runs, evictedTraces: s.evictedTraces, refusedSpans: s.refusedSpans }), '$(pulse) 6 spans · 0 runs · 2 evicted · 3 refused');
  assert.equal(runLossText(store.run('9'.repeat(32))!), ' · 3 spans refused (trace over its share of the budget)');
  assert.deepEqual(lossLines({ ...s, evictedTraces: 0, refusedSpans: 0, truncatedSpans: 4 }), ['4 spans stored with values truncated to the caps']);
  store.dispose();
});

test('bytes read as people read them', () => {
  assert.deepEqual([0, 1023, 2048, 1.5 * 1024 * 1024, 256 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '2 KiB', '1.5 MiB', '256 MiB', '3 GiB']);
});

test('logs sharing the budget: their bytes in the usage line, their evictions in the tooltip and the Runs view', () => {
  const budget = new MemoryBudget(256 * 1024);
  const store = new SpanStore({ budget });
  const logs = new LogStore({ budget });
  importOtlpJson(store, jsonRequest([span('a'.repeat(32), 1)]));
  const line = (i: number) => ({ timeUnixNano: String(1.7e18 + i), body: { stringValue: `line ${i} `.repeat(40) } });
  logs.add(decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 10 }, (_, i) => line(i)) }] }] }, new DecodeContext()).records);
  let s = store.stats();
  assert.match(collectorTooltip(s, 'http://127.0.0.1:1'), / · logs \d[\d.]* KiB \(10 records\)/);
  assert.deepEqual(lossLines(s), [], 'nothing evicted yet');
  // Far more than the budget: the oldest records go, and say so.
  for (let k = 0; k < 40; k++) logs.add(decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 50 }, (_, i) => line(1000 * k + i)) }] }] }, new DecodeContext()).records);
  s = store.stats();
  const evicted = s.budget!.signals.logs.evictedUnits;
  assert.ok(evicted > 0);
  assert.ok(s.budget!.usedBytes <= s.maxBytes);
  assert.ok(lossLines(s).includes(`${formatCount(evicted)} log records evicted (least recently updated first) to stay within the memory budget`), lossLines(s).join('\n'));
  assert.match(runsViewMessage(s), new RegExp(`${formatCount(evicted)} log records evicted`));
  store.dispose();
});
