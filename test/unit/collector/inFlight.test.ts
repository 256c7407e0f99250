// Bodies in flight are bounded in bytes: N concurrent large bodies hold at most the allowance;
// the next request is refused with 503 + Retry-After before its body is read, nothing of it is
// stored and nothing stored before is lost or altered; once the allowance frees, requests pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { Collector } from '../../../src/collector';
import { protoRequest, protoSpan } from './protoWriter';
import { httpRequest, jsonRequest, postTraces, spanIdOf, T0, traceIdOf, withCollector } from './helpers';

const KiB = 1024;

function bigBody(t: number, bytes: number): Buffer {
  const pad = 'b'.repeat(bytes);
  return Buffer.from(jsonRequest([{ traceId: traceIdOf(t), spanId: spanIdOf(1), name: 'big', startMs: T0, endMs: T0 + 1, attributes: { pad } }]));
}

/** Starts a POST with its headers and the first half of its body; the rest is sent by `finish`. */
function startPost(endpoint: string, path: string, body: Buffer, headers: Record<string, string | number>): { req: ClientRequest; response: Promise<{ status: number; text: string }>; finish: () => void } {
  const req = request(`${endpoint}${path}`, { method: 'POST', headers });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return { req, response, finish: () => req.end(body.subarray(half)) };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition reached');
}

const budgetOf = (c: Collector) => c.store.stats().budget!;

test('N concurrent large bodies hold at most the in-flight allowance; the next gets 503 + Retry-After and nothing stored changes', async () => {
  await withCollector({ decodeThreads: 0, maxInFlightBytes: 600 * KiB }, async (c, endpoint) => {
    // Something stored before, to check it is untouched by the refusals.
    assert.equal((await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'kept', startMs: T0, endMs: T0 + 1, attributes: { v: 'before' } }]))).status, 200);
    const before = c.store.exportOtlpJson(traceIdOf(1));
    const bodies = [2, 3].map((t) => bigBody(t, 250 * KiB));
    const open = bodies.map((b) => startPost(endpoint, '/v1/traces', b, { 'content-type': 'application/json', 'content-length': b.length }));
    await until(() => budgetOf(c).inFlightBytes === bodies[0]!.length + bodies[1]!.length);
    // A third large body does not fit: refused before being read.
    const third = bigBody(4, 250 * KiB);
    const refused = await httpRequest(endpoint, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: third });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(JSON.parse(refused.text).code, 14, 'google.rpc.Status UNAVAILABLE, which OTLP exporters retry');
    assert.match(JSON.parse(refused.text).message, /busy/);
    // Logs share the allowance.
    const logs = await httpRequest(endpoint, '/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(200 * KiB, 0x20) });
    assert.equal(logs.status, 503);
    assert.ok(budgetOf(c).inFlightBytes <= budgetOf(c).maxInFlightBytes);
    assert.equal(c.store.run(traceIdOf(4)), undefined, 'nothing of the refused body is stored');
    assert.equal(c.store.exportOtlpJson(traceIdOf(1)), before, 'what was stored is unchanged');
    // The held bodies complete and are stored; then the refused one passes when retried.
    for (const o of open) o.finish();
    for (const o of open) assert.equal((await o.response).status, 200);
    await until(() => budgetOf(c).inFlightBytes === 0);
    assert.equal((await postTraces(endpoint, third)).status, 200);
    for (const t of [2, 3, 4]) assert.equal(c.store.trace(traceIdOf(t)).length, 1);
    const b = budgetOf(c);
    assert.equal(b.busyRequests, 2);
    assert.ok(b.peakInFlightBytes <= b.maxInFlightBytes, `${b.peakInFlightBytes} ≤ ${b.maxInFlightBytes}`);
    assert.equal(c.store.exportOtlpJson(traceIdOf(1)), before);
  });
});

test('a body without Content-Length that finds the bound mid-way is refused whole (503), and nothing of it is stored', async () => {
  await withCollector({ decodeThreads: 0, maxInFlightBytes: 300 * KiB }, async (c, endpoint) => {
    const held = bigBody(2, 250 * KiB);
    const first = startPost(endpoint, '/v1/traces', held, { 'content-type': 'application/json', 'content-length': held.length });
    await until(() => budgetOf(c).inFlightBytes === held.length);
    const chunked = bigBody(3, 200 * KiB);
    const second = startPost(endpoint, '/v1/traces', chunked, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    second.finish();
    const r = await second.response;
    assert.equal(r.status, 503);
    first.finish();
    assert.equal((await first.response).status, 200);
    assert.equal(c.store.run(traceIdOf(3)), undefined);
    assert.equal(c.store.trace(traceIdOf(2)).length, 1);
    await until(() => budgetOf(c).inFlightBytes === 0);
  });
});

test('one body always passes when nothing is in flight, even one larger than the allowance', async () => {
  await withCollector({ decodeThreads: 0, maxInFlightBytes: 64 * KiB }, async (c, endpoint) => {
    assert.equal((await postTraces(endpoint, bigBody(5, 200 * KiB))).status, 200);
    assert.equal(c.store.trace(traceIdOf(5)).length, 1);
    assert.equal(budgetOf(c).busyRequests, 0);
  });
});

test('gRPC shares the allowance: a call past it gets UNAVAILABLE (which exporters retry) and stores nothing', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0, maxInFlightBytes: 300 * KiB }, async (c, endpoint) => {
    const held = bigBody(2, 250 * KiB);
    const open = startPost(endpoint, '/v1/traces', held, { 'content-type': 'application/json', 'content-length': held.length });
    await until(() => budgetOf(c).inFlightBytes === held.length);
    const T = 'ee'.repeat(16);
    const body = protoRequest([protoSpan({ traceId: T, spanId: '02'.repeat(8), name: 'y'.repeat(100 * KiB), startMs: 1.7e12, endMs: 1.7e12 + 1 })]);
    const call = (): Promise<number | undefined> =>
      new Promise((resolve) => {
        const client = new grpc.Client(c.grpcAddress, grpc.credentials.createInsecure());
        client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, (err) => {
          client.close();
          resolve(err?.code);
        });
      });
    assert.equal(await call(), grpc.status.UNAVAILABLE);
    assert.equal(c.store.run(T), undefined);
    open.finish();
    assert.equal((await open.response).status, 200);
    await until(() => budgetOf(c).inFlightBytes === 0);
    assert.equal(await call(), undefined, 'accepted once the allowance is free');
    assert.equal(c.store.trace(T).length, 1);
  });
});
