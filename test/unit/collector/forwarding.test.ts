import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Collector } from '../../../src/collector';
import { jsonRequest, planRun, postTraces, traceIdOf } from './helpers';
import { protoRequest, protoSpan } from './protoWriter';

test('forwards every accepted batch, unchanged, to a second collector (with headers)', async () => {
  const downstream = new Collector();
  const { endpoint: down } = await downstream.start();
  const upstream = new Collector({ forward: { url: down, headers: { 'x-tenant': 'a' } } });
  const { endpoint: up } = await upstream.start();
  try {
    const spans = planRun(1, 'p', [[['a', 1, ['c']]]]);
    assert.equal((await postTraces(up, jsonRequest(spans))).status, 200);
    assert.equal((await postTraces(up, gzipSync(protoRequest([protoSpan({ ...spans[0]!, traceId: traceIdOf(2) })])), 'application/x-protobuf', { 'content-encoding': 'gzip' })).status, 200);
    assert.equal((await postTraces(up, '{bad')).status, 400); // not forwarded
    await upstream.drainForwarding();
    assert.equal(downstream.store.stats().spans, spans.length + 1);
    assert.deepEqual(downstream.store.trace(traceIdOf(1)).map((s) => s.spanId).sort(), upstream.store.trace(traceIdOf(1)).map((s) => s.spanId).sort());
    const st = upstream.store.stats();
    assert.equal(st.forwardedBatches, 2);
    assert.equal(st.forwardFailures, 0);
    assert.equal(downstream.store.stats().requests, 2);
  } finally {
    await upstream.stop();
    await downstream.stop();
  }
});

test('a dead forward endpoint is retried, then counted as failed; local ingest carries on', async () => {
  // A port that refuses connections: bind, note it, close.
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const warnings: string[] = [];
  // A backoff long beside ten concurrent posts, so the queue of 4 overflows whatever the machine's load.
  const c = new Collector({ forward: { url: `http://127.0.0.1:${port}`, maxAttempts: 2, initialBackoffMs: 300, maxQueue: 4 }, onWarning: (m) => warnings.push(m) });
  const { endpoint } = await c.start();
  try {
    const posts = await Promise.all(Array.from({ length: 10 }, (_, i) => postTraces(endpoint, jsonRequest(planRun(i + 1, 'p', [[['a', 1, []]]])))));
    assert.deepEqual(posts.map((r) => r.status), Array(10).fill(200));
    assert.equal(c.store.stats().runs, 10);
    await c.drainForwarding(10_000);
    const st = c.store.stats();
    assert.equal(st.forwardedBatches, 0);
    assert.equal(st.forwardFailures, 10, 'every batch failed: retried ones and those dropped from the full queue');
    assert.ok(st.forwardDropped > 0);
    assert.equal(st.forwardQueued, 0);
    assert.ok(warnings.some((w) => w.includes('forwarding')));
  } finally {
    await c.stop();
  }
});
