// Small bodies first: while a small body is in flight, large bodies' reading and storing wait for
// it, each for a bounded time (workSlicer.ts, otlpHttpReceiver.ts). No clock is read by these
// tests: a wait bound of a minute shows the order, a bound of 0 shows that large bodies go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LARGE_BODY, WorkSlicer } from '../../../src/collector/ingest/workSlicer';
import { receiveTraces } from '../../../src/collector/ingest/otlpHttpReceiver';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { jsonRequest, spanIdOf, T0, traceIdOf } from './helpers';

/** Lets `n` event-loop turns pass (the slicer runs its slices from immediates). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

test('small first: a large job waits while a small body is in flight, and runs once it is answered', async () => {
  const slicer = new WorkSlicer(60_000, 60_000);
  const seen: string[] = [];
  const endSmall = slicer.smallBodyBegan();
  assert.equal(slicer.smallInFlight, 1);
  slicer.run(() => seen.push('large'), LARGE_BODY);
  await turns(5);
  assert.equal(seen.length, 0, 'held back while the small body is in flight, though nothing else waits');
  slicer.run(() => seen.push('small'), 1000);
  await turns(5);
  assert.deepEqual(seen, ['small'], "the small body's own job runs");
  endSmall();
  endSmall(); // a second end (finish, then close) changes nothing
  assert.equal(slicer.smallInFlight, 0);
  await turns(3);
  assert.deepEqual(seen, ['small', 'large']);
  slicer.dispose();
});

test('small first: a held-back large job runs after the wait bound although small bodies stay in flight', async () => {
  const slicer = new WorkSlicer(60_000, 0);
  slicer.smallBodyBegan(); // never ends
  const alive = setInterval(() => {}, 60_000); // the slicer's timer is unref'd
  await new Promise<void>((resolve) => slicer.run(resolve, 4 * LARGE_BODY));
  clearInterval(alive);
  assert.equal(slicer.pending, 0);
  slicer.dispose();
});

test('small first: a large body is paused while a small one is in flight and resumed once, when none is', () => {
  const slicer = new WorkSlicer(8, 60_000);
  const calls: string[] = [];
  const pacer = slicer.paceLargeBody(
    () => calls.push('pause'),
    () => calls.push('resume'),
  );
  pacer.read(0);
  pacer.read(64 * 1024);
  assert.equal(calls.length, 0, 'no small body in flight: read on');
  const endA = slicer.smallBodyBegan();
  const endB = slicer.smallBodyBegan();
  pacer.read(64 * 1024);
  pacer.read(64 * 1024); // a chunk the parser had already read
  assert.deepEqual(calls, ['pause']);
  endA();
  assert.deepEqual(calls, ['pause'], 'one small body still in flight');
  endB();
  assert.deepEqual(calls, ['pause', 'resume']);
  pacer.dispose();
  const endC = slicer.smallBodyBegan();
  pacer.read(64 * 1024);
  endC();
  assert.deepEqual(calls, ['pause', 'resume'], 'a finished request is never paused again');
  slicer.dispose();
});

test('small first: a pause ends after the wait bound; then LARGE_BODY bytes are read before the next pause', async () => {
  const slicer = new WorkSlicer(8, 0);
  const calls: string[] = [];
  let resumed: () => void = () => {};
  const pacer = slicer.paceLargeBody(
    () => calls.push('pause'),
    () => {
      calls.push('resume');
      resumed();
    },
  );
  slicer.smallBodyBegan(); // never ends
  // The pause's timer is unref'd (a request's socket keeps a server alive): here the test holds the loop.
  const alive = setInterval(() => {}, 60_000);
  await new Promise<void>((resolve) => {
    resumed = resolve;
    pacer.read(0);
  });
  clearInterval(alive);
  assert.deepEqual(calls, ['pause', 'resume']);
  pacer.read(LARGE_BODY - 1);
  assert.deepEqual(calls, ['pause', 'resume'], 'within the bytes let through');
  pacer.read(1);
  assert.deepEqual(calls, ['pause', 'resume', 'pause']);
  // A request answered while paused (refused midway) is resumed, so the rest of it is drained.
  pacer.dispose();
  assert.deepEqual(calls, ['pause', 'resume', 'pause', 'resume']);
  slicer.dispose();
});

/** An OTLP/JSON body of one span in trace `n` with an attribute of `pad` characters. */
function body(n: number, pad: number): Buffer {
  return Buffer.from(jsonRequest([{ traceId: traceIdOf(n), spanId: spanIdOf(n), name: `span ${n}`, startMs: T0, endMs: T0 + 1, attributes: { pad: 'x'.repeat(pad) } }]));
}

function answer(req: ClientRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function withReceiver(slicer: WorkSlicer, fn: (url: string, store: SpanStore) => Promise<void>): Promise<void> {
  const store = new SpanStore({ maxBytes: 64 * 1024 * 1024 });
  const server = createServer((req, res) => receiveTraces(req, res, store, { maxBodyBytes: 16 * 1024 * 1024, slicer }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, store);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    store.dispose();
    slicer.dispose();
  }
}

function post(url: string, length: number): ClientRequest {
  return request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': length } });
}

test('small first over HTTP: a large body is not read while a small request is in flight, then both are stored', async () => {
  let paused: () => void = () => {};
  const pausedOnce = new Promise<string>((r) => (paused = () => r('paused')));
  // The wait bound of a minute: only the small request's answer lets the large body be read.
  const slicer = new (class extends WorkSlicer {
    override paceLargeBody(pause: () => void, resume: () => void): ReturnType<WorkSlicer['paceLargeBody']> {
      return super.paceLargeBody(() => {
        pause();
        paused();
      }, resume);
    }
  })(8, 60_000);
  await withReceiver(slicer, async (url, store) => {
    const small = body(1, 100);
    const smallReq = post(url, small.length);
    const smallAnswer = answer(smallReq);
    smallReq.write(small.subarray(0, 50)); // in flight: headers and part of its body
    while (store.counters.requests === 0) await turns(1);
    const large = body(2, 2 * LARGE_BODY);
    const largeReq = post(url, large.length);
    const largeAnswer = answer(largeReq);
    largeReq.end(large);
    const first = await Promise.race([pausedOnce, largeAnswer.then(() => 'answered')]);
    assert.equal(first, 'paused', 'the large body was held back, not read and answered');
    assert.equal(store.trace(traceIdOf(2)).length, 0);
    smallReq.end(small.subarray(50));
    assert.equal(await smallAnswer, 200);
    assert.equal(await largeAnswer, 200);
    assert.equal(store.trace(traceIdOf(1)).length, 1);
    assert.equal(store.trace(traceIdOf(2)).length, 1, 'the large body was stored whole once let through');
    assert.equal(slicer.smallInFlight, 0);
  });
});

test('small first over HTTP: a large body is still read, stored and answered while a small request never finishes', async () => {
  const slicer = new WorkSlicer(8, 0);
  await withReceiver(slicer, async (url, store) => {
    const small = body(1, 100);
    const smallReq = post(url, small.length);
    smallReq.on('error', () => {}); // reset when the server closes
    smallReq.write(small.subarray(0, 50)); // never completed
    while (store.counters.requests === 0) await turns(1);
    const large = body(2, 3 * LARGE_BODY);
    const largeReq = post(url, large.length);
    const largeAnswer = answer(largeReq);
    largeReq.end(large);
    assert.equal(await largeAnswer, 200);
    assert.equal(store.trace(traceIdOf(2)).length, 1);
    assert.equal(slicer.smallInFlight, 1, 'the small request is still in flight');
    smallReq.destroy();
  });
});
