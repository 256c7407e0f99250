// The timeline's key=value search in the store, asked again on every live update: with the cursor
// of its last answer, only the spans added since are searched, and what it answers in steps adds up
// to what one search over everything answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { SpanStore } from '../../../src/collector/store/spanStore';
import type { BatchCursor } from '../../../src/protocol/collectorTypes';
import type { AttrToken } from '../../../src/protocol/timelineMessages';
import { jsonRequest, spanIdOf, traceIdOf, T0, type SpanSpec } from './helpers';

const TRACE = traceIdOf(1);

function spans(from: number, to: number, attributes: (i: number) => SpanSpec['attributes']): SpanSpec[] {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { traceId: TRACE, spanId: spanIdOf(i + 1), ...(i > 0 ? { parentSpanId: spanIdOf(1) } : {}), name: `s${i}`, startMs: T0 + i, endMs: T0 + i + 1, attributes: attributes(i) };
  });
}

function ingest(store: SpanStore, specs: SpanSpec[]): void {
  store.ingest(decodeOtlpJsonBytes(Buffer.from(jsonRequest(specs)), store.decodeContext));
}

const host = (i: number): SpanSpec['attributes'] => ({ 'net.peer.name': i % 3 === 0 ? `db-${i}.internal` : `cache-${i}`, n: i });

void test('live attribute search: each ask with the last cursor answers the new spans only; the steps add up to one search of everything', () => {
  const store = new SpanStore();
  const tokens: AttrToken[] = [{ key: 'net.peer.name', value: 'db-' }];
  ingest(store, spans(0, 30, host));
  const first = store.matchSpans(TRACE, tokens)!;
  assert.equal(first.full, true);
  assert.equal(first.spanIds.length, 10);
  let cursor: BatchCursor = first.cursor;
  const found = new Set(first.spanIds);
  for (const [from, to] of [[30, 31], [31, 60], [60, 60], [60, 200]] as const) {
    ingest(store, spans(from, to, host));
    const next = store.matchSpans(TRACE, tokens, cursor)!;
    assert.equal(next.full, false);
    // Only spans added since the cursor: none of the earlier matches again.
    for (const id of next.spanIds) assert.ok(!found.has(id), `${id} answered twice`);
    const expected = spans(from, to, host).filter((s) => String(s.attributes!['net.peer.name']).startsWith('db-')).map((s) => s.spanId);
    assert.deepEqual(next.spanIds, expected, `spans ${from}..${to}`);
    for (const id of next.spanIds) found.add(id);
    assert.equal(next.cursor.spans, to);
    cursor = next.cursor;
  }
  assert.deepEqual([...found].sort(), store.matchSpans(TRACE, tokens)!.spanIds.sort());
  // Asked again with the same cursor and nothing new: nothing, and the same cursor.
  assert.deepEqual(store.matchSpans(TRACE, tokens, cursor), { spanIds: [], cursor, full: false });
});

void test('live attribute search: a replaced span (the generation moves on), or a cursor from elsewhere, is answered in full', () => {
  const store = new SpanStore();
  const tokens: AttrToken[] = [{ key: 'net.peer.name', value: 'DB-' }]; // matched case-insensitively
  ingest(store, spans(0, 12, host));
  const first = store.matchSpans(TRACE, tokens)!;
  assert.deepEqual(first.spanIds, [spanIdOf(1), spanIdOf(4), spanIdOf(7), spanIdOf(10)]);
  // Span 2 sent again, now matching; span 4 sent again, no longer matching.
  ingest(store, [...spans(1, 2, () => ({ 'net.peer.name': 'db-late' })), ...spans(3, 4, () => ({ 'net.peer.name': 'elsewhere' }))]);
  const again = store.matchSpans(TRACE, tokens, first.cursor)!;
  assert.equal(again.full, true);
  assert.notEqual(again.cursor.generation, first.cursor.generation);
  assert.deepEqual(again.spanIds.sort(), [spanIdOf(1), spanIdOf(2), spanIdOf(7), spanIdOf(10)].sort());
  // A cursor past the trace's spans, or of another generation, cannot be continued from.
  assert.equal(store.matchSpans(TRACE, tokens, { generation: again.cursor.generation, spans: 999 })!.full, true);
  assert.equal(store.matchSpans(TRACE, tokens, { generation: -5, spans: 0 })!.full, true);
  // A trace the store does not have (evicted, deleted): undefined.
  assert.equal(store.matchSpans(traceIdOf(77), tokens, again.cursor), undefined);
});

void test('a cursor kept from another store (the collector restarted, the same trace stored again) gets everything, not a delta', () => {
  const tokens: AttrToken[] = [{ key: 'net.peer.name', value: 'db-' }];
  const before = new SpanStore();
  ingest(before, spans(0, 12, host));
  const kept = before.matchSpans(TRACE, tokens)!.cursor;
  const keptBatch = before.batchSince(TRACE)!.cursor;
  const after = new SpanStore();
  ingest(after, spans(0, 30, host));
  assert.equal(after.matchSpans(TRACE, tokens, kept)!.full, true);
  assert.equal(after.batchSince(TRACE, keptBatch)!.full, true);
});
