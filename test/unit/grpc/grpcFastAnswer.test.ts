// The OK answer's shared parts (one framed empty message for every call, one 'wantTrailers' handler)
// read by what we did not write: grpc-js's client takes the status and message, and the official
// OTel serializer decodes the message; many calls in flight on one connection and refused calls
// between them must not disturb the shared bytes. And the rule that sends a gRPC trace body to a
// decode worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OtlpGrpcReceiver, WORKER_BACKLOG, wantsWorker } from '../../../src/collector/grpc/otlpGrpcReceiver';
import type { DecodePool } from '../../../src/collector/ingest/decodePool';
import { WorkSlicer } from '../../../src/collector/ingest/workSlicer';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { withCollector } from '../collector/helpers';
import { protoRequest, protoSpan } from '../collector/protoWriter';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

interface Outcome {
  code: number;
  details: string;
  response: Buffer | undefined;
}

function exportOn(client: grpc.Client, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      TRACES,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (err, res) => resolve({ code: err ? err.code : grpc.status.OK, details: err?.details ?? '', response: res }),
    ),
  );
}

const traceOf = (i: number): string => (0xfa57 + i).toString(16).padStart(32, '0');
const goodBody = (i: number): Buffer => protoRequest([protoSpan({ traceId: traceOf(i), spanId: (i + 1).toString(16).padStart(16, '0'), name: `call ${i}`, startMs: 1.7e12 + i, endMs: 1.7e12 + i + 1 })]);

test('OTLP/gRPC fast OK answer: grpc-js reads OK and an empty response for every call, partialSuccess where spans were rejected, and refusals between them keep their own status', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const client = new grpc.Client(c.grpcAddress!, grpc.credentials.createInsecure());
    try {
      // 24 calls in flight on one connection, every fourth garbage: the OK ones share one framed
      // empty message, the refused ones are trailers-only.
      const calls = Array.from({ length: 24 }, (_, i) => exportOn(client, i % 4 === 3 ? Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]) : goodBody(i)));
      const got = await Promise.all(calls);
      got.forEach((r, i) => {
        if (i % 4 === 3) {
          assert.equal(r.code, grpc.status.INVALID_ARGUMENT, `call ${i} refused`);
          assert.match(r.details, /\S/);
          return;
        }
        assert.equal(r.code, grpc.status.OK, `call ${i}: ${r.details}`);
        assert.equal(r.response?.length, 0, `call ${i}: the empty ExportTraceServiceResponse`);
        assert.equal(ProtobufTraceSerializer.deserializeResponse(r.response!).partialSuccess, undefined);
      });
      // A rejected span: the answer is framed for this call, not the shared empty message.
      const backwards = protoRequest([
        protoSpan({ traceId: traceOf(100), spanId: '0a'.repeat(8), name: 'fine', startMs: 1.7e12, endMs: 1.7e12 + 5 }),
        protoSpan({ traceId: traceOf(100), spanId: '0b'.repeat(8), name: 'backwards', startMs: 1.7e12 + 5, endMs: 1.7e12 }),
      ]);
      const partial = await exportOn(client, backwards);
      assert.equal(partial.code, grpc.status.OK);
      const decoded = ProtobufTraceSerializer.deserializeResponse(partial.response!);
      assert.equal(Number(decoded.partialSuccess?.rejectedSpans), 1);
      assert.match(decoded.partialSuccess?.errorMessage ?? '', /ends before it starts/);
      // A refused call right after fast-answered ones, then fast answers again: each keeps its own.
      assert.equal((await exportOn(client, Buffer.from([0x12, 0x03]))).code, grpc.status.INVALID_ARGUMENT);
      const after = await exportOn(client, goodBody(200));
      assert.equal(after.code, grpc.status.OK);
      assert.equal(after.response?.length, 0);
      // Stored: the 18 good calls, the one valid span of the partial call and the last call; nothing of a refused one.
      assert.equal(c.store.stats().spans, 18 + 1 + 1);
      for (let i = 0; i < 24; i++) assert.equal(c.store.trace(traceOf(i)).length, i % 4 === 3 ? 0 : 1, `trace of call ${i}`);
    } finally {
      client.close();
    }
  });
});

test('OTLP/gRPC: a trace body goes to an idle decode worker only behind a backlog of eight jobs, more than 4 calls in flight can queue', () => {
  assert.equal(WORKER_BACKLOG, 8);
  assert.equal(wantsWorker(0, 0), false, 'nothing waits: decoded in place');
  assert.equal(wantsWorker(1, 0), false, 'one job waits (a burst of interleaved bodies, or an answer\'s turns): still in place');
  assert.equal(wantsWorker(4, 0), false, 'four calls in flight: in place');
  assert.equal(wantsWorker(8, 0), true, 'a backlog and an idle worker');
  assert.equal(wantsWorker(20, 1), false, 'the worker has a body in hand');
});

/** A slicer that reports `backlog` jobs waiting, whatever it holds. */
class Backlogged extends WorkSlicer {
  constructor(private readonly backlog: number) {
    super();
  }
  override get pending(): number {
    return this.backlog;
  }
}

test('OTLP/gRPC receiver: with 7 jobs waiting a trace body is decoded in place, with 8 it is handed to an idle worker (here one that fails: then in place, stored all the same)', async () => {
  for (const backlog of [WORKER_BACKLOG - 1, WORKER_BACKLOG]) {
    const slicer = new Backlogged(backlog);
    const store = new SpanStore();
    let posted = 0;
    // The parts of the pool the receiver uses; its decode fails as a dead worker's would.
    const bodies = { alloc: (n: number) => Buffer.alloc(n), release: () => {} };
    const pool = { available: true, inFlight: 0, bodies, decode: () => (posted++, Promise.reject(new Error('no worker'))), releaseIndex: () => {} } as unknown as DecodePool;
    const receiver = new OtlpGrpcReceiver({ port: 0, maxMessageBytes: 1024 * 1024, store, slicer, decoders: pool });
    const address = await receiver.start();
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    try {
      const r = await exportOn(client, goodBody(300 + backlog));
      assert.equal(r.code, grpc.status.OK, r.details);
      assert.equal(posted, backlog >= WORKER_BACKLOG ? 1 : 0, `${backlog} jobs waiting`);
      assert.equal(store.trace(traceOf(300 + backlog)).length, 1);
    } finally {
      client.close();
      await receiver.stop();
      slicer.dispose();
      store.dispose();
    }
  }
});
