// The gRPC server's HTTP/2 transport: the settings it announces (a whole export in flight without
// waiting for WINDOW_UPDATE), a message cut into many DATA frames, many calls interleaved on one
// connection. Bodies come from the official OTel protobuf serializer; frames from node:http2's client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { context, trace } from '@opentelemetry/api';
import { postTraces, withCollector } from '../collector/helpers';
import { protoRequest, protoSpan } from '../collector/protoWriter';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const MiB = 1024 * 1024;
const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** 512 spans × 10 attributes from the SDK, one trace, serialized by the official protobuf serializer. */
function sdkBody(): { body: Buffer; traceId: string } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'frames' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('frames');
  const root = tracer.startSpan('root');
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < 511; i++) {
    const attributes: Record<string, string | number | boolean> = {};
    for (let a = 0; a < 10; a++) attributes[`attr.${a}`] = a % 3 === 0 ? `value ${i}-${a} é` : a % 3 === 1 ? i * a : i % 2 === 0;
    tracer.startSpan(`step ${i}`, { attributes }, ctx).end();
  }
  root.end();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
  return { body, traceId: root.spanContext().traceId };
}

interface Answer {
  grpcStatus: string | undefined;
  body: Buffer;
}

/** Opens a call; its answer resolves when the stream closes. */
function openCall(session: ClientHttp2Session): { write: (b: Buffer) => void; end: () => void; answer: Promise<Answer> } {
  const req = session.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers' });
  req.on('error', () => {});
  const answer = new Promise<Answer>((resolve) => {
    let grpcStatus: string | undefined;
    const parts: Buffer[] = [];
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    req.on('trailers', (t) => (grpcStatus = String(t['grpc-status'])));
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('close', () => resolve({ grpcStatus, body: Buffer.concat(parts) }));
  });
  return { write: (b) => void req.write(b), end: () => void req.end(), answer };
}

test('OTLP/gRPC HTTP/2 settings: 32 MiB stream and connection windows and 100 streams are announced, so an export is sent whole without waiting for WINDOW_UPDATE', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const session = connect(`http://${c.grpcAddress}`);
    session.on('error', () => {});
    try {
      await new Promise((r) => session.once('remoteSettings', r));
      assert.equal(session.remoteSettings.initialWindowSize, 32 * MiB, 'per-stream window (node: 64 KiB by default)');
      assert.equal(session.remoteSettings.maxConcurrentStreams, 100);
      // The connection window is widened by a WINDOW_UPDATE sent with the settings; a ping's
      // answer comes after it.
      await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
      assert.equal(session.state.remoteWindowSize, 32 * MiB, 'the connection window the client may fill at once');
      // A 4 MiB message is written whole before any answer: the client's stream has nothing left
      // queued by the time the server answers (the server reads it as it comes).
      const call = openCall(session);
      call.write(frame(protoRequest([protoSpan({ traceId: '4b'.repeat(16), spanId: '01'.repeat(8), name: 'x'.repeat(4 * MiB), startMs: 1.7e12, endMs: 1.7e12 + 1 })])));
      call.end();
      const got = await call.answer;
      assert.equal(got.grpcStatus, '0');
      assert.equal(c.store.trace('4b'.repeat(16))[0]?.name.length, 4 * MiB);
    } finally {
      session.destroy();
    }
  });
});

test('OTLP/gRPC: a 512-span export cut into hundreds of DATA frames (the prefix split too) is stored exactly as the same body over OTLP/HTTP', async () => {
  const { body, traceId } = sdkBody();
  const wire = frame(body);
  // Frame sizes from 1 byte (inside the 5-byte prefix) to 16 KiB; a write per event-loop turn is a
  // DATA frame of its own (writes in one turn are coalesced by node's client).
  const sizes = [1, 3, 1, 2, 7, 64, 1, 16_384, 500, 3, 1024, 9, 200];
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < wire.length; i++) {
    const size = sizes[i % sizes.length]!;
    pieces.push(wire.subarray(at, at + size));
    at += size;
  }
  assert.ok(pieces.length > 100, `${pieces.length} pieces of ${wire.length} bytes`);
  const viaGrpc = await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const session = connect(`http://${c.grpcAddress}`);
    session.on('error', () => {});
    try {
      const call = openCall(session);
      for (const p of pieces) {
        call.write(p);
        await nextTick();
      }
      call.end();
      const got = await call.answer;
      assert.equal(got.grpcStatus, '0');
      assert.deepEqual([...got.body], [0, 0, 0, 0, 0], 'an empty ExportTraceServiceResponse: nothing rejected');
      assert.equal(c.store.trace(traceId).length, 512);
      return c.store.exportOtlpJson(traceId);
    } finally {
      session.destroy();
    }
  });
  const viaHttp = await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    assert.equal((await postTraces(endpoint, body, 'application/x-protobuf')).status, 200);
    return c.store.exportOtlpJson(traceId);
  });
  assert.equal(viaGrpc, viaHttp);
});

