// Large values moved out of a body by the large bodies' decode worker (ingest/largeValues.ts) and
// kept by the store as they are (store/textSlabs.ts adopts the worker's buffer as a slab): read back
// exactly, never copied on the storing thread, counted whole by the budget, freed when their last
// value is evicted, replaced or refused, held for a reader across awaits, and hostile indexes and
// sizes refused or stored right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { DecodePool } from '../../../src/collector/ingest/decodePool';
import { indexOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import { indexOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { materialize, V_LARGE, type SpanIndex } from '../../../src/collector/ingest/spanIndex';
import { KEPT_IDLE_MS, LargeBuffers, MAX_KEPT_BYTES, moveLargeValues } from '../../../src/collector/ingest/largeValues';
import { MessageChannel } from 'node:worker_threads';
import { BufferSink, LargeText, fromStoredValue } from '../../../src/collector/store/largeText';
import { SLAB_VALUE_OVERHEAD, slabBytesFor, TextSlabs } from '../../../src/collector/store/textSlabs';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { jsonRequest, spanIdOf, traceIdOf, T0, type SpanSpec } from './helpers';
import { protoRequest, protoSpan } from './protoWriter';

const WORKER = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');
const KiB = 1024;
const MiB = 1024 * KiB;
const room = (n: number): number => (n + 7) & ~7;
/** Lets the microtasks that free emptied adopted slabs run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A value of `n` UTF-8 bytes that says which it is (multi-byte characters too, so bytes ≠ characters). */
function text(n: number, tag: string): string {
  const head = `<${tag}>`;
  const rest = n - head.length - 1;
  const wide = Math.floor(rest / 6);
  return head + '€'.repeat(wide) + 'a'.repeat(rest - 3 * wide) + '|';
}

/** Spans of one trace each, `perSpan` large values (and a small one) each. */
function specs(traces: number[], sizes: number[], spanOf = (t: number): number => t): SpanSpec[] {
  return traces.map((t) => ({
    traceId: traceIdOf(t),
    spanId: spanIdOf(spanOf(t)),
    name: `root ${t}`,
    startMs: T0 + t,
    endMs: T0 + t + 1,
    attributes: Object.fromEntries([['small', `s${t}`], ...sizes.map((n, i) => [`big.${i}`, text(n, `${t}.${i}`)])]),
  }));
}

/** Indexes a body as the large bodies' worker does (in place here), moving its large values out. */
function workerIndex(store: SpanStore, body: Buffer, proto = false, maxBuffer = slabBytesFor(store.maxBytes)): { ix: SpanIndex; moved: number } {
  const ctx = store.decodeContext;
  const ix = proto ? indexOtlpProto(body, ctx) : indexOtlpJson(body, ctx);
  assert.ok(ix, 'an index');
  const moved = moveLargeValues(ix, body, maxBuffer);
  return { ix, moved };
}

/** Bytes of an index's moved-out buffers not yet freed (a freed one is detached: 0). */
const heldOf = (ix: SpanIndex): number => (ix.large ?? []).reduce((n, b) => n + b.byteLength, 0);

function storeBody(store: SpanStore, body: Buffer, proto = false, maxBuffer?: number): SpanIndex {
  const { ix } = workerIndex(store, body, proto, maxBuffer);
  store.ingest(materialize(ix, body, store.decodeContext.dict, store.decodeContext));
  return ix;
}

const attr = (store: SpanStore, t: number, key: string, span = t): unknown => store.trace(traceIdOf(t)).find((s) => s.spanId === spanIdOf(span))?.attributes[key];

test('large values moved out by the worker read back exactly, are kept in its buffer without a copy, and the budget counts that buffer whole', async () => {
  for (const proto of [false, true]) {
    const store = new SpanStore({ maxBytes: 64 * MiB });
    const spans = specs([1, 2], [5000, 70 * KiB]);
    const body = proto ? protoRequest(spans.map((s) => protoSpan(s))) : Buffer.from(jsonRequest(spans));
    const before = store.stats().bytes;
    const ix = storeBody(store, body, proto);
    assert.ok(ix.large, 'the large values were moved out');
    assert.equal(heldOf(ix), 2 * (room(5000) + room(70 * KiB)));
    // Every pair of a large value now points into that buffer; small values stay ranges of the body.
    let marked = 0;
    for (let i = 0; i < ix.values.length; i += 2) if (ix.values[i] === V_LARGE) marked++;
    assert.equal(marked, 4);
    for (const t of [1, 2]) {
      assert.equal(attr(store, t, 'big.0'), text(5000, `${t}.0`));
      assert.equal(attr(store, t, 'big.1'), text(70 * KiB, `${t}.1`));
      assert.equal(attr(store, t, 'small'), `s${t}`);
    }
    // Stored where the worker put them: the records' values are views of that very buffer.
    const rec = store.records(traceIdOf(2))[0]!;
    const big = rec.values.filter((v): v is LargeText => v instanceof LargeText);
    assert.equal(big.length, 2);
    for (const v of big) assert.equal(v.bytes.buffer, ix.large[0], 'not copied');
    // Counted: each value at its bytes rounded to 8 plus its objects, in the span's bytes; the buffer
    // is fully used, so nothing beside it.
    assert.equal(big[0]!.cost, SLAB_VALUE_OVERHEAD + room(5000));
    assert.ok(store.stats().bytes - before >= heldOf(ix), 'the whole buffer is in the budget');
    await settle();
    assert.equal(heldOf(ix), 2 * (room(5000) + room(70 * KiB)), 'not freed while its values are stored');
    store.dispose();
  }
});

test('an adopted buffer is freed (detached) when its last value is evicted, not before; the store stays within its budget', async () => {
  const store = new SpanStore({ maxBytes: 4 * MiB, maxTraceBytes: 2 * MiB });
  const ixA = storeBody(store, Buffer.from(jsonRequest(specs([1, 2], [200 * KiB]))));
  await settle();
  assert.equal(heldOf(ixA), 2 * 200 * KiB);
  const heldWithA = store.stats().bytes;
  // More traces push the first two out (least recently finished first).
  const later = Array.from({ length: 22 }, (_, i) => i + 3);
  const ixB = storeBody(store, Buffer.from(jsonRequest(specs(later, [200 * KiB]))));
  await settle();
  assert.equal(store.trace(traceIdOf(1)).length, 0, 'trace 1 evicted');
  assert.equal(store.trace(traceIdOf(2)).length, 0, 'trace 2 evicted');
  assert.equal(heldOf(ixA), 0, 'the first buffer is freed once both of its values are gone');
  assert.ok(heldOf(ixB) > 0, 'the second is still in use');
  assert.ok(store.stats().bytes <= 4 * MiB, `within the budget: ${store.stats().bytes}`);
  assert.ok(heldWithA > 0);
  for (const t of later) {
    const v = attr(store, t, 'big.0');
    if (v !== undefined) assert.equal(v, text(200 * KiB, `${t}.0`), `trace ${t} intact`);
  }
  store.dispose();
});

test('a span re-sent within its own batch, or refused, releases its value without freeing the buffer its batch-mates are still in', async () => {
  const store = new SpanStore({ maxBytes: 64 * MiB });
  // Two versions of span 1 of trace 1 in one body: last write wins; the first's value is released
  // while the second's (in the same buffer) is being stored.
  const first = specs([1], [8 * KiB])[0]!;
  const second = { ...first, attributes: { small: 'again', 'big.0': text(8 * KiB, 'second') } };
  const ix = storeBody(store, Buffer.from(jsonRequest([first, second])));
  await settle();
  assert.equal(attr(store, 1, 'big.0'), text(8 * KiB, 'second'));
  assert.equal(heldOf(ix), 2 * room(8 * KiB), 'kept whole while one value in it is stored');
  const held = store.stats().bytes;
  // The released version's room is dead but counted: the buffer is the store's, whole.
  assert.ok(held >= heldOf(ix));

  // A trace beyond its share of the budget: its newer spans are refused, their values released.
  const small = new SpanStore({ maxBytes: 2 * MiB, maxTraceBytes: 200 * KiB });
  const many = specs([1, 2, 3, 4, 5], [60 * KiB], () => 1).map((s, i) => ({ ...s, traceId: traceIdOf(7), spanId: spanIdOf(i + 1) }));
  const ixR = storeBody(small, Buffer.from(jsonRequest(many)));
  await settle();
  const kept = small.trace(traceIdOf(7));
  assert.ok(kept.length >= 1 && kept.length < 5, `some refused: ${kept.length} kept`);
  for (const s of kept) assert.equal((s.attributes['big.0'] as string).length > 0, true);
  assert.ok(heldOf(ixR) > 0, 'kept for the stored ones');
  assert.ok(small.stats().refusedSpans > 0);
  small.dispose();
  store.dispose();
});

test('a buffer none of whose values is stored (every span refused) is left to the garbage collector and never counted', async () => {
  const store = new SpanStore({ maxBytes: 64 * MiB, maxTraceBytes: 16 * KiB });
  const before = store.stats().bytes;
  const ix = storeBody(store, Buffer.from(jsonRequest(specs([1], [64 * KiB]))));
  await settle();
  assert.equal(store.trace(traceIdOf(1)).length, 0, 'refused: larger than its trace may hold');
  assert.equal(store.stats().refusedSpans, 1);
  // Adopted when the store took the value, freed when it was refused: counted at no point after.
  assert.equal(store.stats().bytes - before, 600, 'only the (empty) trace entry is left counted');
  assert.equal(heldOf(ix), 0, 'freed');
  store.dispose();
});

test('a reader holding large values across awaits (a run file) still reads them after their trace was evicted', async () => {
  const store = new SpanStore({ maxBytes: 2 * MiB, maxTraceBytes: MiB });
  const ix = storeBody(store, Buffer.from(jsonRequest(specs([1], [200 * KiB]))));
  const records = store.records(traceIdOf(1));
  const release = store.holdLargeValues();
  storeBody(store, Buffer.from(jsonRequest(specs([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [200 * KiB]))));
  await settle();
  assert.equal(store.trace(traceIdOf(1)).length, 0, 'evicted meanwhile');
  assert.ok(heldOf(ix) > 0, 'held');
  assert.equal(fromStoredValue(records[0]!.values.find((v) => v instanceof LargeText)!), text(200 * KiB, '1.0'));
  release();
  assert.equal(heldOf(ix), 0, 'freed once the reader is done');
  store.dispose();
});

test('hostile: a value larger than a slab, a body of only large values, an index pointing past its buffer, a truncated body', async () => {
  // 1. A value of 2 MiB where slabs are 64 KiB: kept in the worker's buffer all the same.
  const store = new SpanStore({ maxBytes: 16 * MiB, maxTraceBytes: 8 * MiB });
  store.decodeContext.limits = { ...store.decodeContext.limits, maxValueBytes: 4 * MiB, maxSpanBytes: 8 * MiB };
  storeBody(store, Buffer.from(jsonRequest(specs([1], [2 * MiB]))));
  assert.equal(attr(store, 1, 'big.0'), text(2 * MiB, '1.0'));
  // 2. Spans with nothing but large values (no small attribute, many of them).
  const only: SpanSpec[] = [1, 2, 3].map((i) => ({ traceId: traceIdOf(9), spanId: spanIdOf(i), name: 'n', startMs: T0, endMs: T0 + 1, attributes: { a: text(4096, `a${i}`), b: text(9000, `b${i}`) } }));
  storeBody(store, Buffer.from(jsonRequest(only)));
  for (const i of [1, 2, 3]) {
    assert.equal(attr(store, 9, 'a', i), text(4096, `a${i}`));
    assert.equal(attr(store, 9, 'b', i), text(9000, `b${i}`));
  }
  // 3. An index whose large values claim more bytes than its buffer holds: refused by materialize
  // (the receiver then decodes the body in place), nothing stored.
  const body = Buffer.from(jsonRequest(specs([5], [8 * KiB])));
  const { ix } = workerIndex(store, body);
  ix.large = [ix.large![0]!.slice(0, 4 * KiB)];
  assert.throws(() => materialize(ix, body, store.decodeContext.dict, store.decodeContext), /large value out of range/);
  assert.equal(store.trace(traceIdOf(5)).length, 0);
  // 4. A truncated large body through the real worker: an error answer, the worker alive after it.
  const ctx = new DecodeContext();
  const pool = new DecodePool(WORKER, 1, undefined, ctx);
  try {
    const whole = Buffer.from(jsonRequest(specs([6, 7, 8, 9, 10], [64 * KiB])));
    assert.ok(whole.length >= 256 * KiB, 'a large body');
    const cut = await pool.decode('json', whole.subarray(0, whole.length - 1000));
    assert.equal(cut.response.ok, false);
    const ok = await pool.decode('json', whole);
    assert.ok(ok.response.ok && 'index' in ok.response);
    assert.ok(ok.response.index.large?.[0] instanceof ArrayBuffer, 'the worker moved the large values out');
    assert.equal(heldOf(ok.response.index), 5 * 64 * KiB);
    const batch = materialize(ok.response.index, whole, ok.dict, ctx);
    for (const [i, rec] of batch.spans.entries()) assert.equal(fromStoredValue(rec.values.find((v) => v instanceof LargeText)!), text(64 * KiB, `${6 + i}.0`));
  } finally {
    pool.dispose();
  }
  store.dispose();
});

test('TextSlabs: an adoptable buffer is adopted once, by one store; another store copies its values instead', () => {
  const store = new SpanStore({ maxBytes: 64 * MiB });
  const { ix } = workerIndex(store, Buffer.from(jsonRequest(specs([1], [5000]))));
  const a = new TextSlabs(MiB);
  const b = new TextSlabs(MiB);
  const home = ix.large![0]!;
  const batch = materialize(ix, Buffer.from(jsonRequest(specs([1], [5000]))), store.decodeContext.dict, store.decodeContext);
  const lt = batch.spans[0]!.values.find((v) => v instanceof LargeText) as LargeText;
  // A value of the same buffer stored by a second TextSlabs after the first adopted it is copied.
  const twin = new LargeText(Buffer.from(home, 0, 5000), -1);
  twin.home = lt.home;
  a.store(lt);
  a.store(lt);
  assert.equal(a.heldBytes, home.byteLength);
  assert.equal(lt.bytes.buffer, home);
  b.store(twin);
  assert.notEqual(twin.bytes.buffer, home, 'copied into b\u2019s own slab');
  assert.equal(twin.text(), text(5000, '1.0'));
  assert.equal(b.heldBytes, MiB, 'one slab of b’s');
  store.dispose();
});

test('values are split across buffers of at most the store\u2019s slab size; a buffer larger than a slab is copied, not adopted', async () => {
  const store = new SpanStore({ maxBytes: 64 * MiB });
  const spans = specs([1, 2, 3, 4, 5], [64 * KiB]);
  const body = Buffer.from(jsonRequest(spans));
  const { ix } = workerIndex(store, body, false, 128 * KiB);
  assert.deepEqual(ix.large!.map((b) => b.byteLength), [128 * KiB, 128 * KiB, 64 * KiB]);
  store.ingest(materialize(ix, body, store.decodeContext.dict, store.decodeContext));
  for (const t of [1, 2, 3, 4, 5]) assert.equal(attr(store, t, 'big.0'), text(64 * KiB, `${t}.0`));
  const bufs = new Set([1, 2, 3, 4, 5].map((t) => (store.records(traceIdOf(t))[0]!.values.find((v) => v instanceof LargeText) as LargeText).bytes.buffer));
  assert.deepEqual([...bufs].sort((a, b) => a.byteLength - b.byteLength), [...ix.large!].sort((a, b) => a.byteLength - b.byteLength), 'each kept where the worker put it');
  // Slabs of 1 MiB (64 MiB budget): a 4 MiB buffer of many values would let one of them pin 4 MiB.
  const other = new SpanStore({ maxBytes: 64 * MiB });
  const big = Buffer.from(jsonRequest(specs([11, 12, 13, 14, 15, 16, 17, 18], [200 * KiB])));
  const { ix: wide } = workerIndex(other, big, false, 4 * MiB);
  assert.equal(wide.large!.length, 1);
  other.ingest(materialize(wide, big, other.decodeContext.dict, other.decodeContext));
  const rec = other.records(traceIdOf(11))[0]!;
  assert.notEqual((rec.values.find((v) => v instanceof LargeText) as LargeText).bytes.buffer, wide.large![0], 'copied');
  assert.equal(attr(other, 11, 'big.0'), text(200 * KiB, '11.0'));
  store.dispose();
  other.dispose();
});

test('an emptied adopted buffer goes back to the worker that made it (transferred: detached here at once); kept there for a body of the same size only', async () => {
  const store = new SpanStore({ maxBytes: 4 * MiB, maxTraceBytes: 2 * MiB });
  const back: ArrayBuffer[] = [];
  const kept = new LargeBuffers();
  // As the decode pool does: transferred to the worker (here a MessageChannel), which keeps it.
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (b: ArrayBuffer) => {
    back.push(b);
    kept.give(b);
  });
  store.recycleLargeBuffers = (buffer) => {
    port1.postMessage(buffer, [buffer]);
    return true;
  };
  const ix = storeBody(store, Buffer.from(jsonRequest(specs([1], [200 * KiB]))));
  const size = ix.large![0]!.byteLength;
  storeBody(store, Buffer.from(jsonRequest(specs(Array.from({ length: 22 }, (_, i) => i + 2), [200 * KiB]))));
  await settle();
  assert.equal(store.trace(traceIdOf(1)).length, 0, 'evicted');
  assert.equal(ix.large![0]!.byteLength, 0, 'detached here');
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(back.some((b) => b.byteLength === size), 'received whole by the worker side');
  assert.ok(store.stats().bytes <= 4 * MiB);
  // Reused only for exactly its size.
  assert.equal(kept.take(size + 8), undefined);
  const again = kept.take(size);
  assert.equal(again?.byteLength, size);
  port1.close();
  store.dispose();
});

test('LargeBuffers: at most MAX_KEPT_BYTES kept, oldest let go first (freed: detached); empty buffers not kept', () => {
  const kept = new LargeBuffers();
  kept.give(new ArrayBuffer(0));
  assert.equal(kept.keptBytes, 0);
  const given = Array.from({ length: 10 }, (_, i) => new ArrayBuffer(MiB + i * 8));
  for (const b of given) kept.give(b);
  assert.ok(kept.keptBytes <= MAX_KEPT_BYTES);
  assert.ok(MAX_KEPT_BYTES <= 4 * MiB, 'a slab\u2019s worth at most beside the budget');
  assert.equal(given[0]!.byteLength, 0, 'the oldest was freed at once');
  assert.equal(kept.take(MiB), undefined, 'the oldest went first');
  assert.equal(kept.take(MiB + 9 * 8)?.byteLength, MiB + 72);
  const huge = new ArrayBuffer(MAX_KEPT_BYTES + 8);
  kept.give(huge);
  assert.equal(kept.take(MAX_KEPT_BYTES + 8), undefined, 'larger than what is kept: not kept');
  assert.equal(huge.byteLength, 0, 'and freed');
});

test('LargeBuffers: once no buffer was given back or taken for KEPT_IDLE_MS, every kept buffer is freed', () => {
  let now = 0;
  const kept = new LargeBuffers(() => now);
  const a = new ArrayBuffer(MiB);
  const b = new ArrayBuffer(MiB + 8);
  kept.give(a);
  now = KEPT_IDLE_MS - 1;
  kept.give(b);
  now = KEPT_IDLE_MS + 10;
  assert.equal(kept.releaseIfIdle(), true, 'b came back less than KEPT_IDLE_MS ago: still kept');
  assert.equal(kept.keptBytes, 2 * MiB + 8);
  now += KEPT_IDLE_MS;
  assert.ok(kept.take(MiB + 16) === undefined, 'a take counts as use too');
  now += KEPT_IDLE_MS - 1;
  assert.equal(kept.releaseIfIdle(), true);
  now += 1;
  assert.equal(kept.releaseIfIdle(), false, 'idle: nothing kept any more');
  assert.equal(kept.keptBytes, 0);
  assert.equal(a.byteLength, 0, 'freed at once (detached)');
  assert.equal(b.byteLength, 0);
  assert.equal(kept.take(MiB), undefined);
});

test('LargeBuffers.releaseWhenIdle: kept buffers are freed by themselves once large bodies stop coming (as the decode worker asks)', async () => {
  const kept = new LargeBuffers();
  const a = new ArrayBuffer(MiB);
  kept.give(a);
  kept.releaseWhenIdle();
  kept.releaseWhenIdle(); // asked again while a check is pending: one check
  while (kept.keptBytes > 0) await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.byteLength, 0, 'freed (detached)');
  kept.releaseWhenIdle(); // nothing kept: no check left behind
});

test('through the decode pool: large bodies\u2019 values are adopted, and their emptied buffers are reused by the worker for like bodies', async () => {
  const ctx = new DecodeContext();
  const pool = new DecodePool(WORKER, 1, undefined, ctx);
  try {
    const body = (t: number): Buffer => Buffer.from(jsonRequest(specs([t, t + 1, t + 2, t + 3, t + 4], [64 * KiB])));
    const first = await pool.decode('json', body(10));
    assert.ok(first.response.ok && 'index' in first.response);
    const buf = first.response.index.large![0]!;
    const size = buf.byteLength;
    const batch = materialize(first.response.index, body(10), first.dict, ctx);
    assert.equal(fromStoredValue(batch.spans[0]!.values.find((v) => v instanceof LargeText)!), text(64 * KiB, '10.0'));
    assert.ok(pool.recycle(buf));
    assert.equal(buf.byteLength, 0, 'transferred');
    // The next like body comes back in a buffer of the same size, with its own values.
    const second = await pool.decode('json', body(20));
    assert.ok(second.response.ok && 'index' in second.response);
    assert.equal(second.response.index.large![0]!.byteLength, size);
    const b2 = materialize(second.response.index, body(20), second.dict, ctx);
    for (const [i, rec] of b2.spans.entries()) assert.equal(fromStoredValue(rec.values.find((v) => v instanceof LargeText)!), text(64 * KiB, `${20 + i}.0`));
  } finally {
    pool.dispose();
  }
  assert.equal(pool.recycle(new ArrayBuffer(8)), false, 'no worker: not taken');
});

test('BufferSink: a dropped buffer is detached and its memory released at once, not at the next garbage collection', () => {
  const sink = new BufferSink();
  const b = Buffer.allocUnsafeSlow(64 * MiB);
  b.fill(7);
  const view = new Uint8Array(b.buffer, 0, 16);
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(sink.drop(b.buffer as ArrayBuffer), true);
  assert.equal(b.buffer.byteLength, 0, 'detached');
  assert.equal(view.length, 0, 'views read as empty');
  // Node's allocator counts it freed now, while `b` is still referenced (no collection ran; one
  // that did would only free more).
  const freed = before - process.memoryUsage().arrayBuffers;
  assert.ok(freed >= 64 * MiB, `${freed} bytes freed`);
  assert.equal(sink.drop(new ArrayBuffer(0)), true);
});

test('churn: bodies stored through adopted buffers and in place, spans re-sent and refused, traces evicted — every value kept reads back exactly, the store within its budget', async () => {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const store = new SpanStore({ maxBytes: 8 * MiB, maxTraceBytes: 600 * KiB });
  /** What each stored span's value should read: trace → span → the last text sent. */
  const expected = new Map<number, Map<number, string>>();
  /** Every text sent for a trace and span (a refused re-send leaves an earlier one stored). */
  const ever = new Map<string, Set<string>>();
  let trace = 1;
  for (let round = 0; round < 120; round++) {
    const spans: SpanSpec[] = [];
    const sent = new Map<string, [number, number, string]>();
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      // Now and then a span of an earlier trace, or the same span twice in one body (last wins).
      const t = rand() < 0.2 && trace > 2 ? trace - 1 - Math.floor(rand() * 2) : trace++;
      const span = rand() < 0.3 && spans.length > 0 ? Number.parseInt(spans[spans.length - 1]!.spanId, 16) - 0x5000 : 1 + Math.floor(rand() * 4);
      const value = text(4096 + Math.floor(rand() * 150 * KiB), `${round}.${i}`);
      spans.push({ traceId: traceIdOf(t), spanId: spanIdOf(span), name: 'n', startMs: T0, endMs: T0 + 1, attributes: { v: value } });
      sent.set(`${t}/${span}`, [t, span, value]);
      const all = ever.get(`${t}/${span}`) ?? new Set<string>();
      all.add(value);
      ever.set(`${t}/${span}`, all);
    }
    const body = Buffer.from(jsonRequest(spans));
    if (rand() < 0.7) storeBody(store, body, false, [64 * KiB, 256 * KiB, MiB][Math.floor(rand() * 3)]);
    else store.ingest(materialize(indexOtlpJson(body, store.decodeContext)!, body, store.decodeContext.dict, store.decodeContext));
    for (const [t, span, value] of sent.values()) {
      const m = expected.get(t) ?? new Map<number, string>();
      m.set(span, value);
      expected.set(t, m);
    }
    if (round % 10 === 0) await settle();
  }
  await settle();
  assert.ok(store.stats().bytes <= 8 * MiB, `${store.stats().bytes}`);
  assert.ok(store.stats().evictedTraces > 10 && store.stats().refusedSpans >= 0);
  let checked = 0;
  for (const [t, spans] of expected) {
    for (const s of store.trace(traceIdOf(t))) {
      const span = Number.parseInt(s.spanId, 16) - 0x5000;
      // A span kept is the last one sent for its id (a refused re-send leaves the earlier one, also sent).
      const v = s.attributes['v'] as string;
      assert.ok(ever.get(`${t}/${span}`)?.has(v), `trace ${t} span ${span} reads one of the values sent for it, whole`);
      if (v === spans.get(span)) checked++;
    }
  }
  assert.ok(checked > 20, `${checked} spans checked against the last value sent`);
  store.dispose();
});

test('a large range the indexer marked all-ASCII (its length as -1 - length) is moved out like any other', () => {
  const store = new SpanStore({ maxBytes: 64 * MiB });
  const spans = specs([1], [5000]);
  const body = Buffer.from(jsonRequest(spans));
  const ix = indexOtlpJson(body, store.decodeContext)!;
  let marked = 0;
  for (let i = 0; i < ix.values.length; i += 2) {
    if (ix.values[i]! >= 0 && ix.values[i + 1]! >= 4096) {
      ix.values[i + 1] = -1 - ix.values[i + 1]!;
      marked++;
    }
  }
  assert.equal(marked, 1);
  assert.equal(moveLargeValues(ix, body, MiB), room(5000));
  store.ingest(materialize(ix, body, store.decodeContext.dict, store.decodeContext));
  assert.equal(attr(store, 1, 'big.0'), text(5000, '1.0'));
  store.dispose();
});
