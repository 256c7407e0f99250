// A request body's pieces are freed as soon as they are copied (BufferSink.dropCopied, used by
// otlpHttpReceiver.ts), and values too long to be interned are never made strings to ask
// (StringPool.mayIntern): what is stored stays exactly what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BufferSink } from '../../../src/collector/store/largeText';
import { MAX_INTERNED_BYTES, StringPool } from '../../../src/collector/store/stringPool';
import { receiveTraces } from '../../../src/collector/ingest/otlpHttpReceiver';
import { DecodePool } from '../../../src/collector/ingest/decodePool';
import { WorkSlicer } from '../../../src/collector/ingest/workSlicer';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { httpRequest, jsonRequest, spanIdOf, T0, traceIdOf } from './helpers';

const WORKER = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');

test('dropCopied frees a chunk that is a whole buffer of its own, and leaves views of pooled, shared or larger buffers alone', () => {
  const sink = new BufferSink();
  const own = Buffer.allocUnsafeSlow(64 * 1024).fill(1);
  assert.equal(sink.dropCopied(own), true);
  assert.equal(own.buffer.byteLength, 0, 'detached: its memory is freed');
  const pooled = Buffer.from('a short piece from Node\u2019s pool');
  assert.equal(sink.dropCopied(pooled), false);
  assert.equal(pooled.toString(), 'a short piece from Node\u2019s pool');
  const whole = Buffer.allocUnsafeSlow(16 * 1024).fill(2);
  const part = whole.subarray(0, 8 * 1024);
  assert.equal(sink.dropCopied(part), false, 'a view of part of a buffer: the rest may be someone else\u2019s');
  assert.equal(whole[16 * 1024 - 1], 2);
  const small = Buffer.allocUnsafeSlow(1024);
  assert.equal(sink.dropCopied(small), false, 'under 4 KiB it may be pooled');
  assert.equal(small.length, 1024);
  const shared = Buffer.from(new SharedArrayBuffer(64 * 1024));
  assert.equal(sink.dropCopied(shared), false);
  assert.equal(shared.length, 64 * 1024);
});

/** A BufferSink that records what it freed. */
class SpySink extends BufferSink {
  freed = 0;
  override dropCopied(chunk: Uint8Array): boolean {
    const r = super.dropCopied(chunk);
    if (r) this.freed++;
    return r;
  }
}

function bigBody(trace: number): { body: Buffer; values: string[] } {
  // Five values of 60 KiB (under the default cap per value) and small spans: a body node:http
  // hands over in several pieces.
  const values = Array.from({ length: 5 }, (_, v) => Array.from({ length: 60 * 1024 }, (_, i) => String.fromCharCode(97 + ((i * 7 + v + trace) % 26))).join(''));
  const spans = [
    ...values.map((value, v) => ({ traceId: traceIdOf(trace), spanId: spanIdOf(v + 1), name: `big ${v}`, startMs: T0, endMs: T0 + 5, attributes: { 'http.response.body': value } })),
    ...Array.from({ length: 20 }, (_, i) => ({ traceId: traceIdOf(trace), spanId: spanIdOf(i + 10), parentSpanId: spanIdOf(1), name: `child ${i}`, startMs: T0 + i, endMs: T0 + i + 1, attributes: { n: i } })),
  ];
  return { body: Buffer.from(jsonRequest(spans)), values };
}

async function withReceiver(workers: boolean, fn: (endpoint: string, store: SpanStore, sink: SpySink) => Promise<void>): Promise<void> {
  const store = new SpanStore({ maxBytes: 64 * 1024 * 1024 });
  // The pool's ids resolve in the store's dictionary.
  const decoders = workers ? new DecodePool(WORKER, 1, undefined, store.decodeContext) : undefined;
  const slicer = new WorkSlicer();
  const sink = new SpySink();
  const server = createServer((req, res) => receiveTraces(req, res, store, { maxBodyBytes: 16 * 1024 * 1024, slicer, decoders, protobufOnWorkers: true, copiedChunks: sink }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, sink);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    decoders?.dispose();
    store.dispose();
    slicer.dispose();
  }
}

for (const [name, workers] of [
  ['joined on this thread', false],
  ['copied into shared memory for a decode worker', true],
] as const) {
  test(`a body's pieces are freed once ${name}, and every span is stored as sent`, async () => {
    await withReceiver(workers, async (endpoint, store, sink) => {
      for (let t = 1; t <= 3; t++) {
        const { body, values } = bigBody(t);
        const r = await httpRequest(endpoint, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(r.status, 200, r.text);
        const spans = store.trace(traceIdOf(t));
        assert.equal(spans.length, 25);
        values.forEach((value, v) => assert.ok(spans.find((s) => s.name === `big ${v}`)!.attributes['http.response.body'] === value, `value ${v} of trace ${t}, byte for byte`));
        assert.deepEqual(
          spans.filter((s) => s.name.startsWith('child')).map((s) => s.attributes.n).sort((a, b) => Number(a) - Number(b)),
          Array.from({ length: 20 }, (_, i) => i),
        );
      }
      assert.ok(sink.freed >= 3 * 2, `pieces freed: ${sink.freed}`);
    });
  });
}

test('a value too long to be interned is never interned, at the byte bound as at the length bound', () => {
  const pool = new StringPool();
  const info = pool.key('k');
  // Three UTF-8 bytes a unit: the longest value the pool interns (200 units) is MAX_INTERNED_BYTES bytes.
  const atBound = '\u20ac'.repeat(MAX_INTERNED_BYTES / 3);
  assert.equal(Buffer.byteLength(atBound), MAX_INTERNED_BYTES);
  assert.equal(pool.mayIntern(info, Buffer.byteLength(atBound)), true);
  assert.ok(pool.isShared(pool.value(info, atBound), info), 'interned at the bound');
  const over = atBound + 'x';
  assert.equal(pool.mayIntern(info, Buffer.byteLength(over)), false);
  assert.equal(pool.isShared(pool.value(info, over), info), false, 'the pool would not have interned it either');
  // Four-byte characters are two units each: 2 bytes a unit, within the bound too.
  const astral = '\u{1f600}'.repeat(100);
  assert.equal(astral.length, 200);
  assert.equal(pool.mayIntern(info, Buffer.byteLength(astral)), true);
  assert.ok(pool.isShared(pool.value(info, astral), info));
  // A key whose values all are long keeps interning its short ones.
  for (let i = 0; i < 1000; i++) pool.value(info, `${i}`.padEnd(5000, 'y'));
  assert.equal(pool.mayIntern(info, 3), true);
});
