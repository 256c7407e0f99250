// A live update's tree (buildSpanTree with `appendedTo`: the earlier rows' kinds and flags reused)
// against the tree built from scratch on the same appended batch: equal in every column, through a
// run that grows in random steps — passes converging, steps failing (status or an exception event),
// values cut to the caps, orphans whose parent arrives later, spans re-sent with other values.
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { encodeSpanBatch, type SpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import type { SpanView } from '../../../src/protocol/spanView';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import type { SpanTree } from '../../../src/timelineModel/spanTree';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { prng } from '../collector/helpers';
import { span } from './spanFixtures';

const KINDS = ['plan', 'pass', 'step', 'call', 'other'];

function randomRun(seed: number, n: number): SpanView[] {
  const rand = prng(seed);
  const out: SpanView[] = [span('s0', undefined, 0, 1000, { 'instrument_first.kind': 'plan' })];
  for (let i = 1; i < n; i++) {
    const kind = KINDS[Math.floor(rand() * KINDS.length)]!;
    const attributes: SpanView['attributes'] = { 'instrument_first.kind': kind, n: i };
    if (kind === 'pass' && rand() < 0.5) attributes['plan.pass.converged'] = rand() < 0.7;
    if (rand() < 0.05) attributes.body = { kind: 'truncated', value: 'abc', length: 9999 };
    const extra: Partial<SpanView> = {};
    if (rand() < 0.1) extra.status = 'error';
    if (rand() < 0.1) extra.events = [{ name: rand() < 0.5 ? 'exception' : 'log', timeMs: i, attributes: {} }];
    // Parents among earlier spans, or later ones (orphans until they arrive), now and then itself.
    const parent = rand() < 0.1 ? `s${Math.min(n - 1, i + 1 + Math.floor(rand() * 20))}` : rand() < 0.02 ? `s${i}` : `s${Math.floor(rand() * i)}`;
    out.push(span(`s${i}`, parent, i, i + 1 + rand() * 50, attributes, extra));
  }
  return out;
}

function assertSameTree(got: SpanTree, want: SpanTree, what: string): void {
  for (const column of ['row', 'parent', 'depth', 'subtreeEnd', 'kinds', 'flags', 'spanStartMs', 'spanEndMs', 'selfMs', 'extentEndMs'] as const) {
    assert.deepEqual(got[column], want[column], `${what}: ${column}`);
  }
  assert.deepEqual(got.roots, want.roots, `${what}: roots`);
  assert.equal(got.startMs, want.startMs);
  assert.equal(got.endMs, want.endMs);
  assert.equal(got.errorCount, want.errorCount, `${what}: errors`);
}

void test('appended tree: a live run growing in random steps (with re-sent spans) has, after each update, the tree built from scratch', () => {
  let converged = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const rand = prng(1000 + seed);
    const spans = randomRun(seed, 400);
    let batch: SpanBatch | undefined;
    let tree: SpanTree | undefined;
    for (let at = 0; at < spans.length; ) {
      const step = 1 + Math.floor(rand() * 60);
      const part = spans.slice(at, at + step);
      at += step;
      // A span sent before comes again, changed (kind, status): the newer one counts.
      if (at > 50 && rand() < 0.5) {
        const old = spans[Math.floor(rand() * (at - step))]!;
        part.push({ ...old, status: 'error', attributes: { ...old.attributes, 'instrument_first.kind': 'step' } });
      }
      const update = encodeSpanBatch(part);
      batch = batch ? concatBatches(batch, update) : update;
      assert.ok(isSpanBatch(batch));
      const table = new SpanTable(batch);
      tree = buildSpanTree(table, tree);
      assertSameTree(tree, buildSpanTree(new SpanTable(batch)), `seed ${seed} at ${at}`);
    }
    for (let i = 0; i < tree!.size; i++) if (tree!.converged(i)) converged++;
  }
  assert.ok(converged > 0);
});

void test('appended tree: the tree of the same first rows encoded on their own is reused as well; a tree with more rows than the table is not used', () => {
  const spans = randomRun(77, 100);
  const a = buildSpanTree(new SpanTable(encodeSpanBatch(spans.slice(0, 60))));
  const whole = encodeSpanBatch(spans);
  assertSameTree(buildSpanTree(new SpanTable(whole), a), buildSpanTree(new SpanTable(whole)), 'prefix encoded on its own');
  // A tree with more rows than the new table is not used.
  const bigger = buildSpanTree(new SpanTable(whole));
  const small = encodeSpanBatch(spans.slice(0, 30));
  assertSameTree(buildSpanTree(new SpanTable(small), bigger), buildSpanTree(new SpanTable(small)), 'smaller table');
});

void test('appended table with its id index kept (live updates): every append draws the tree and finds the ids of the batch read anew, and a span arriving for an orphan becomes its parent', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const rand = prng(2000 + seed);
    const spans = randomRun(seed, 300);
    let batch: SpanBatch | undefined;
    let table: SpanTable | undefined;
    let tree: SpanTree | undefined;
    for (let at = 0; at < spans.length; ) {
      const step = 1 + Math.floor(rand() * 50);
      const part = spans.slice(at, at + step);
      at += step;
      if (at > 40 && rand() < 0.4) part.push({ ...spans[Math.floor(rand() * (at - step))]!, name: 'again' });
      const update = encodeSpanBatch(part);
      batch = batch ? concatBatches(batch, update) : update;
      table = new SpanTable(batch, table);
      tree = buildSpanTree(table, tree);
      const fresh = buildSpanTree(new SpanTable(batch));
      assertSameTree(tree, fresh, `seed ${seed} at ${at}`);
      for (const s of part) assert.equal(tree.byId.get(s.spanId), fresh.byId.get(s.spanId), `seed ${seed}: ${s.spanId}`);
    }
    // Every parent of this run is one of its spans: once all arrived, none is an orphan.
    assert.equal(tree!.size, spans.length);
    for (let i = 0; i < tree!.size; i++) assert.equal(tree!.orphan(i), false, `seed ${seed}: ${tree!.spanId(i)} found its parent`);
  }
});

void test('appended tree: a parent re-sent at every live update (its id chain grows each time) stays the parent of all its children, as in a tree built from scratch', () => {
  const children = Array.from({ length: 300 }, (_, i) => span(`c${i}`, 'p', 2 + i, 3 + i));
  let batch = encodeSpanBatch([span('p', undefined, 0, 1000), ...children]);
  let table = new SpanTable(batch);
  let tree = buildSpanTree(table);
  for (let k = 1; k <= 200; k++) {
    // The parent again (a newer copy), and now and then a child again too.
    const part = [span('p', undefined, 0, 1000 + k, { k })];
    if (k % 7 === 0) part.push(span(`c${k}`, 'p', 2 + k, 4 + k));
    batch = concatBatches(batch, encodeSpanBatch(part));
    const next = new SpanTable(batch, table);
    tree = buildSpanTree(next, tree);
    table = next;
    const last = batch.parent.length - (k % 7 === 0 ? 2 : 1);
    for (let c = 1; c <= 300; c++) assert.equal(table.rows.parentRow(c), last, `update ${k}: child row ${c}`);
    assertSameTree(tree, buildSpanTree(new SpanTable(batch)), `update ${k}`);
  }
});