test('OTLP/gRPC: 150 calls on one connection, their messages interleaved frame by frame, are each answered OK and stored whole; in-flight bytes come back to 0', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const session = connect(`http://${c.grpcAddress}`);
    session.on('error', () => {});
    try {
      const calls = 150;
      const traceOf = (i: number): string => (0xabc000 + i).toString(16).padStart(32, '0');
      const wires = Array.from({ length: calls }, (_, i) =>
        frame(protoRequest(Array.from({ length: 20 }, (_, s) => protoSpan({ traceId: traceOf(i), spanId: (s + 1).toString(16).padStart(16, '0'), name: `call ${i} span ${s} ${'y'.repeat(200)}`, startMs: 1.7e12, endMs: 1.7e12 + s })))),
      );
      const open = wires.map(() => openCall(session));
      // Three rounds of writes, each round a third of every call's message, one turn apart: the
      // calls' DATA frames alternate on the connection (beyond the 100 streams the server allows at
      // once, node's client waits for a stream to close before opening the next).
      for (let part = 0; part < 3; part++) {
        open.forEach((call, i) => {
          const w = wires[i]!;
          const third = Math.ceil(w.length / 3);
          call.write(w.subarray(part * third, (part + 1) * third));
        });
        await nextTick();
      }
      for (const call of open) call.end();
      const answers = await Promise.all(open.map((call) => call.answer));
      assert.deepEqual(
        answers.map((a) => a.grpcStatus),
        answers.map(() => '0'),
      );
      for (let i = 0; i < calls; i++) {
        const spans = c.store.trace(traceOf(i));
        assert.equal(spans.length, 20, `call ${i}`);
        assert.ok(spans.every((s) => s.name.startsWith(`call ${i} span `)));
      }
      assert.equal(c.store.stats().budget!.inFlightBytes, 0);
    } finally {
      session.destroy();
    }
  });
});

test('OTLP/gRPC with decode workers: trace messages assembled in the pool\'s reused shared memory are stored exactly, call after call, in place and on a worker (large values kept after their buffer is reused)', async () => {
  const traceOf = (i: number): string => (0xdef000 + i).toString(16).padStart(32, '0');
  // Each message differs in every byte position that matters and spans many DATA frames; a 6 KiB
  // value is kept off the heap (a view of the body until stored), so a reused buffer would show.
  const bodies = Array.from({ length: 12 }, (_, i) =>
    protoRequest(
      Array.from({ length: 40 }, (_, s) =>
        protoSpan({ traceId: traceOf(i), spanId: (s + 1).toString(16).padStart(16, '0'), name: `m${i} s${s} ${String.fromCharCode(97 + ((i + s) % 26)).repeat(300)}`, startMs: 1.7e12 + i, endMs: 1.7e12 + i + s, attributes: { big: `${i}:`.repeat(3000), n: i * 1000 + s } }),
      ),
    ),
  );
  const sendAll = async (c: { grpcAddress: string | undefined }): Promise<void> => {
    const session = connect(`http://${c.grpcAddress}`);
    session.on('error', () => {});
    try {
      for (const body of bodies) {
        const wire = frame(body);
        const call = openCall(session);
        for (let at = 0; at < wire.length; at += 16_384) {
          call.write(wire.subarray(at, at + 16_384));
          await nextTick();
        }
        call.end();
        assert.equal((await call.answer).grpcStatus, '0');
      }
    } finally {
      session.destroy();
    }
  };
  const expected = await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    for (const body of bodies) assert.equal((await postTraces(endpoint, body, 'application/x-protobuf')).status, 200);
    return bodies.map((_, i) => c.store.exportOtlpJson(traceOf(i)));
  });
  assert.ok(bodies[0]!.length > 3 * 16_384, `${bodies[0]!.length} bytes: a message of several frames`);
  for (const protobufOnWorkers of [false, true]) {
    const got = await withCollector({ grpcPort: 0, decodeThreads: 1, protobufOnWorkers }, async (c) => {
      await sendAll(c);
      return bodies.map((_, i) => c.store.exportOtlpJson(traceOf(i)));
    });
    assert.deepEqual(got, expected, protobufOnWorkers ? 'decoded on a worker' : 'decoded in place');
  }
});
