import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { decodeLimits } from '../../../src/collector/store/otlpValues';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { AttrKind, encodeSpanBatch, type SpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import type { BatchCursor } from '../../../src/protocol/collectorTypes';
import { parseHostToWebview } from '../../../src/protocol/timelineMessages';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { Generator, toJson, toProto } from './otlpGenerator';
import { jsonRequest, spanIdOf, traceIdOf, type SpanSpec } from './helpers';

/** Every span of a batch as the webview reads it, by span id. */
function webviewSpans(batch: SpanBatch): Map<string, unknown> {
  // What the webview gets: a structured clone, checked on arrival.
  const msg = parseHostToWebview(structuredClone({ type: 'showRun', traceId: 't', title: 't', spans: batch, live: false }));
  assert.ok(msg && msg.type === 'showRun', 'the webview accepts the batch');
  const table = new SpanTable(msg.spans);
  const out = new Map<string, unknown>();
  for (let i = 0; i < table.size; i++) {
    const s = table.span(i);
    out.set(s.spanId, s);
  }
  return out;
}

test('trace batch fidelity: random OTLP requests (every value kind, links, events, nesting, extreme numbers), as JSON and as protobuf, reach the webview as the span views say', () => {
  const kinds = new Set<number>();
  let links = 0;
  let events = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const gen = new Generator(seed, seed % 2 === 0);
    const req = gen.request();
    for (const body of ['json', 'proto'] as const) {
      const store = new SpanStore({ maxSpans: 100_000, maxTraces: 10_000 });
      const ctx = store.decodeContext;
      store.ingest(body === 'json' ? decodeOtlpJsonBytes(Buffer.from(toJson(req)), ctx) : decodeOtlpProto(toProto(req), ctx));
      for (const e of store.entries()) {
        const got = store.batchSince(e.traceId)!;
        assert.ok(got.full);
        assert.ok(isSpanBatch(got.batch), `seed ${seed} ${body}: a valid batch`);
        for (const k of got.batch.attrType) kinds.add(k);
        links += got.batch.linkTraceId.length;
        events += got.batch.eventName.length;
        // The reference: the read API's span views, through the general encoder.
        assert.deepEqual(webviewSpans(got.batch), webviewSpans(encodeSpanBatch(store.trace(e.traceId))), `seed ${seed} ${body}`);
      }
    }
  }
  for (const k of [AttrKind.string, AttrKind.number, AttrKind.boolean, AttrKind.int, AttrKind.double, AttrKind.bytes, AttrKind.structure, AttrKind.empty]) assert.ok(kinds.has(k), `kind ${k} seen`);
  assert.ok(links > 0 && events > 0, `${links} links, ${events} events seen`);
});

test('trace batch fidelity: a value cut by the caps reaches the webview as a truncated marker with its original size', () => {
  const store = new SpanStore();
  store.decodeContext.limits = decodeLimits({ maxValueBytes: 64 });
  const big = 'x'.repeat(1000);
  store.ingest(decodeOtlpJsonBytes(Buffer.from(jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'big', startMs: 1, endMs: 2, attributes: { body: big, small: 'ok' } }])), store.decodeContext));
  const { batch } = store.batchSince(traceIdOf(1))!;
  const span = webviewSpans(batch).get(spanIdOf(1)) as { attributes: Record<string, unknown> };
  assert.equal(span.attributes.small, 'ok');
  const cut = span.attributes.body as { kind: string; length: number; value: string };
  assert.equal(cut.kind, 'truncated');
  assert.equal(cut.length, 1000);
  assert.ok(big.startsWith(cut.value) && cut.value.length <= 64);
});

const spec = (n: number, parent?: number, attributes: SpanSpec['attributes'] = {}): SpanSpec => ({
  traceId: traceIdOf(1),
  spanId: spanIdOf(n),
  ...(parent !== undefined ? { parentSpanId: spanIdOf(parent) } : {}),
  name: `s${n}`,
  startMs: 1000 + n,
  endMs: 2000 + n,
  attributes,
});

function put(store: SpanStore, specs: SpanSpec[]): void {
  store.ingest(decodeOtlpJsonBytes(Buffer.from(jsonRequest(specs)), store.decodeContext));
}

