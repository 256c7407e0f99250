// Hostile and malformed gRPC input sent frame by frame with node:http2 (what no well-behaved client
// sends): every call gets a clear status, the process stays up, nothing of a refused call is stored,
// what was stored before is intact and the receiver keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type { Collector } from '../../../src/collector';
import { withCollector } from '../collector/helpers';
import { protoRequest, protoSpan } from '../collector/protoWriter';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const KiB = 1024;

interface RawAnswer {
  httpStatus: number;
  grpcStatus: number | undefined;
  grpcMessage: string;
  body: Buffer;
}

/** A length-prefixed message; `flag` 1 marks it compressed. */
function frame(message: Buffer, flag = 0, declaredLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

/**
 * One call on its own HTTP/2 connection: headers, then `chunks` (`gapMs` apart), then (unless
 * `open`) the end of the request.
 */
async function rawCall(address: string, chunks: Buffer[], headers: OutgoingHttpHeaders = {}, open = false, gapMs = 0): Promise<RawAnswer> {
  const session: ClientHttp2Session = connect(`http://${address}`);
  session.on('error', () => {});
  try {
    const req = session.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    req.on('error', () => {});
    const answered = new Promise<RawAnswer>((resolve) => {
      const answer: RawAnswer = { httpStatus: 0, grpcStatus: undefined, grpcMessage: '', body: Buffer.alloc(0) };
      const take = (h: Record<string, unknown>): void => {
        if (h['grpc-status'] !== undefined) answer.grpcStatus = Number(h['grpc-status']);
        if (h['grpc-message'] !== undefined) answer.grpcMessage = decodeURIComponent(String(h['grpc-message']));
      };
      req.on('response', (h) => {
        answer.httpStatus = Number(h[':status']);
        take(h);
      });
      req.on('trailers', take);
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      const done = (): void => {
        resolve({ ...answer, body: Buffer.concat(parts) });
        if (!req.closed) req.close();
      };
      // The answer is complete when its side of the stream ends (ours may still be open) or the stream closes.
      req.on('end', done);
      req.on('close', done);
    });
    for (const [i, c] of chunks.entries()) {
      if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      req.write(c);
    }
    if (!open) req.end();
    return await answered;
  } finally {
    session.destroy();
  }
}

function grpcJsCall(address: string, path: string, body: Buffer, options: grpc.CallOptions = {}): Promise<{ code: number; details: string }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, body, options, (err) => {
      client.close();
      resolve({ code: err?.code ?? 0, details: err?.details ?? '' });
    });
  });
}

const span = (t: string, name: string, s = '01'): Buffer => protoRequest([protoSpan({ traceId: t.repeat(16), spanId: s.repeat(8), name, startMs: 1.7e12, endMs: 1.7e12 + 1 })]);

async function stillServing(c: Collector, before: string): Promise<void> {
  assert.equal(c.store.exportOtlpJson('aa'.repeat(16)), before, 'what was stored before is intact');
  const fresh = `check-${Math.random()}`;
  assert.equal((await grpcJsCall(c.grpcAddress, TRACES, span('cd', fresh))).code, grpc.status.OK);
  assert.ok(c.store.trace('cd'.repeat(16)).some((s) => s.name === fresh), 'a later call is stored');
}

