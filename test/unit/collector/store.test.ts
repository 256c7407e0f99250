import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import type { StoreChange } from '../../../src/protocol/collectorTypes';
import { jsonRequest, planRun, spanIdOf, traceIdOf, T0, type SpanSpec } from './helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonRows } from '../../../src/collector/ingest/otlpJsonScanner';

const cluster = (n: number) =>
  planRun(n, 'create-cluster', [
    [
      ['create_security_group', 10, ['EC2 CreateSecurityGroup']],
      ['register_cluster_node_to_lb', 20, ['EC2 DescribeInstances', 'ELBv2 DescribeTargetGroups', 'ELBv2 RegisterTargets']],
    ],
    [],
  ]);

test('assembles a run from spans arriving out of order across requests: running until the root arrives', () => {
  const store = new SpanStore();
  const spans = cluster(1);
  const root = spans.pop()!;
  // Children in reverse order, split over three requests.
  const reversed = spans.reverse();
  importOtlpJson(store, jsonRequest(reversed.slice(0, 3)));
  assert.equal(store.run(traceIdOf(1))?.status, 'running');
  assert.equal(store.run(traceIdOf(1))?.kind, 'plan');
  assert.equal(store.run(traceIdOf(1))?.plan, 'create-cluster');
  importOtlpJson(store, jsonRequest(reversed.slice(3)));
  const tree0 = store.tree(traceIdOf(1))!;
  assert.ok(tree0.roots.every((r) => r.orphan), 'passes are orphans until the root arrives');
  importOtlpJson(store, jsonRequest([root]));
  const run = store.run(traceIdOf(1))!;
  assert.equal(run.status, 'converged');
  assert.equal(run.passes, 2);
  assert.equal(run.spanCount, 9);
  assert.equal(run.durationMs, 30);
  const tree = store.tree(traceIdOf(1))!;
  assert.equal(tree.roots.length, 1);
  assert.equal(tree.roots[0]!.name, 'plan create-cluster');
  assert.deepEqual(tree.roots[0]!.children.map((c) => c.name), ['pass 1', 'pass 2']);
  const pass1 = tree.roots[0]!.children[0]!;
  assert.deepEqual(pass1.children.map((c) => c.name), ['create_security_group', 'register_cluster_node_to_lb']);
  assert.equal(pass1.children[1]!.children.length, 3);
});

test('a re-sent span replaces the earlier copy instead of counting twice', () => {
  const store = new SpanStore();
  const s: SpanSpec = { traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'x', startMs: T0, endMs: T0 + 1 };
  importOtlpJson(store, jsonRequest([s]));
  importOtlpJson(store, jsonRequest([{ ...s, status: 2 }]));
  assert.equal(store.stats().spans, 1);
  assert.equal(store.run(traceIdOf(1))?.errorCount, 1);
  importOtlpJson(store, jsonRequest([s]));
  assert.equal(store.run(traceIdOf(1))?.errorCount, 0);
});

test('other OTel traces are listed too; failed when a span has an error', () => {
  const store = new SpanStore();
  importOtlpJson(store, jsonRequest([
    { traceId: traceIdOf(2), spanId: spanIdOf(1), name: 'GET /users', startMs: T0, endMs: T0 + 8 },
    { traceId: traceIdOf(2), spanId: spanIdOf(2), parentSpanId: spanIdOf(1), name: 'db', startMs: T0 + 1, endMs: T0 + 2, status: 2 },
  ], 'web'));
  const [r] = store.runs();
  assert.deepEqual({ kind: r!.kind, plan: r!.plan, status: r!.status, service: r!.serviceName, errors: r!.errorCount }, { kind: 'trace', plan: 'GET /users', status: 'failed', service: 'web', errors: 1 });
});

test('evicts whole oldest traces beyond maxSpans and maxTraces, and counts them', () => {
  const store = new SpanStore({ maxSpans: 25, maxTraces: 100 });
  for (let n = 1; n <= 4; n++) importOtlpJson(store, jsonRequest(cluster(n))); // 9 spans each
  const st = store.stats();
  assert.equal(st.spans, 18);
  assert.equal(st.traces, 2);
  assert.equal(st.evictedTraces, 2);
  assert.equal(st.evictedSpans, 18);
  assert.deepEqual(store.runs().map((r) => r.traceId).sort(), [traceIdOf(3), traceIdOf(4)]);
  assert.equal(store.trace(traceIdOf(1)).length, 0);

  const byCount = new SpanStore({ maxTraces: 3 });
  for (let n = 1; n <= 5; n++) importOtlpJson(byCount, jsonRequest(cluster(n)));
  assert.equal(byCount.stats().traces, 3);
  assert.equal(byCount.stats().evictedTraces, 2);
  assert.equal(byCount.stats().spans, 27);
});

