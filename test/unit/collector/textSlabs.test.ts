// Large values' bytes in slabs (store/textSlabs.ts): appended, counted exactly (live, dead, held),
// freed whole when their last value is released, values too large for a slab in buffers of their
// own; and a store that evicts traces of such values keeps them exact while within its budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LargeText, LARGE_TEXT_OVERHEAD } from '../../../src/collector/store/largeText';
import { SLAB_BYTES, SLAB_VALUE_OVERHEAD, slabBytesFor, TextSlabs } from '../../../src/collector/store/textSlabs';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { toJson, toProto, type GenRequest, type GenSpan } from './otlpGenerator';

const KiB = 1024;

/** A value of `n` UTF-8 bytes that says which it is (so a read of the wrong bytes shows). */
function text(n: number, tag: number): string {
  const head = `<${tag}>`;
  const rest = n - head.length - 1;
  const wide = Math.floor(rest / 6);
  // Multi-byte characters (3 UTF-8 bytes each) and ASCII: exactly n bytes.
  return head + '€'.repeat(wide) + 'a'.repeat(rest - 3 * wide) + '|';
}

const room = (n: number): number => (n + 7) & ~7;

test('values are appended to one slab until it is full; the budget counts each at its bytes (rounded to 8) and its objects', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  const values: LargeText[] = [];
  // 4,100 UTF-8 bytes each (not a multiple of 8): 15 fit in 64 KiB (15 × 4,104 = 61,560).
  for (let i = 0; i < 15; i++) values.push(slabs.toStored(text(4100, i)) as LargeText);
  assert.equal(slabs.buffers, 1, 'one slab');
  assert.equal(slabs.heldBytes, 64 * KiB);
  assert.equal(slabs.deadBytes, 0);
  for (const [i, v] of values.entries()) {
    assert.equal(Buffer.byteLength(v.text()), 4100);
    assert.ok(v.text().startsWith(`<${i}>`), 'each reads back its own bytes');
    assert.equal(v.cost, SLAB_VALUE_OVERHEAD + 4104);
    assert.equal(v.bytes.buffer, values[0]!.bytes.buffer, 'the same slab');
  }
  // The 16th opens a second slab: the first one's unused end is dead room, counted.
  const next = slabs.toStored(text(4100, 15)) as LargeText;
  assert.equal(slabs.buffers, 2);
  assert.notEqual(next.bytes.buffer, values[0]!.bytes.buffer);
  assert.equal(slabs.deadBytes, 64 * KiB - 15 * 4104);
  assert.equal(slabs.heldBytes, 128 * KiB);
});

test('a slab is freed whole when its last value is released, not before; release is idempotent; its values read as freed', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  const first = Array.from({ length: 15 }, (_, i) => slabs.toStored(text(4100, i)) as LargeText);
  const second = slabs.toStored(text(4100, 99)) as LargeText;
  for (const v of first.slice(0, 14)) slabs.release(v);
  assert.equal(slabs.buffers, 2, 'one value still keeps the first slab');
  // The slab is kept whole by one value: everything in it but that value counts as dead.
  assert.equal(slabs.deadBytes, 64 * KiB - 4104);
  assert.ok(first[14]!.text().startsWith('<14>'), 'the value still stored is intact');
  slabs.release(first[14]!);
  slabs.release(first[14]!);
  // Its memory is kept as a spare slab (counted as dead room), its old views detached.
  assert.equal(slabs.buffers, 2);
  assert.equal(slabs.heldBytes, 128 * KiB);
  assert.equal(slabs.deadBytes, 64 * KiB);
  assert.ok(first[0]!.freed && first[0]!.bytes.byteLength === 0, 'its values are gone (detached) at once, not when the GC collects them');
  assert.deepEqual(first[0]!.value(), { kind: 'truncated', value: '', length: 4100 }, 'a reader that kept it past its release sees an empty marker, not other bytes');
  assert.ok(second.text().startsWith('<99>') && !second.freed, 'the other slab is untouched');
  // The current slab is not freed when emptied (it is still being filled); released room is dead.
  slabs.release(second);
  assert.equal(slabs.buffers, 2);
  assert.equal(slabs.deadBytes, 64 * KiB + 4104);
  const third = slabs.toStored(text(4100, 7)) as LargeText;
  assert.equal(third.bytes.buffer, second.bytes.buffer, 'appended after the released value, never over it');
  assert.ok(!second.freed && second.text().startsWith('<99>'), 'released room is not written again');
});