test('OTLP/gRPC hostile input: malformed frames, limits, compression, methods and deadlines each get a clear status; nothing refused is stored', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0, maxBodyBytes: 64 * KiB }, async (c) => {
    const a = c.grpcAddress;
    assert.equal((await grpcJsCall(a, TRACES, span('aa', 'kept'))).code, grpc.status.OK);
    const spansBefore = c.store.stats().spans;
    const good = span('bb', 'never stored');

    // A well-formed call over the raw client first, so the helper itself is shown to work.
    const ok = await rawCall(a, [frame(span('aa', 'raw ok', '02'))]);
    assert.equal(ok.httpStatus, 200);
    assert.equal(ok.grpcStatus, grpc.status.OK);
    assert.deepEqual([...ok.body], [0, 0, 0, 0, 0], 'one empty ExportTraceServiceResponse');
    // The longest deadline the header can say (99,999,999 hours) is no deadline in practice.
    const farBody = frame(span('aa', 'far deadline', '03'));
    const far = await rawCall(a, [farBody.subarray(0, 20), farBody.subarray(20)], { 'grpc-timeout': '99999999H' }, false, 30);
    assert.equal(far.grpcStatus, grpc.status.OK, far.grpcMessage);
    const beforeRaw = c.store.exportOtlpJson('aa'.repeat(16));

    const cases: [string, Promise<RawAnswer>, number, RegExp][] = [
      ['a truncated length prefix', rawCall(a, [Buffer.from([0, 0, 0])]), grpc.status.INVALID_ARGUMENT, /truncated/],
      ['a message shorter than its prefix says', rawCall(a, [frame(good.subarray(0, 10), 0, good.length)]), grpc.status.INVALID_ARGUMENT, /truncated/],
      ['no message at all', rawCall(a, []), grpc.status.UNIMPLEMENTED, /no request message/],
      ['two messages in a unary call', rawCall(a, [frame(good), frame(good)]), grpc.status.UNIMPLEMENTED, /more than one/],
      ['a prefix claiming 4 GiB', rawCall(a, [frame(Buffer.alloc(100), 0, 0xffffffff)]), grpc.status.RESOURCE_EXHAUSTED, /exceeds the limit/],
      ['3 MiB sent against a 64 KiB limit', rawCall(a, [frame(Buffer.alloc(3 * 1024 * KiB, 7))]), grpc.status.RESOURCE_EXHAUSTED, /exceeds the limit/],
      ['a gzip bomb (32 MiB of zeros in ~32 KiB)', rawCall(a, [frame(gzipSync(Buffer.alloc(32 * 1024 * KiB)), 1)], { 'grpc-encoding': 'gzip' }), grpc.status.RESOURCE_EXHAUSTED, /decompresses/],
      ['bytes that are not gzip', rawCall(a, [frame(Buffer.from('not gzip at all'), 1)], { 'grpc-encoding': 'gzip' }), grpc.status.INVALID_ARGUMENT, /invalid gzip/],
      ['a compressed flag without grpc-encoding', rawCall(a, [frame(gzipSync(good), 1)]), grpc.status.INTERNAL, /without grpc-encoding/],
      ['an encoding the server does not know', rawCall(a, [frame(good, 1)], { 'grpc-encoding': 'snappy' }), grpc.status.UNIMPLEMENTED, /snappy/],
      ['an unknown method', rawCall(a, [frame(good)], { ':path': '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export' }), grpc.status.UNIMPLEMENTED, /unknown method/],
      ['a malformed grpc-timeout', rawCall(a, [frame(good)], { 'grpc-timeout': 'soon' }), grpc.status.INTERNAL, /grpc-timeout/],
      ['a deadline that passes mid-message', rawCall(a, [frame(good.subarray(0, 10), 0, good.length)], { 'grpc-timeout': '50m' }, true), grpc.status.DEADLINE_EXCEEDED, /deadline/],
      ['a body that is not protobuf', rawCall(a, [frame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))]), grpc.status.INVALID_ARGUMENT, /\S/],
    ];
    for (const [what, answer, code, message] of cases) {
      const got = await answer;
      assert.equal(got.httpStatus, 200, what);
      assert.equal(got.grpcStatus, code, `${what}: ${got.grpcMessage}`);
      assert.match(got.grpcMessage, message, what);
    }
    assert.equal((await rawCall(a, [frame(good)], { 'content-type': 'application/json' })).httpStatus, 415, 'not gRPC: 415 as the protocol asks');
    assert.equal((await rawCall(a, [], { ':method': 'GET' })).httpStatus, 405);
    assert.equal(c.store.trace('bb'.repeat(16)).length, 0, 'nothing of a refused call is stored');
    assert.equal(c.store.stats().spans, spansBefore + 2, 'only the two well-formed raw calls added spans');
    assert.equal(c.store.stats().budget!.inFlightBytes, 0, 'every refused call gave back its in-flight bytes');
    await stillServing(c, beforeRaw);
  });
});

