// Small bodies first over OTLP/gRPC as over HTTP (workSlicer.ts): a small request message counts as
// in flight from its length prefix until its call is over — answered, refused or gone — so that
// large bodies' queued jobs wait for it. Checked on the slicer's count, without a clock, with the
// HTTP/2 server on the storing thread and on its session thread (which tells of a small prefix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { OtlpGrpcReceiver } from '../../../src/collector/grpc/otlpGrpcReceiver';
import { LARGE_BODY, WorkSlicer } from '../../../src/collector/ingest/workSlicer';
import { SpanStore } from '../../../src/collector/store/spanStore';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** A gRPC length prefix (uncompressed) for a message of `length` bytes. */
function prefix(length: number): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt32BE(length, 1);
  return p;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

/** Where the HTTP/2 server runs: this thread, or the session thread (as in the collector). */
const MODES = [
  ['on the storing thread', undefined],
  ['on the session thread', join(__dirname, '../../../src/collector/grpc/grpcSessionWorker.js')],
] as const;

async function withReceiver(sessionWorkerPath: string | undefined, run: (address: string, slicer: WorkSlicer) => Promise<void>): Promise<void> {
  const slicer = new WorkSlicer();
  const store = new SpanStore();
  const receiver = new OtlpGrpcReceiver({ port: 0, maxMessageBytes: 4 * LARGE_BODY, store, slicer, sessionWorkerPath });
  const address = await receiver.start();
  try {
    await run(address, slicer);
  } finally {
    await receiver.stop();
    slicer.dispose();
    store.dispose();
  }
}

/** Opens a call (on its own connection, or on `session`) and sends `bytes` of it (the request left open). */
function openCall(address: string, bytes: Buffer, on?: ClientHttp2Session): { req: ClientHttp2Stream; status: Promise<string | undefined>; close(): void } {
  const session = on ?? connect(`http://${address}`);
  session.on('error', () => {});
  const req = session.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers' });
  req.on('error', () => {});
  req.on('data', () => {});
  const status = new Promise<string | undefined>((resolve) => {
    let s: string | undefined;
    req.on('trailers', (t) => (s = String(t['grpc-status'])));
    req.on('response', (h) => (s ??= h['grpc-status'] === undefined ? undefined : String(h['grpc-status'])));
    req.on('close', () => resolve(s));
  });
  req.write(bytes);
  return { req, status, close: () => session.destroy() };
}

for (const [where, sessionWorkerPath] of MODES) {
  test(`OTLP/gRPC (${where}): a small message counts as in flight from its length prefix until it is answered`, async () => {
    await withReceiver(sessionWorkerPath, async (address, slicer) => {
      // An empty ExportTraceServiceRequest is 0 bytes; one resourceSpans with nothing in it is 2 (0a 00).
      const call = openCall(address, prefix(2));
      try {
        await until('the small message counted once its prefix arrived', () => slicer.smallInFlight === 1);
        call.req.end(Buffer.from([0x0a, 0x00]));
        assert.equal(await call.status, '0');
        await until('no small message in flight once it was answered', () => slicer.smallInFlight === 0);
      } finally {
        call.close();
      }
    });
  });

  test(`OTLP/gRPC (${where}): a small call that is cancelled half-sent stops counting; a large message never counts`, async () => {
    await withReceiver(sessionWorkerPath, async (address, slicer) => {
      const small = openCall(address, prefix(100));
      await until('the small message counted', () => slicer.smallInFlight === 1);
      small.req.close();
      small.close();
      await until('the cancelled call no longer counted', () => slicer.smallInFlight === 0);
      const large = openCall(address, Buffer.concat([prefix(LARGE_BODY), Buffer.alloc(1024)]));
      try {
        // A small call after it on the same connection: once the server has read the small one's
        // prefix, it has read the large one's (HTTP/2 frames of one connection arrive in order).
        const probe = openCall(address, prefix(100), large.req.session as ClientHttp2Session);
        try {
          await until('the probe counted', () => slicer.smallInFlight === 1);
          assert.equal(slicer.smallInFlight, 1, 'a message of LARGE_BODY bytes is not a small one');
        } finally {
          probe.req.close();
          probe.close();
        }
      } finally {
        large.req.close();
        large.close();
      }
      await until('nothing left counted', () => slicer.smallInFlight === 0);
    });
  });
}
