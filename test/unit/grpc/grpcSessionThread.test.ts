// The OTLP/gRPC session thread (grpcSessionWorker.ts): the HTTP/2 server runs on a worker and hands
// each whole message to the storing thread, which answers. What the boundary must keep: one
// in-flight byte bound shared with OTLP/HTTP across the two threads; a deadline passing after the
// hand-over, or a client gone, stores nothing; a session thread that dies is reported, gives back
// its bytes and is started again on the same port (and past a few deaths the receiver says it
// stopped); stopping ends the thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Collector, GrpcStartError } from '../../../src/collector';
import { OtlpGrpcReceiver } from '../../../src/collector/grpc/otlpGrpcReceiver';
import { InFlightBytes } from '../../../src/collector/ingest/inFlightBytes';
import { WorkSlicer } from '../../../src/collector/ingest/workSlicer';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { withCollector } from '../collector/helpers';
import { protoRequest, protoSpan } from '../collector/protoWriter';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** The session thread's script as the tests are built (file by file, under out/). */
const WORKER = join(__dirname, '../../../src/collector/grpc/grpcSessionWorker.js');

const body = (t: string, name: string): Buffer => protoRequest([protoSpan({ traceId: t.repeat(16), spanId: '01'.repeat(8), name, startMs: 1.7e12, endMs: 1.7e12 + 1 })]);

function frame(message: Buffer, declaredLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

interface OpenCall {
  req: ClientHttp2Stream;
  /** grpc-status, or undefined when the stream closed without one. */
  status: Promise<number | undefined>;
  close(): void;
}

/** Opens a call on its own connection and writes `bytes` (the request left open unless `end`). */
function openCall(address: string, bytes: Buffer, end = false, headers: OutgoingHttpHeaders = {}): OpenCall {
  const session: ClientHttp2Session = connect(`http://${address}`);
  session.on('error', () => {});
  const req = session.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers', ...headers });
  req.on('error', () => {});
  req.on('data', () => {});
  const status = new Promise<number | undefined>((resolve) => {
    let s: number | undefined;
    req.on('response', (h) => (s = h['grpc-status'] === undefined ? s : Number(h['grpc-status'])));
    req.on('trailers', (t) => (s = Number(t['grpc-status'])));
    req.on('close', () => resolve(s));
  });
  if (end) req.end(bytes);
  else req.write(bytes);
  return { req, status, close: () => session.destroy() };
}

const call = async (address: string, bytes: Buffer, headers: OutgoingHttpHeaders = {}): Promise<number | undefined> => {
  const c = openCall(address, bytes, true, headers);
  try {
    return await c.status;
  } finally {
    c.close();
  }
};

/** An OTLP/HTTP protobuf POST declaring `length` bytes, of which only `sent` are written (left open) or all (answered). */
function httpPost(endpoint: string, payload: Buffer, declared = payload.length): { status: Promise<number>; abort(): void } {
  const req = request(new URL('/v1/traces', endpoint), { method: 'POST', agent: false, headers: { 'content-type': 'application/x-protobuf', 'content-length': declared } });
  const status = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
  if (declared === payload.length) req.end(payload);
  else req.write(payload);
  return { status, abort: () => req.destroy() };
}

const grpcOf = (c: Collector): OtlpGrpcReceiver => (c as unknown as { grpc: OtlpGrpcReceiver }).grpc;
const inFlightOf = (c: Collector): number => c.store.stats().budget!.inFlightBytes;

test('OTLP/gRPC session thread: one in-flight byte bound with OTLP/HTTP across the two threads — each side refused while the other holds the bytes, nothing of a refused call stored', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0, maxInFlightBytes: 64 * 1024 }, async (c, endpoint) => {
    assert.ok(grpcOf(c).sessionThreadForTests, 'the collector runs gRPC on its session thread');
    // A gRPC message of 60,000 bytes half-sent: reserved on the session thread from its prefix.
    const held = openCall(c.grpcAddress, frame(Buffer.alloc(1000), 60_000));
    await until('the session thread reserved the message on the shared counter', () => inFlightOf(c) === 60_000);
    const http = httpPost(endpoint, body('a1', 'http refused '.padEnd(8000, 'x')));
    assert.equal(await http.status, 503, 'OTLP/HTTP is refused past the bound the gRPC call holds');
    const late = Buffer.alloc(10_000, 0);
    assert.equal(await call(c.grpcAddress, frame(late)), 14, 'a second gRPC call is UNAVAILABLE');
    held.req.close();
    held.close();
    await until('the cancelled call gave its bytes back', () => inFlightOf(c) === 0);

    // Now OTLP/HTTP holds the bytes: a request declaring 60,000 bytes, 1,000 of them sent.
    const httpHeld = httpPost(endpoint, Buffer.alloc(1000), 60_000);
    await until('OTLP/HTTP reserved its declared length', () => inFlightOf(c) === 60_000);
    assert.equal(await call(c.grpcAddress, frame(body('a2', 'grpc refused '.padEnd(8000, 'x')))), 14, 'gRPC is UNAVAILABLE past the bound the HTTP request holds');
    httpHeld.abort();
    await until('the aborted HTTP request gave its bytes back', () => inFlightOf(c) === 0);

    assert.equal(await call(c.grpcAddress, frame(body('a3', 'stored'))), 0);
    assert.deepEqual(
      c.store.trace('a3'.repeat(16)).map((s) => s.name),
      ['stored'],
    );
    assert.equal(c.store.trace('a1'.repeat(16)).length + c.store.trace('a2'.repeat(16)).length, 0, 'nothing of a refused request stored');
    assert.ok(c.store.stats().budget!.busyRequests >= 3, 'the refusals are counted on the one counter');
  });
});

