// Span ids chosen to collide (a program, an imported file or a remote backend can send any ids):
// the timeline's id tables must keep each lookup's work bounded and every answer right. Work is
// counted in slots looked at (IdIndex.probes), never timed.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { BatchStrings, encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { BatchIdRefs } from '../../../src/collector/store/batchIdRefs';
import { spanIdHash } from '../../../src/collector/store/spanIdWords';
import { MAX_PROBES, stringHash } from '../../../src/timelineModel/idIndex';
import { avalanche } from '../../../src/trace/idHash';
import { indexOf } from './idIndexFixtures';
import { BatchIds, concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { span } from './spanFixtures';

const HEX = '0123456789abcdef';

/** The hash the timeline used before: FNV-1a of the UTF-16 code units, from FNV's fixed offset basis. */
function unseededFnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `count` 16-hex-digit ids whose unseeded FNV-1a agree in the low `bits` bits (the old table's slot),
 * by construction: those bits of the state depend only on the same bits of the state before and of
 * each character, so after every 4-digit block all ids may be brought to one state: of the 65,536
 * blocks, take those that lead to the most common state; the ids are every sequence of such blocks.
 */
function oldHashCollisions(bits: number, count: number): string[] {
  const mask = (1 << bits) - 1;
  const step = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193) & mask;
  let state = 0x811c9dc5 & mask;
  let ids = [''];
  for (let blockNo = 0; blockNo < 4; blockNo++) {
    const byEnd = new Map<number, string[]>();
    for (let b = 0; b < 65536; b++) {
      const block = HEX[(b >> 12) & 15]! + HEX[(b >> 8) & 15]! + HEX[(b >> 4) & 15]! + HEX[b & 15]!;
      let h = state;
      for (let i = 0; i < 4; i++) h = step(h, block.charCodeAt(i));
      const list = byEnd.get(h);
      if (list) list.push(block);
      else byEnd.set(h, [block]);
    }
    let best: [number, string[]] = [0, []];
    for (const e of byEnd) if (e[1].length > best[1].length) best = e;
    state = best[0];
    ids = ids.flatMap((p) => best[1].map((block) => p + block)).slice(0, count);
  }
  return ids;
}

/**
 * `count` ids that all land in one slot of an IdIndex of `capacity` with this seed, found by trying
 * ids in order: the hash of each 12-digit prefix is taken once, its 65,536 4-digit endings checked
 * without making strings.
 */
function newHashCollisions(seed: number, capacity: number, count: number): string[] {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  const ids: string[] = [];
  for (let p = 0; ids.length < count; p++) {
    const prefix = p.toString(16).padStart(12, '0');
    const start = fnvFrom(seed, prefix);
    for (let e = 0; e < 65536 && ids.length < count; e++) {
      let h = start;
      for (let k = 12; k >= 0; k -= 4) h = Math.imul(h ^ HEX.charCodeAt((e >> k) & 15), 0x01000193);
      if ((avalanche(h) & (size - 1)) !== 0) continue;
      const id = prefix + HEX[(e >> 12) & 15]! + HEX[(e >> 8) & 15]! + HEX[(e >> 4) & 15]! + HEX[e & 15]!;
      assert.equal(stringHash(seed, id) & (size - 1), 0);
      ids.push(id);
    }
  }
  return ids;
}

function fnvFrom(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}


void test('ids made to collide under the old unseeded FNV-1a: the old table probed n²/2 slots, the seeded one a few per id, and finds each', () => {
  const n = 4096;
  const ids = oldHashCollisions(13, n); // 13 bits: the slot of a table for 4096 ids (8192 slots)
  assert.equal(new Set(ids).size, n);
  const slot = unseededFnv(ids[0]!) & 8191;
  assert.ok(ids.every((id) => (unseededFnv(id) & 8191) === slot), 'every id has the same slot under the old hash');
  // The old table placed id i after the i taken slots of the run: 0 + 1 + … + (n - 1) probes beyond the first.
  const oldProbes = (n * (n + 1)) / 2;
  for (const seed of [1, 0x9e3779b9, 0xdeadbeef]) {
    const { idx } = indexOf(ids, seed);
    for (let i = 0; i < n; i++) idx.set(i);
    for (let i = 0; i < n; i++) assert.equal(idx.get(ids[i]!), i);
    assert.equal(idx.get('0'.repeat(16)), undefined);
    // 2n + 1 operations, about two slots each on average (a random table at this load), a thousandth of the old work.
    assert.ok(idx.probes <= 4 * (2 * n + 1), `seed ${seed}: ${idx.probes} probes for ${2 * n + 1} operations (the old table: ${oldProbes} for the inserts alone)`);
    assert.equal(idx.overflowed, 0);
  }
  // Without a seed given, each table draws its own (crypto.getRandomValues) and works the same.
  const { idx } = indexOf(ids);
  for (let i = 0; i < n; i++) idx.set(i);
  assert.ok(ids.every((id, i) => idx.get(id) === i));
});

void test('ids that collide under the seeded hash too (its seed known): no operation looks at more than MAX_PROBES slots, the rest go beside the table, every answer stays right', () => {
  const seed = 0x5eed;
  for (const n of [500, 1000]) {
    const ids = newHashCollisions(seed, n, n + 1);
    const absent = ids.pop()!;
    const { idx, from, to } = indexOf(ids, seed);
    let most = 0;
    const op = (f: () => void): void => {
      const before = idx.probes;
      f();
      most = Math.max(most, idx.probes - before);
    };
    for (let i = 0; i < n; i++) op(() => idx.set(i));
    assert.equal(idx.size, n);
    assert.equal(idx.overflowed, n - MAX_PROBES, 'the run holds MAX_PROBES ids, the others are beside it');
    for (let i = 0; i < n; i++) op(() => assert.equal(idx.get(ids[i]!), i));
    for (let i = 0; i < n; i++) op(() => assert.equal(idx.getRange(from[i]!, to[i]!), i));
    // Misses in the crowded slot and elsewhere; a later index with the same id replaces it, wherever the id is.
    op(() => assert.equal(idx.get(absent), undefined));
    op(() => assert.equal(idx.get('not an id'), undefined));
    assert.equal(idx.add(n - 1), n - 1);
    assert.equal(idx.add(0), 0);
    assert.equal(most, MAX_PROBES, 'the longest operation looked at MAX_PROBES slots');
    // Linear in the ids: at most MAX_PROBES a lookup, where one long run made the old table's work quadratic.
    assert.ok(idx.probes <= (3 * n + 4) * MAX_PROBES, `${idx.probes} probes`);
  }
});

void test('a table that grows places the ids beside it again: those that now fit leave the Map, answers unchanged', () => {
  const seed = 0x5eed;
  const ids = newHashCollisions(seed, 100, 200); // all in slot 0 of a 256-slot table
  const more = Array.from({ length: 300 }, (_, i) => `id-${i}`);
  const all = [...ids, ...more];
  const { idx } = indexOf(all, seed, 100);
  for (let i = 0; i < ids.length; i++) idx.add(i);
  assert.equal(idx.overflowed, ids.length - MAX_PROBES);
  for (let i = ids.length; i < all.length; i++) idx.add(i); // past half the slots: the table doubles (twice)
  assert.equal(idx.size, all.length);
  assert.ok(idx.overflowed < ids.length - MAX_PROBES, `${idx.overflowed} beside after growing`);
  assert.ok(all.every((id, i) => idx.get(id) === i));
});

void test('live appends (BatchIds) and the span tree with colliding ids: bounded work, the right parents', () => {
  const seed = 0x5eed;
  const n = 600;
  const ids = newHashCollisions(seed, n * 2, n);
  // The first batch: a root and half the spans; the second: the rest, each the child of an earlier colliding span.
  const spans = ids.map((id, i) => span(id, i === 0 ? undefined : ids[Math.floor(i / 2)], i, i + 1));
  const first = encodeSpanBatch(spans.slice(0, n / 2));
  const second = encodeSpanBatch(spans.slice(n / 2));
  const batchIds = new BatchIds(first, seed);
  let lookups = 0;
  const joined = concatBatches(first, second, (id) => (lookups++, batchIds.get(id)));
  batchIds.grown(joined, first.spanId.length);
  // Every span id and every parent id (all but the root's) added once, and the lookups of the append.
  const operations = 2 * n - 1 + lookups;
  assert.ok(batchIds.probes <= operations * MAX_PROBES, `${batchIds.probes} probes for ${operations} operations`);
  const tree = buildSpanTree(new SpanTable(joined));
  assert.equal(tree.size, n);
  for (let i = 1; i < n; i++) {
    const node = tree.byId.get(ids[i]!)!;
    assert.equal(tree.spanId(tree.parent[node]!), ids[Math.floor(i / 2)], `parent of span ${i}`);
  }
  assert.equal(tree.roots.length, 1);
});

void test("the store's batch id table (BatchIdRefs) with ids colliding under its seed: at most MAX_PROBES slots an operation, repeated ids and parents get their span's ref", () => {
  const seed = 0x5eed;
  const n = 1000;
  // Ids whose word hashes agree in their low 12 bits start their probe runs at one slot of the
  // batch's table (2048 slots for 1000 spans).
  const ids: [number, number][] = [];
  for (let hi = 1; ids.length < n + 1; hi++) if ((spanIdHash(seed, hi, 7) & 0xfff) === 0) ids.push([hi, 7]);
  const absent = ids.pop()!;
  // Every tenth span re-sends an earlier id (one ref for both), as a re-sent span would.
  const spans = ids.map((id, i) => (i % 10 === 9 ? ids[i - 9]! : id));
  const refs = new BatchIdRefs(new BatchStrings(), n, seed);
  let most = 0;
  const op = <T>(f: () => T): T => {
    const before = refs.probes;
    const out = f();
    most = Math.max(most, refs.probes - before);
    return out;
  };
  const spanRefs = spans.map(([hi, lo], k) => op(() => refs.span(k, hi, lo, wordsHex(hi, lo))));
  spans.forEach((id, k) => assert.equal(spanRefs[k], spanRefs[spans.indexOf(id)], `span ${k} shares its id's ref`));
  assert.equal(new Set(spanRefs).size, new Set(spans).size, 'one ref per distinct id');
  spans.forEach(([hi, lo], k) => assert.equal(op(() => refs.parent(hi, lo)), spanRefs[k], `a parent ${k} is its span's ref`));
  spans.forEach(([hi, lo], k) => assert.equal(op(() => refs.parentText(wordsHex(hi, lo))), spanRefs[k], `a parent ${k} given as text finds its span too`));
  assert.equal(op(() => refs.parent(absent[0], absent[1])), -1, 'an id of no span in the batch is not found');
  const outside = op(() => refs.parentText(wordsHex(absent[0], absent[1])));
  assert.ok(!spanRefs.includes(outside), 'it gets a ref of its own');
  assert.equal(refs.other(wordsHex(absent[0], absent[1])), outside, 'and the same one when asked again');
  assert.equal(most, MAX_PROBES, 'the crowded run is walked no further than MAX_PROBES');
  assert.ok(refs.probes <= (4 * n + 2) * MAX_PROBES, `${refs.probes} probes`);
});

void test("the store's batch id table: ids kept as text meet the same ids given as words; odd ids are matched by their text", () => {
  const t = new BatchStrings();
  const refs = new BatchIdRefs(t, 4, 1);
  const odd = refs.spanText(0, 'NOT-HEX');
  const words = refs.span(1, 0x01020304, 0x0a0b0c0d, '010203040a0b0c0d');
  assert.equal(refs.spanText(2, '010203040a0b0c0d'), words, 'a canonical id as text is the span given as words');
  assert.equal(refs.spanText(3, 'NOT-HEX'), odd, 'an odd id repeated shares its ref');
  assert.notEqual(odd, words);
  assert.equal(refs.parentText('NOT-HEX'), odd);
  assert.equal(refs.parent(0x01020304, 0x0a0b0c0d), words);
  assert.equal(refs.parentText('010203040a0b0c0d'), words);
  const remote = refs.parentText('ffffffffffffffff');
  assert.ok(![odd, words].includes(remote));
  assert.equal(refs.parentText('ffffffffffffffff'), remote, 'a remote parent once');
  assert.equal(t.size, 3, 'three distinct ids, three strings');
});

function wordsHex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