test('nothing is lost below the bounds', () => {
  const store = new SpanStore({ maxSpans: 10_000, maxTraces: 1_000 });
  let sent = 0;
  for (let n = 1; n <= 1000; n++) {
    const run = cluster(n);
    sent += run.length;
    importOtlpJson(store, jsonRequest(run));
  }
  assert.equal(store.stats().spans, sent);
  assert.equal(store.stats().evictedTraces, 0);
  assert.equal(store.runs().length, 1000);
});

test('change events are coalesced: a burst of 100,000 spans is one event', async () => {
  const store = new SpanStore({ maxSpans: 200_000, changeIntervalMs: 10 });
  const events: StoreChange[] = [];
  const sub = store.onDidChange((e) => events.push(e));
  const spans: SpanSpec[] = [];
  for (let i = 0; i < 100_000; i++) spans.push({ traceId: traceIdOf(i % 50), spanId: spanIdOf(i + 1), parentSpanId: spanIdOf(999_999), name: 'x', startMs: T0, endMs: T0 + 1 });
  for (let i = 0; i < spans.length; i += 1000) importOtlpJson(store, jsonRequest(spans.slice(i, i + 1000)));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(events.length, 1);
  assert.equal(events[0]!.traceIds.length, 50);
  assert.equal(events[0]!.runsChanged, true);
  importOtlpJson(store, jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(200_001), parentSpanId: spanIdOf(1), name: 'y', startMs: T0, endMs: T0 + 1 }]));
  store.flushChanges();
  assert.deepEqual(events[1], { traceIds: [traceIdOf(1)], runsChanged: false });
  sub.dispose();
  importOtlpJson(store, jsonRequest([{ traceId: traceIdOf(7), spanId: spanIdOf(1), name: 'z', startMs: T0, endMs: T0 + 1 }]));
  store.flushChanges();
  assert.equal(events.length, 2);
  store.dispose();
});

test('delete, clear, export and import round trip', () => {
  const store = new SpanStore();
  importOtlpJson(store, jsonRequest(cluster(1)));
  importOtlpJson(store, jsonRequest(cluster(2)));
  const exported = store.exportOtlpJson(traceIdOf(1));
  const before = store.trace(traceIdOf(1));
  assert.equal(store.deleteTrace(traceIdOf(1)), true);
  assert.equal(store.deleteTrace(traceIdOf(1)), false);
  assert.equal(store.stats().traces, 1);
  store.clear();
  assert.equal(store.stats().spans, 0);
  const result = importOtlpJson(store, exported);
  assert.deepEqual(result, { traceIds: [traceIdOf(1)], acceptedSpans: 9, rejectedSpans: 0, refusedSpans: 0, refusedReason: '' });
  const after = store.trace(traceIdOf(1));
  const norm = (xs: typeof before) => xs.map((s) => ({ ...s, startMs: Math.round(s.startMs * 1000), endMs: Math.round(s.endMs * 1000) })).sort((a, b) => a.spanId.localeCompare(b.spanId));
  assert.deepEqual(norm(after), norm(before));
});

test('runs of one trace in a body, shorter and longer than the tables made for them, are all stored and found by span id', () => {
  // The rows of a span index tell the store how many spans of a trace come in a row: a new trace's
  // tables are made that size (at most 1,024) and grow beyond it. Interleaved runs, a repeated id
  // (last write wins) and a trace that comes back in a later run must all come out exact.
  const specs: SpanSpec[] = [];
  const span = (trace: number, i: number, name = `s${i}`): SpanSpec => ({ traceId: traceIdOf(trace), spanId: spanIdOf(trace * 10_000 + i), parentSpanId: i === 0 ? undefined : spanIdOf(trace * 10_000), name, startMs: T0 + i, endMs: T0 + i + 1 });
  for (let i = 0; i < 1500; i++) specs.push(span(1, i));
  for (let i = 0; i < 3; i++) specs.push(span(2, i));
  for (let i = 1500; i < 1600; i++) specs.push(span(1, i));
  specs.push(span(2, 1, 'again'));
  const store = new SpanStore();
  const batch = decodeOtlpJsonRows(Buffer.from(jsonRequest(specs)), store.decodeContext);
  assert.ok('append' in batch, 'the body is stored as rows of its index');
  const result = store.ingest(batch);
  assert.equal(result.acceptedSpans, specs.length);
  const one = store.entry(traceIdOf(1))!;
  const two = store.entry(traceIdOf(2))!;
  assert.equal(one.size, 1600);
  assert.equal(two.size, 3);
  for (let i = 0; i < 1600; i++) assert.equal(one.get(spanIdOf(10_000 + i))?.name, `s${i}`);
  assert.deepEqual(
    [0, 1, 2].map((i) => two.get(spanIdOf(20_000 + i))?.name),
    ['s0', 'again', 's2'],
  );
  assert.equal(store.stats().spans, 1603);
});