test('an emptied slab is filled again (up to two spares; more are freed), and what it held before reads as freed, never as new bytes', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  const fill = (tag: number): LargeText[] => Array.from({ length: 15 }, (_, i) => slabs.toStored(text(4100, tag + i)) as LargeText);
  const slabsOf = (vs: LargeText[]): Set<unknown> => new Set(vs.map((v) => v.slab));
  const a = fill(0);
  const b = fill(100);
  const c = fill(200);
  const d = fill(300);
  fill(400); // seals d
  assert.equal(slabs.buffers, 5);
  for (const v of [...a, ...b, ...c]) slabs.release(v);
  // Two of the three emptied slabs are spares, the third is freed.
  assert.equal(slabs.buffers, 4);
  assert.equal(slabs.heldBytes, 4 * 64 * KiB);
  const before = slabs.heldBytes;
  const e = fill(500);
  const f = fill(600);
  assert.equal(slabs.heldBytes, before, 'the spares were filled: nothing allocated');
  assert.equal(slabsOf([...e, ...f]).size, 2, 'e and f each in a spare');
  for (const v of [...a, ...b, ...c]) assert.ok(v.freed && v.text() === '', 'released values read empty');
  for (const [i, v] of [...d, ...e].entries()) assert.ok(v.text().startsWith(`<${i < 15 ? 300 + i : 500 + i - 15}>`), 'stored values intact');
});

test('a value of ownFrom bytes or more gets a buffer of its own, counted as before and freed on release', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  const small = slabs.toStored(text(5000, 1)) as LargeText;
  const big = slabs.toStored(text(200 * KiB, 2)) as LargeText;
  assert.equal(big.bytes.byteLength, 200 * KiB);
  assert.notEqual(big.bytes.buffer, small.bytes.buffer);
  assert.equal(big.cost, LARGE_TEXT_OVERHEAD + 200 * KiB);
  assert.equal(slabs.heldBytes, 64 * KiB + 200 * KiB);
  assert.equal(slabs.deadBytes, 0);
  assert.ok(big.text().startsWith('<2>') && big.text().endsWith('|'));
  slabs.release(big);
  assert.ok(big.freed);
  assert.equal(slabs.heldBytes, 64 * KiB);
  assert.equal(slabs.deadBytes, 0);
  assert.ok(small.text().startsWith('<1>'));
});

test('accounting is exact: held = live rooms + dead + the current slab\u2019s unused end, through random stores and releases', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const live = new Set<LargeText>();
  const truncated = slabs.toStored({ kind: 'truncated', value: text(6000, 5), length: 90_000 }) as LargeText;
  assert.equal(truncated.truncatedLength, 90_000);
  assert.deepEqual((truncated.value() as { length: number }).length, 90_000);
  live.add(truncated);
  for (let step = 0; step < 3000; step++) {
    if (live.size > 0 && rand(3) === 0) {
      // Nearly in order, as whole-trace eviction goes, with some out of order.
      const all = [...live];
      const v = all[rand(4) === 0 ? rand(all.length) : 0]!;
      slabs.release(v);
      live.delete(v);
    } else {
      const n = 4096 + rand(rand(10) === 0 ? 40 * KiB : 6000);
      const v = slabs.toStored(text(n, step)) as LargeText;
      assert.equal(Buffer.byteLength(v.text()), n);
      live.add(v);
    }
    let liveRoom = 0;
    let ownBytes = 0;
    for (const v of live) {
      if (v.slab!.own) ownBytes += v.size;
      else liveRoom += room(v.size);
    }
    const slabHeld = slabs.heldBytes - ownBytes;
    assert.ok(slabHeld % (64 * KiB) === 0);
    const unusedEnd = slabHeld - liveRoom - slabs.deadBytes;
    assert.ok(unusedEnd >= 0 && unusedEnd < 64 * KiB, `step ${step}: the current slab's unused end is ${unusedEnd}`);
  }
  for (const v of live) assert.ok(!v.freed, 'no stored value lost its bytes');
  for (const v of live) slabs.release(v);
  assert.ok(slabs.buffers <= 3, 'everything released: at most the current slab and two spares are left');
});

test('slab size follows the budget: a 64th of it, 64 KiB to 4 MiB', () => {
  assert.equal(slabBytesFor(1024 * KiB), 64 * KiB);
  assert.equal(slabBytesFor(32 * 1024 * KiB), 512 * KiB);
  assert.equal(slabBytesFor(256 * 1024 * KiB), SLAB_BYTES);
  assert.equal(slabBytesFor(64 * 1024 * 1024 * KiB), SLAB_BYTES);
});

