// The large values' buffers give their memory back to the system when freed (store/releasableMemory.ts):
// not malloc'd, so no malloc arena keeps it once the store let go of their values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { indexOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import { moveLargeValues } from '../../../src/collector/ingest/largeValues';
import { BufferSink } from '../../../src/collector/store/largeText';
import { releasableBuffer } from '../../../src/collector/store/releasableMemory';
import { jsonRequest, spanIdOf, traceIdOf, T0 } from './helpers';

const MiB = 1024 * 1024;

test('a releasable buffer is an ArrayBuffer like any: written, viewed, transferred, detached when freed', () => {
  const b = releasableBuffer(3 * MiB + 8);
  assert.ok(b instanceof ArrayBuffer);
  assert.equal(b.byteLength, 3 * MiB + 8);
  const view = Buffer.from(b, 8, 5);
  view.write('hello');
  const moved = structuredClone(b, { transfer: [b] });
  assert.equal(b.byteLength, 0, 'transferred away');
  assert.equal(Buffer.from(moved, 8, 5).toString(), 'hello');
  assert.ok(new BufferSink().drop(moved));
  assert.equal(moved.byteLength, 0);
});

test('buffers of values moved out of large bodies give their memory back when freed, even once glibc\u2019s mmap threshold rose past their size', () => {
  const sink = new BufferSink();
  // A freed malloc'd mapping of 2 MiB (a request body, say) raises glibc's dynamic mmap threshold:
  // from then on a malloc'd 1 MiB buffer comes from an arena, which keeps its memory once freed.
  sink.drop(Buffer.allocUnsafeSlow(2 * MiB).buffer as ArrayBuffer);
  const ctx = new DecodeContext();
  // 16 spans of one 64 KiB value each: about 1 MiB of values a body, as under bench:memory.
  const body = Buffer.from(
    jsonRequest(Array.from({ length: 16 }, (_, i) => ({ traceId: traceIdOf(1), spanId: spanIdOf(i + 1), name: 's', startMs: T0, endMs: T0 + 1, attributes: { body: `${i}`.padEnd(64 * 1024, 'x') } }))),
  );
  const buffers: ArrayBuffer[] = [];
  for (let i = 0; i < 96; i++) {
    const ix = indexOtlpJson(body, ctx);
    assert.ok(ix);
    moveLargeValues(ix, body, 4 * MiB);
    buffers.push(...ix.large!);
  }
  assert.equal(buffers.length, 96);
  const before = process.memoryUsage.rss();
  // Three of every four freed (their traces evicted), every fourth still stored: an arena could
  // give none of the freed ones back (only its top end).
  let freed = 0;
  buffers.forEach((b, i) => {
    if (i % 4 === 3) return;
    freed += b.byteLength;
    assert.ok(sink.drop(b));
  });
  const given = before - process.memoryUsage.rss();
  try {
    // Linux is where RSS is read from /proc and glibc's arenas keep freed memory.
    if (process.platform === 'linux') assert.ok(given >= freed / 2, `${Math.round(given / MiB)} MiB given back of ${Math.round(freed / MiB)} MiB freed`);
  } finally {
    for (const b of buffers) sink.drop(b);
  }
});
