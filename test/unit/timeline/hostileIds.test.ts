// Span ids chosen to collide (a program, an imported file or a remote backend can send any ids):
// the timeline's id tables (the store's batch parents, the page's span rows: both keyed by the
// ids' words) must keep each lookup's work bounded and every answer right. Work is counted in
// slots looked at (probes), never timed. And batches made by hand: never unsafe.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import { ID_WORDS, SPAN_AT } from '../../../src/protocol/spanColumns';
import { BatchIdRefs } from '../../../src/collector/store/batchIdRefs';
import { spanIdHash } from '../../../src/collector/store/spanIdWords';
import { MAX_PROBES } from '../../../src/trace/idHash';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { oddEntries, SpanRowIndex } from '../../../src/timelineModel/spanRowIndex';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { span } from './spanFixtures';

/** `n` span ids as words whose seeded word hashes agree in their low 12 bits: one probe run in a table of up to 2048 slots. */
function collidingWords(seed: number, n: number): [number, number][] {
  const ids: [number, number][] = [];
  for (let hi = 1; ids.length < n; hi++) if ((spanIdHash(seed, hi, 7) & 0xfff) === 0) ids.push([hi, 7]);
  return ids;
}

void test('the page\'s span rows (SpanRowIndex) with ids colliding under its seed, appended live: bounded work, the right parents and ids', () => {
  const seed = 0x5eed;
  const n = 600;
  const ids = collidingWords(seed, n).map(([hi, lo]) => wordsHex(hi, lo));
  // The first batch: a root and half the spans; the second: the rest, each the child of an earlier colliding span.
  const spans = ids.map((id, i) => span(id, i === 0 ? undefined : ids[Math.floor(i / 2)], i, i + 1));
  const first = encodeSpanBatch(spans.slice(0, n / 2));
  const joined = concatBatches(first, encodeSpanBatch(spans.slice(n / 2)));
  const rows = new SpanRowIndex(first, oddEntries(first), seed);
  let most = 0;
  const op = <T>(f: () => T): T => {
    const before = rows.probes;
    const out = f();
    most = Math.max(most, rows.probes - before);
    return out;
  };
  rows.grown(joined, oddEntries(joined));
  for (let r = 0; r < n; r++) assert.equal(op(() => rows.get(ids[r]!)), r);
  for (let r = 1; r < n; r++) assert.equal(op(() => rows.parentRow(r)), Math.floor(r / 2), `parent of span ${r}`);
  assert.ok(most <= MAX_PROBES, `${most} slots in one operation`);
  assert.ok(rows.probes <= 3 * n * MAX_PROBES, `${rows.probes} probes`);
  const tree = buildSpanTree(new SpanTable(joined));
  assert.equal(tree.size, n);
  for (let i = 1; i < n; i++) {
    const node = tree.byId.get(ids[i]!)!;
    assert.equal(tree.spanId(tree.parent[node]!), ids[Math.floor(i / 2)], `parent of span ${i}`);
  }
  assert.equal(tree.roots.length, 1);
});

void test("the store's batch id table (BatchIdRefs) with ids colliding under its seed: at most MAX_PROBES slots an operation, repeated ids and parents find a span with their id", () => {
  const seed = 0x5eed;
  const n = 1000;
  const ids = collidingWords(seed, n + 1);
  const absent = ids.pop()!;
  // Every tenth span re-sends an earlier id, as a hand-made list would.
  const spans = ids.map((id, i) => (i % 10 === 9 ? ids[i - 9]! : id));
  const words = new Uint32Array(n * ID_WORDS);
  spans.forEach(([hi, lo], k) => ((words[k * ID_WORDS + SPAN_AT] = hi), (words[k * ID_WORDS + SPAN_AT + 1] = lo)));
  const refs = new BatchIdRefs(words, n, seed);
  let most = 0;
  const op = <T>(f: () => T): T => {
    const before = refs.probes;
    const out = f();
    most = Math.max(most, refs.probes - before);
    return out;
  };
  spans.forEach((_, k) => op(() => refs.span(k)));
  const sameId = (k: number, j: number) => spans[k]![0] === spans[j]![0] && spans[k]![1] === spans[j]![1];
  spans.forEach(([hi, lo], k) => assert.ok(sameId(op(() => refs.parent(hi, lo)), k), `a parent ${k} finds a span with its id`));
  spans.forEach(([hi, lo], k) => assert.ok(sameId(op(() => refs.parentText(wordsHex(hi, lo))), k), `a parent ${k} given as text finds it too`));
  assert.equal(op(() => refs.parent(absent[0], absent[1])), -1, 'an id of no span in the batch is not found');
  assert.equal(op(() => refs.parentText(wordsHex(absent[0], absent[1]))), -1);
  assert.equal(most, MAX_PROBES, 'the crowded run is walked no further than MAX_PROBES');
  assert.ok(refs.probes <= (3 * n + 2) * MAX_PROBES, `${refs.probes} probes`);
});

void test("the store's batch id table: ids kept as text meet the same ids given as words; odd ids are matched by their text", () => {
  const words = new Uint32Array(4 * ID_WORDS);
  words[ID_WORDS + SPAN_AT] = 0x01020304;
  words[ID_WORDS + SPAN_AT + 1] = 0x0a0b0c0d;
  const refs = new BatchIdRefs(words, 4, 1);
  refs.spanText(0, 'NOT-HEX');
  refs.span(1);
  assert.equal(refs.parentText('NOT-HEX'), 0);
  assert.equal(refs.parent(0x01020304, 0x0a0b0c0d), 1);
  assert.equal(refs.parentText('010203040a0b0c0d'), 1, 'a canonical id as text is the span given as words');
  assert.equal(refs.parentText('ffffffffffffffff'), -1, 'a remote parent is no span of the batch');
  refs.spanText(3, 'NOT-HEX');
  assert.equal(refs.parentText('NOT-HEX'), 3, 'the last span with an odd id');
});

void test('a hostile batch: parents pointing anywhere, ids repeated, odd ids, words of every value: valid or refused, never a crash, and the tree holds every span once', () => {
  const rand = (() => {
    let x = 12345;
    return () => ((x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0), x / 4294967296);
  })();
  for (let round = 0; round < 50; round++) {
    const n = 1 + Math.floor(rand() * 40);
    const spans = Array.from({ length: n }, (_, i) => span(rand() < 0.2 ? `odd ${i % 5}` : wordsHex(1 + Math.floor(rand() * n), 0), rand() < 0.2 ? undefined : rand() < 0.2 ? 'odd 1' : wordsHex(1 + Math.floor(rand() * n), 0), i, i + 1));
    const b = encodeSpanBatch(spans);
    for (let i = 0; i < n; i++) if (rand() < 0.3) b.parent[i] = Math.floor(rand() * (n + 2)) - 2;
    for (let w = 0; w < b.ids.length; w++) if (rand() < 0.05) b.ids[w] = rand() * 4294967296;
    for (let w = 0; w < b.times.length; w++) if (rand() < 0.05) b.times[w] = 0xffffffff;
    assert.ok(isSpanBatch(b), `round ${round}`);
    const tree = buildSpanTree(new SpanTable(b));
    assert.equal(new Set(Array.from(tree.row)).size, tree.size);
    assert.ok(tree.size <= n);
    for (let i = 0; i < tree.size; i++) assert.equal(typeof tree.span(i).spanId, 'string');
  }
});

function wordsHex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