function request(trace: number, spans: number, valueBytes: number, root: boolean): GenRequest {
  const traceId = trace.toString(16).padStart(32, '0');
  const list: GenSpan[] = Array.from({ length: spans }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    traceState: '',
    parentSpanId: i === 0 && root ? '' : 'ffffffffffffffff',
    flags: 1,
    name: `span ${i}`,
    kind: 1,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i + 1)),
    attributes: [{ key: 'body', value: { stringValue: text(valueBytes, trace * 100 + i) } }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  }));
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'slabs' } }], droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: 'slabs', version: '', attributes: [], droppedAttributesCount: 0 }, spans: list, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

test('a store evicting traces of slab-kept values stays within its budget, counts pinned slabs, and reads back what it keeps exactly', () => {
  // 8 MiB: slabs of 128 KiB, values of 5–8 KiB go in them.
  const budget = 8 * 1024 * KiB;
  const store = new SpanStore({ maxBytes: budget, idleMs: 0 });
  const sent = new Map<string, string>();
  // A trace that never finishes (no root): one of its values lands in nearly every slab.
  for (let t = 1; t <= 400; t++) {
    const req = request(t, 3, 5000 + (t % 7) * 300, true);
    const body = t % 2 ? Buffer.from(toJson(req)) : toProto(req);
    store.ingest(t % 2 ? decodeOtlpJsonBytes(body, store.decodeContext) : decodeOtlpProto(body, store.decodeContext));
    const pin = request(0xfff, 1, 6000, false);
    pin.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.spanId = (t + 0x1000).toString(16).padStart(16, '0');
    store.ingest(decodeOtlpProto(toProto(pin), store.decodeContext));
    const stats = store.stats();
    assert.ok(stats.bytes <= budget, `after trace ${t}: ${stats.bytes} bytes held within ${budget}`);
    for (const s of req.resourceSpans[0]!.scopeSpans[0]!.spans) sent.set(`${s.traceId}/${s.spanId}`, (s.attributes[0]!.value as { stringValue: string }).stringValue);
  }
  const stats = store.stats();
  assert.ok(stats.evictedTraces > 100, `${stats.evictedTraces} evicted`);
  let checked = 0;
  for (const [key, value] of sent) {
    const [traceId, spanId] = key.split('/') as [string, string];
    const spans = store.trace(traceId);
    if (!spans || spans.length === 0) continue;
    const span = spans.find((s) => s.spanId === spanId);
    assert.ok(span?.attributes.body === value, `${key} reads back exactly`);
    checked++;
  }
  assert.ok(checked > 50, `${checked} stored spans checked`);
  store.dispose();
});

test('a hold keeps emptied slabs readable until it ends (a run file written across awaits); then they are freed', () => {
  const slabs = new TextSlabs(64 * KiB, 16 * KiB);
  const a = Array.from({ length: 15 }, (_, i) => slabs.toStored(text(4100, i)) as LargeText);
  slabs.toStored(text(4100, 99)); // seals a's slab
  const own = slabs.toStored(text(20 * KiB, 7)) as LargeText;
  const unhold = slabs.hold();
  const unholdToo = slabs.hold();
  for (const v of [...a, own]) slabs.release(v);
  assert.ok(a.every((v, i) => v.text().startsWith(`<${i}>`)) && own.text().startsWith('<7>'), 'released values still read exactly while held');
  assert.equal(slabs.deadBytes, 64 * KiB + 20 * KiB, 'and stay counted');
  unhold();
  unhold();
  assert.ok(!a[0]!.freed, 'another hold is still on');
  unholdToo();
  assert.ok(a[0]!.freed && own.freed, 'freed when the last hold ends');
  assert.equal(slabs.deadBytes, 64 * KiB, 'the emptied slab is now a spare; the own buffer is gone');
});

test('a store: records taken under holdLargeValues read back exactly after their trace is evicted', () => {
  const store = new SpanStore({ maxBytes: 8 * 1024 * KiB, idleMs: 0 });
  const first = request(1, 3, 6000, true);
  store.ingest(decodeOtlpProto(toProto(first), store.decodeContext));
  const records = store.records('1'.padStart(32, '0'));
  const unhold = store.holdLargeValues();
  for (let t = 2; t <= 700; t++) store.ingest(decodeOtlpProto(toProto(request(t, 3, 6000, true)), store.decodeContext));
  assert.equal(store.trace('1'.padStart(32, '0')).length, 0, 'the first trace was evicted');
  const want = first.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => (s.attributes[0]!.value as { stringValue: string }).stringValue);
  const got = records.map((r) => (r.values[0] as LargeText).text());
  assert.ok(got.every((g, i) => g === want[i]), 'read exactly while held');
  unhold();
  assert.ok(records.every((r) => (r.values[0] as LargeText).freed), 'freed once the hold ends');
  store.dispose();
});
