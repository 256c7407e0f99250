// The notice that tells V8 of garbage it cannot see (store/heapGarbage.ts): the heap bytes the budget
// evicts are counted (large values held off the heap are not), V8 is told once they pass the
// threshold — not again while the collection it began is under way (until V8 reports a full
// collection, 500 ms at most), and not twice within 200 ms — and the count starts again after V8's
// own full collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_MS, garbageThresholdFor, garbageThresholdForLive, HeapGarbageNotice, MIN_INTERVAL_MS } from '../../../src/collector/store/heapGarbage';
import { MemoryBudget } from '../../../src/collector/store/memoryBudget';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { jsonRequest, spanIdOf, traceIdOf, T0 } from './helpers';

const KiB = 1024;
const MiB = 1024 * KiB;

function notice(thresholdBytes: number): { n: HeapGarbageNotice; told: number[]; now: { t: number } } {
  const told: number[] = [];
  const now = { t: 0 };
  const n = new HeapGarbageNotice({ thresholdBytes, nudge: () => told.push(now.t), clock: () => now.t, observeGc: false });
  return { n, told, now };
}

test('threshold: a quarter of the budget, 16 to 64 MiB', () => {
  assert.equal(garbageThresholdFor(256 * MiB), 64 * MiB);
  assert.equal(garbageThresholdFor(128 * MiB), 32 * MiB);
  assert.equal(garbageThresholdFor(8 * MiB), 16 * MiB);
  assert.equal(garbageThresholdFor(4096 * MiB), 64 * MiB);
  // Once V8 tells what is live: a quarter of that, 16 MiB up to the budget's figure.
  assert.equal(garbageThresholdForLive(100 * MiB, 64 * MiB), 25 * MiB);
  assert.equal(garbageThresholdForLive(10 * MiB, 64 * MiB), 16 * MiB);
  assert.equal(garbageThresholdForLive(1024 * MiB, 64 * MiB), 64 * MiB);
});

test('V8 is told once the evicted heap bytes pass the threshold, at most every 500 ms; a full collection starts the count again and sets the threshold from what is live', () => {
  const { n, told, now } = notice(10 * MiB);
  n.evicted(6 * MiB);
  assert.equal(told.length, 0);
  n.evicted(5 * MiB);
  assert.deepEqual(told, [0], 'told at 11 MiB');
  assert.equal(n.pending, 0);
  now.t = 300;
  n.evicted(20 * MiB);
  assert.equal(told.length, 1, 'not twice within 500 ms');
  now.t = 1200;
  n.evicted(1);
  assert.deepEqual(told, [0, 1200], 'told again once that has passed');
  n.evicted(9 * MiB);
  n.collected();
  assert.equal(n.pending, 0, 'V8 collected on its own: nothing pending');
  now.t = 5000;
  n.evicted(2 * MiB);
  assert.equal(told.length, 2);
  // Little live (the threshold's floor is 16 MiB, above this notice's 10): at most the starting figure.
  n.collected(8 * MiB);
  assert.equal(n.thresholdBytes, 10 * MiB);
  const wide = notice(64 * MiB);
  wide.n.collected(100 * MiB);
  assert.equal(wide.n.thresholdBytes, 25 * MiB, 'a quarter of what is live');
  wide.n.evicted(26 * MiB);
  assert.equal(wide.told.length, 1);
  wide.n.dispose();
  n.evicted(2 * MiB);
  n.evicted(-5);
  n.evicted(Number.NaN);
  assert.equal(n.pending, 2 * MiB, 'nothing odd counted');
  n.dispose();
});

test('once V8 reports the full collection a nudge began, the next may come 200 ms after it; until then not within 500 ms', () => {
  assert.equal(MIN_INTERVAL_MS, 200);
  assert.equal(BUSY_MS, 500);
  const { n, told, now } = notice(10 * MiB);
  n.evicted(11 * MiB);
  assert.deepEqual(told, [0]);
  // V8 finished the collection at 120 ms: garbage from then on counts towards the next nudge.
  now.t = 120;
  n.collected(40 * MiB);
  assert.equal(n.thresholdBytes, 10 * MiB, 'at most the starting figure');
  n.evicted(11 * MiB);
  assert.equal(told.length, 1, 'not within 200 ms of the last nudge, even with its collection done');
  now.t = 200;
  n.evicted(1);
  assert.deepEqual(told, [0, 200], 'told at 200 ms: the collection it began is over');
  // This one's collection is not reported: the next waits for BUSY_MS.
  now.t = 450;
  n.evicted(20 * MiB);
  assert.equal(told.length, 2, 'under way: not told at 450 ms');
  now.t = 699;
  n.evicted(1);
  assert.equal(told.length, 2, 'still under way at 699 ms');
  now.t = 700;
  n.evicted(1);
  assert.deepEqual(told, [0, 200, 700], 'counted as over after 500 ms');
  // A full collection V8 ran on its own (none of ours under way) does not allow one sooner than 200 ms.
  now.t = 750;
  n.collected();
  n.evicted(11 * MiB);
  assert.equal(told.length, 3);
  now.t = 900;
  n.evicted(1);
  assert.deepEqual(told, [0, 200, 700, 900]);
  n.dispose();
});

test('the budget tells of the heap part of what it evicts: small spans count, large values held off the heap do not', () => {
  const body = (t: number, big: boolean, spans = 50): string =>
    jsonRequest(
      Array.from({ length: spans }, (_, i) => ({
        traceId: traceIdOf(t),
        spanId: spanIdOf(i + 1),
        name: `s${i}`,
        startMs: T0 + i,
        endMs: T0 + i + 1,
        attributes: (big ? { body: 'x'.repeat(64 * KiB) } : { a: `value ${t}.${i}`, b: `other ${t}.${i}`, c: i }) as Record<string, string | number>,
      })),
    );
  for (const big of [false, true]) {
    const budget = new MemoryBudget(4 * MiB);
    const { n } = notice(Number.MAX_SAFE_INTEGER);
    budget.garbage = n;
    const store = new SpanStore({ budget });
    // Enough to pass the budget (small spans: 32,000 of them, beyond what 4 MiB holds).
    for (let t = 1; t <= (big ? 80 : 160); t++) importOtlpJson(store, body(t, big, big ? 4 : 200));
    const evicted = budget.evictedOf('spans');
    assert.ok(evicted.units >= 3, `traces evicted: ${evicted.units}`);
    if (big) {
      // 64 KiB of each span's bytes were off the heap: only the records' own part is garbage.
      assert.ok(n.pending > 0 && n.pending < evicted.bytes / 20, `heap part ${n.pending} of ${evicted.bytes}`);
    } else {
      assert.equal(n.pending, evicted.bytes, 'all of it was heap');
    }
    store.dispose();
  }
});