test('OTLP/gRPC: bytes that are not HTTP/2, and a client resetting mid-message, end only their own connection or call', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const a = c.grpcAddress;
    assert.equal((await grpcJsCall(a, TRACES, span('aa', 'kept'))).code, grpc.status.OK);
    const before = c.store.exportOtlpJson('aa'.repeat(16));
    const [host, port] = a.split(':');
    await new Promise<void>((resolve) => {
      const socket = tcpConnect(Number(port), host, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + '\x00\xff'.repeat(5000)));
      socket.on('error', () => {});
      socket.on('close', () => resolve());
      socket.resume();
    });
    const session = connect(`http://${a}`);
    session.on('error', () => {});
    const body = span('ee', 'reset');
    const req = session.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc' });
    req.on('error', () => {});
    req.write(frame(body.subarray(0, 20), 0, body.length));
    await new Promise((r) => setTimeout(r, 20));
    req.close(0x8); // RST_STREAM CANCEL
    await new Promise<void>((r) => req.on('close', () => r()));
    session.destroy();
    assert.equal(c.store.trace('ee'.repeat(16)).length, 0);
    for (let i = 0; i < 100 && c.store.stats().budget!.inFlightBytes > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.store.stats().budget!.inFlightBytes, 0, 'the reset call gave back its in-flight bytes');
    await stillServing(c, before);
  });
});

test('OTLP/gRPC: a deadline the official client sets is honoured, and a call within it is stored', async () => {
  await withCollector({ grpcPort: 0, decodeThreads: 0 }, async (c) => {
    const got = await grpcJsCall(c.grpcAddress, TRACES, span('f1', 'in time'), { deadline: Date.now() + 30_000 });
    assert.equal(got.code, grpc.status.OK);
    assert.deepEqual(
      c.store.trace('f1'.repeat(16)).map((s) => s.name),
      ['in time'],
    );
    // gzip from grpc-js's own compression (channel option), with the deadline header present.
    const client = new grpc.Client(c.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
    const code = await new Promise<number>((resolve) =>
      client.makeUnaryRequest(TRACES, (b: Buffer) => b, (b: Buffer) => b, span('f2', 'gzip'), { deadline: Date.now() + 30_000 }, (err) => {
        client.close();
        resolve(err?.code ?? 0);
      }),
    );
    assert.equal(code, grpc.status.OK);
    assert.equal(c.store.trace('f2'.repeat(16))[0]?.name, 'gzip');
  });
});

test('OTLP/gRPC through the decode workers (as in the extension host): stored, garbage refused, partialSuccess counted', async () => {
  const decodeWorkerPath = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');
  await withCollector({ grpcPort: 0, decodeThreads: 1, decodeWorkerPath, protobufOnWorkers: true }, async (c) => {
    const a = c.grpcAddress;
    const bodies = Array.from({ length: 8 }, (_, i) => span('a1', `worker ${i}`, (10 + i).toString()));
    const results = await Promise.all(bodies.map((b) => grpcJsCall(a, TRACES, b)));
    assert.deepEqual(
      results.map((r) => r.code),
      bodies.map(() => grpc.status.OK),
    );
    assert.deepEqual(
      c.store
        .trace('a1'.repeat(16))
        .map((s) => s.name)
        .sort(),
      bodies.map((_, i) => `worker ${i}`),
    );
    const garbage = await grpcJsCall(a, TRACES, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    assert.equal(garbage.code, grpc.status.INVALID_ARGUMENT);
    const backwards = protoRequest([protoSpan({ traceId: 'a2'.repeat(16), spanId: '05'.repeat(8), name: 'backwards', startMs: 1.7e12 + 5, endMs: 1.7e12 })]);
    const raw = await rawCall(a, [frame(backwards)]);
    assert.equal(raw.grpcStatus, grpc.status.OK);
    assert.match(raw.body.toString('utf8'), /ends before it starts/, 'partialSuccess says why');
    assert.equal(c.store.trace('a2'.repeat(16)).length, 0);
    assert.equal(c.store.stats().spans, 8);
  });
});