/** A slicer that holds every job until `release()`: the storing thread "busy" without a clock. */
class HeldSlicer extends WorkSlicer {
  private held: (() => void)[] = [];
  /** Off: jobs run as usual. */
  holding = true;
  get heldJobs(): number {
    return this.held.length;
  }
  override run(job: () => void, bodyBytes = 0): void {
    if (!this.holding) return super.run(job, bodyBytes);
    this.held.push(() => super.run(job, bodyBytes));
  }
  release(): void {
    const jobs = this.held;
    this.held = [];
    for (const j of jobs) j();
  }
}

async function withThreadReceiver(run: (r: OtlpGrpcReceiver, env: { slicer: HeldSlicer; store: SpanStore; inFlight: InFlightBytes; warnings: string[] }) => Promise<void>): Promise<void> {
  const slicer = new HeldSlicer();
  const store = new SpanStore();
  const inFlight = new InFlightBytes(1024 * 1024);
  const warnings: string[] = [];
  const receiver = new OtlpGrpcReceiver({ port: 0, maxMessageBytes: 1024 * 1024, store, slicer, inFlight, sessionWorkerPath: WORKER, onWarning: (m) => warnings.push(m) });
  await receiver.start();
  try {
    await run(receiver, { slicer, store, inFlight, warnings });
  } finally {
    await receiver.stop();
    slicer.dispose();
    store.dispose();
  }
}

test('OTLP/gRPC session thread: a deadline passing after the message was handed over is DEADLINE_EXCEEDED and its batch is not stored; a client gone after the hand-over stores nothing either', async () => {
  await withThreadReceiver(async (receiver, { slicer, store, inFlight }) => {
    const expiring = openCall(receiver.address, frame(body('b1', 'too late')), true, { 'grpc-timeout': '200m' });
    await until('the message reached the storing thread', () => slicer.heldJobs === 1);
    assert.equal(await expiring.status, 4, 'DEADLINE_EXCEEDED, decided by the storing thread');
    expiring.close();
    const gone = openCall(receiver.address, frame(body('b2', 'gone')), true);
    await until('the second message reached the storing thread', () => slicer.heldJobs === 2);
    gone.req.close();
    gone.close();
    await until('the gone call gave back its bytes', () => inFlight.stats().inFlightBytes === 0);
    slicer.release();
    const ok = call(receiver.address, frame(body('b3', 'in time')), { 'grpc-timeout': '10S' });
    await until('the third message reached the storing thread', () => slicer.heldJobs === 1);
    slicer.release();
    assert.equal(await ok, 0);
    assert.equal(store.trace('b1'.repeat(16)).length, 0, 'nothing stored past its deadline');
    assert.equal(store.trace('b2'.repeat(16)).length, 0, 'nothing stored for a client gone');
    assert.equal(store.trace('b3'.repeat(16)).length, 1);
  });
});

test('OTLP/gRPC session thread: one that dies is reported, gives back the bytes it held and is started again on the same port; a fourth death within a minute stops the receiver, loudly', async () => {
  await withThreadReceiver(async (receiver, { slicer, store, inFlight, warnings }) => {
    slicer.holding = false;
    const thread = receiver.sessionThreadForTests!;
    const halfSent = openCall(receiver.address, frame(Buffer.alloc(100), 5000));
    await until('the half-sent message reserved', () => inFlight.stats().inFlightBytes === 5000);
    await thread.workerForTests!.terminate();
    assert.notEqual(await halfSent.status, 0, 'the call in flight was dropped, not answered OK');
    halfSent.close();
    await until('the death was reported', () => warnings.length === 1);
    assert.match(warnings[0]!, new RegExp(`session thread died .*restarted on ${receiver.address.replace(/\./g, '\\.')}`));
    assert.equal(inFlight.stats().inFlightBytes, 0, 'the dead thread\'s bytes given back');
    assert.equal(await call(receiver.address, frame(body('c1', 'after restart'))), 0, 'the same address receives again');
    assert.equal(store.trace('c1'.repeat(16)).length, 1);
    for (let death = 2; death <= 4; death++) {
      await until(`restarted before death ${death}`, () => thread.workerForTests !== undefined && warnings.length === death - 1);
      await thread.workerForTests!.terminate();
      await until(`death ${death} reported`, () => warnings.length === death);
    }
    assert.match(warnings[3]!, /OTLP\/gRPC receiver stopped: .*no longer receives gRPC/);
    assert.equal(thread.workerForTests, undefined);
    assert.equal(await call(receiver.address, frame(body('c2', 'nobody listens'))), undefined, 'the port is closed, not silently accepting');
  });
});

test('OTLP/gRPC session thread: the collector\'s stop ends the thread and closes the port', async () => {
  let worker: Worker | undefined;
  let address = '';
  let exited = false;
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    worker = grpcOf(c).sessionThreadForTests!.workerForTests!;
    worker.once('exit', () => (exited = true));
    address = c.grpcAddress;
    assert.equal(await call(address, frame(body('d1', 'one'))), 0);
  });
  assert.ok(exited, 'the session thread exited once the collector stopped');
  assert.equal(worker!.threadId, -1);
  assert.equal(await call(address, frame(body('d2', 'after stop'))), undefined, 'nothing listens any more');
});

test("OTLP/gRPC session thread: a port already taken fails the collector's start with the reason (the session thread's listen error)", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  const c = new Collector({ grpcPort: port, decodeThreads: 0 });
  try {
    await assert.rejects(c.start(), (e: unknown) => {
      // Typed, so the extension tells a taken gRPC port from a taken HTTP one (collectorHost.ts).
      assert.ok(e instanceof GrpcStartError);
      assert.match(e.message, /OTLP\/gRPC: .*(EADDRINUSE|address already in use)/);
      return true;
    });
  } finally {
    await c.stop();
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});