const ids = (b: SpanBatch): string[] => [...webviewSpans(b).keys()];

test('batch since a cursor: only the spans added after it; nothing when nothing was added; appended by the webview into the whole run', () => {
  const store = new SpanStore();
  put(store, [spec(0), spec(1, 0), spec(2, 0)]);
  const first = store.batchSince(traceIdOf(1))!;
  assert.ok(first.full);
  assert.deepEqual(ids(first.batch), [spanIdOf(0), spanIdOf(1), spanIdOf(2)]);

  const none = store.batchSince(traceIdOf(1), first.cursor)!;
  assert.equal(none.full, false);
  assert.equal(none.batch.parent.length, 0);
  assert.deepEqual(none.cursor, first.cursor);

  put(store, [spec(3, 1), spec(4, 3)]);
  const delta = store.batchSince(traceIdOf(1), first.cursor)!;
  assert.equal(delta.full, false);
  assert.deepEqual(ids(delta.batch), [spanIdOf(3), spanIdOf(4)]);
  assert.equal(delta.cursor.spans, 5);
  // The webview's append of the delta is the whole run.
  assert.deepEqual(webviewSpans(concatBatches(first.batch, delta.batch)), webviewSpans(store.batchSince(traceIdOf(1))!.batch));
});

test('batch since a cursor: a replaced span (same id re-sent) sends the whole run again, with the newer span', () => {
  const store = new SpanStore();
  put(store, [spec(0), spec(1, 0, { v: 'old' })]);
  const first = store.batchSince(traceIdOf(1))!;
  put(store, [spec(1, 0, { v: 'new' }), spec(2, 0)]);
  const again = store.batchSince(traceIdOf(1), first.cursor)!;
  assert.equal(again.full, true);
  assert.notEqual(again.cursor.generation, first.cursor.generation);
  const spans = webviewSpans(again.batch);
  assert.deepEqual([...spans.keys()], [spanIdOf(0), spanIdOf(1), spanIdOf(2)]);
  assert.equal((spans.get(spanIdOf(1)) as { attributes: Record<string, unknown> }).attributes.v, 'new');
  // From then on, deltas again.
  put(store, [spec(3, 0)]);
  const next = store.batchSince(traceIdOf(1), again.cursor)!;
  assert.equal(next.full, false);
  assert.deepEqual(ids(next.batch), [spanIdOf(3)]);
});

test('batch since a cursor: a trace cut by the budget sends only what is kept; a trace deleted and sent anew is sent whole', () => {
  const store = new SpanStore({ maxSpans: 8 }); // 4 spans per trace
  put(store, [spec(0), spec(1, 0), spec(2, 0)]);
  const first = store.batchSince(traceIdOf(1))!;
  put(store, [spec(3, 0), spec(4, 0), spec(5, 0)]);
  assert.equal(store.entry(traceIdOf(1))!.refused, 2);
  const cut = store.batchSince(traceIdOf(1), first.cursor)!;
  assert.equal(cut.full, false);
  assert.deepEqual(ids(cut.batch), [spanIdOf(3)]);
  assert.deepEqual(store.batchSince(traceIdOf(1), cut.cursor)!.batch.parent.length, 0);

  assert.ok(store.deleteTrace(traceIdOf(1)));
  assert.equal(store.batchSince(traceIdOf(1), cut.cursor), undefined);
  put(store, [spec(7), spec(8, 7), spec(9, 7), spec(10, 7)]);
  const anew = store.batchSince(traceIdOf(1), cut.cursor)!;
  assert.equal(anew.full, true, 'a new entry has a new generation, even with as many spans');
  assert.deepEqual(ids(anew.batch), [spanIdOf(7), spanIdOf(8), spanIdOf(9), spanIdOf(10)]);
});

test('batch since a cursor: an unknown or stale cursor gets the whole run', () => {
  const store = new SpanStore();
  put(store, [spec(0), spec(1, 0)]);
  const stale: BatchCursor = { generation: -5, spans: 1 };
  assert.equal(store.batchSince(traceIdOf(1), stale)!.full, true);
  const beyond: BatchCursor = { ...store.batchSince(traceIdOf(1))!.cursor, spans: 99 };
  assert.equal(store.batchSince(traceIdOf(1), beyond)!.full, true);
});
