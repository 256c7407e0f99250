// Large string values are held off the JavaScript heap once stored (store/largeText.ts): every read
// path must give back exactly what was received, the budget must count their bytes, eviction must
// free them and the caps' truncation markers must keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { packBatch, packedTransfers, unpackBatch } from '../../../src/collector/ingest/packedBatch';
import { decodeOtlpJson, importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { decodeLimits } from '../../../src/collector/store/otlpValues';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { LARGE_TEXT_FROM, LargeText, type StoredValue } from '../../../src/collector/store/largeText';
import { SLAB_VALUE_OVERHEAD } from '../../../src/collector/store/textSlabs';
import { parseHostToWebview } from '../../../src/protocol/timelineMessages';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import type { SpanBatch } from '../../../src/protocol/spanBatch';
import type { SpanView } from '../../../src/protocol/spanView';
import { normalRequest, toJson, toProto, type GenKeyValue, type GenRequest, type GenSpan } from './otlpGenerator';
import { httpRequest, postTraces, withCollector } from './helpers';

const WORKER = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** Characters that JSON escapes, multi-byte UTF-8 (2, 3 and 4 bytes), and content that changes along the value. */
function varied(length: number, seed: number): string {
  // Whole code points (a lone surrogate is not valid UTF-8, so no OTLP sender can send one).
  const alphabet = Array.from('abc"\\\n\t\u0000é€😀/<>&' + String(seed));
  let s = '';
  for (let i = 0; s.length < length; i++) s += alphabet[(i * 7 + seed) % alphabet.length]! + (i % 97 === 0 ? String(i) : '');
  return s;
}

const VALUES: Record<string, string> = {
  ascii64k: 'r'.repeat(64 * 1024 - 10) + 'end-of-it!',
  varied: varied(20_000, 1),
  justBelow: 'b'.repeat(LARGE_TEXT_FROM - 1),
  justAt: 'c'.repeat(LARGE_TEXT_FROM),
  small: 'ok',
};
const EVENT_VALUE = varied(9_000, 2);
const LINK_VALUE = varied(5_000, 3);

const kvs = (o: Record<string, string>): GenKeyValue[] => Object.entries(o).map(([key, s]) => ({ key, value: { stringValue: s } }));

function largeRequest(): GenRequest {
  const span: GenSpan = {
    traceId: TRACE,
    spanId: SPAN,
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: 'GET /large',
    kind: 3,
    startTimeUnixNano: '1763000000000000001',
    endTimeUnixNano: '1763000000123456789',
    attributes: kvs(VALUES),
    droppedAttributesCount: 0,
    events: [{ timeUnixNano: '1763000000000000500', name: 'response', attributes: kvs({ body: EVENT_VALUE }), droppedAttributesCount: 0 }],
    droppedEventsCount: 0,
    links: [{ traceId: TRACE, spanId: '0102030405060708', traceState: '', attributes: kvs({ payload: LINK_VALUE }), droppedAttributesCount: 0, flags: 0 }],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: kvs({ 'service.name': 'large' }), droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: 'scope', version: '1', attributes: [], droppedAttributesCount: 0 }, spans: [span], schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

function exported(store: SpanStore): unknown[] {
  return normalRequest(JSON.parse(store.exportOtlpJson(TRACE)));
}

function storedValue(store: SpanStore, key: string): StoredValue | undefined {
  const rec = store.records(TRACE)[0]!;
  const i = rec.keys.indexOf(key);
  return i < 0 ? undefined : rec.values[i];
}

function webviewSpan(batch: SpanBatch): { attributes: Record<string, unknown>; events: { attributes: Record<string, unknown> }[]; links?: { attributes: Record<string, unknown> }[] } {
  const msg = parseHostToWebview(structuredClone({ type: 'showRun', traceId: 't', title: 't', spans: batch, live: false }));
  assert.ok(msg && msg.type === 'showRun');
  return new SpanTable(msg.spans).span(0) as unknown as ReturnType<typeof webviewSpan>;
}

/** What every read path must give back: the values exactly as sent. */
function assertReadsBack(store: SpanStore, want: unknown[], how: string): void {
  // Held as the store keeps them: large ones as bytes, the rest as strings.
  for (const key of ['ascii64k', 'varied', 'justAt']) assert.ok(storedValue(store, key) instanceof LargeText, `${how}: ${key} off the heap`);
  for (const key of ['justBelow', 'small']) assert.equal(typeof storedValue(store, key), 'string', `${how}: ${key} a string`);
  const rec = store.records(TRACE)[0]!;
  assert.ok(rec.events![0]!.values[0] instanceof LargeText, `${how}: event value off the heap`);
  assert.ok(rec.links![0]!.values[0] instanceof LargeText, `${how}: link value off the heap`);
  // Read API: span views and the span tree.
  const [view] = store.trace(TRACE) as [SpanView];
  for (const [key, s] of Object.entries(VALUES)) assert.equal(view.attributes[key], s, `${how}: view ${key}`);
  assert.equal(view.events[0]!.attributes.body, EVENT_VALUE);
  assert.equal(view.links![0]!.attributes.payload, LINK_VALUE);
  assert.equal(store.tree(TRACE)!.roots[0]!.attributes.ascii64k, VALUES.ascii64k);
  // OTLP export (what /api/traces/{id}/otlp answers and run files hold).
  assert.deepEqual(exported(store), want, `${how}: export`);
  // Queries that search values.
  assert.equal(store.search({ attribute: 'varied', attributeValue: VALUES.varied }).spans.length, 1, `${how}: search by a large value`);
  assert.equal(store.search({ attribute: 'varied', attributeValue: VALUES.varied + 'x' }).spans.length, 0);
  // The timeline's batch, as the webview reads it.
  const span = webviewSpan(store.batchSince(TRACE)!.batch);
  for (const [key, s] of Object.entries(VALUES)) assert.equal(span.attributes[key], s, `${how}: timeline ${key}`);
  assert.equal(span.events[0]!.attributes.body, EVENT_VALUE);
  assert.equal(span.links![0]!.attributes.payload, LINK_VALUE);
}

test('large values (span, event and link attributes; ASCII, escapes, multi-byte) come back exactly from JSON and protobuf ingest: views, export, search, timeline batch, run file → import', () => {
  const req = largeRequest();
  const want = normalRequest(req);
  const json = Buffer.from(toJson(req));
  const paths: [string, (ctx: DecodeContext) => ReturnType<typeof decodeOtlpProto>][] = [
    ['JSON bytes', (ctx) => decodeOtlpJsonBytes(json, ctx)],
    ['JSON.parse', (ctx) => decodeOtlpJson(json.toString('utf8'), ctx)],
    ['protobuf', (ctx) => decodeOtlpProto(toProto(req), ctx)],
  ];
  for (const [how, decode] of paths) {
    const store = new SpanStore();
    store.ingest(decode(store.decodeContext));
    assertReadsBack(store, want, how);
    // Run file → import: the same again, held off the heap again.
    const again = new SpanStore();
    importOtlpJson(again, store.exportOtlpJson(TRACE));
    assertReadsBack(again, want, `${how} → run file → import`);
  }
});

test('large values through the receiver and the decode workers (JSON and protobuf) come back exactly over the read API', async () => {
  const req = largeRequest();
  const want = normalRequest(req);
  for (const [body, type] of [
    [Buffer.from(toJson(req)), 'application/json'],
    [toProto(req), 'application/x-protobuf'],
  ] as const) {
    await withCollector({ decodeThreads: 1, decodeWorkerPath: WORKER, protobufOnWorkers: true }, async (c, endpoint) => {
      assert.equal((await postTraces(endpoint, body, type)).status, 200);
      assert.ok(storedValue(c.store, 'ascii64k') instanceof LargeText, `${type}: stored off the heap`);
      const otlp = await httpRequest(endpoint, `/api/traces/${TRACE}/otlp`);
      assert.deepEqual(normalRequest(JSON.parse(otlp.text)), want, type);
      const spans = JSON.parse((await httpRequest(endpoint, `/api/traces/${TRACE}/spans`)).text) as SpanView[];
      assert.equal(spans[0]!.attributes.varied, VALUES.varied);
    });
  }
});

test('large values never become JS strings on the store\u2019s thread: protobuf ranges and the workers\u2019 packed batches arrive as bytes', () => {
  const req = largeRequest();
  const fromProto = decodeOtlpProto(toProto(req), new DecodeContext()).spans[0]!;
  const packed = packBatch(decodeOtlpJsonBytes(Buffer.from(toJson(req)), new DecodeContext()));
  // As the worker posts it: the large values' buffers transferred.
  const fromWorker = unpackBatch(structuredClone(packed, { transfer: packedTransfers(packed) }), new DecodeContext()).spans[0]!;
  for (const rec of [fromProto, fromWorker]) {
    const at = (key: string): unknown => rec.values[rec.keys.indexOf(key)];
    for (const key of ['ascii64k', 'varied', 'justAt']) assert.ok(at(key) instanceof LargeText, key);
    assert.equal((at('varied') as LargeText).text(), VALUES.varied);
    assert.equal(at('justBelow'), VALUES.justBelow);
  }
});

test('the budget counts a large value by its UTF-8 bytes (in a slab) and its objects\u2019 fixed cost, exactly, the same from JSON and protobuf', () => {
  const bytesWith = (value: string, json = false): number => {
    const store = new SpanStore();
    const req = largeRequest();
    req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes = kvs({ body: value });
    req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.events = [];
    req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.links = [];
    store.ingest(json ? decodeOtlpJsonBytes(Buffer.from(toJson(req)), store.decodeContext) : decodeOtlpProto(toProto(req), store.decodeContext));
    return store.stats().bytes;
  };
  // The threshold is in UTF-8 bytes: 1,400 '€' are 4,200 bytes, off the heap from either encoding.
  assert.equal(bytesWith('€'.repeat(1400), true), bytesWith('€'.repeat(1400)));
  assert.equal(bytesWith('€'.repeat(1400)) - bytesWith(''), 4200 + SLAB_VALUE_OVERHEAD);
  const base = bytesWith('');
  // '€' is 3 UTF-8 bytes (2 as a V8 string): 5,000 of them are 15,000 bytes held.
  assert.equal(bytesWith('€'.repeat(5000)) - base, 15_000 + SLAB_VALUE_OVERHEAD);
  assert.equal(bytesWith('x'.repeat(64 * 1024)) - base, 64 * 1024 + SLAB_VALUE_OVERHEAD);
  // Below the threshold: a heap string (16 bytes of header, one byte a Latin-1 character, rounded to 8).
  assert.equal(bytesWith('x'.repeat(LARGE_TEXT_FROM - 1)) - base, ((16 + LARGE_TEXT_FROM - 1 + 7) & ~7));
});

test('eviction frees large values: a store of 1 MiB given 100 spans of 64 KiB keeps within its budget and holds no Buffer of the evicted traces', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new SpanStore({ maxBytes: 1024 * 1024 });
  const refs: WeakRef<LargeText>[] = [];
  for (let t = 0; t < 100; t++) {
    const req = largeRequest();
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    span.traceId = t.toString(16).padStart(32, 'a');
    span.attributes = kvs({ body: `${t}`.padEnd(64 * 1024, 'z') });
    span.events = [];
    span.links = [];
    store.ingest(decodeOtlpProto(toProto(req), store.decodeContext));
    const v = store.records(span.traceId)[0]!.values[0];
    assert.ok(v instanceof LargeText);
    refs.push(new WeakRef(v));
  }
  const st = store.stats();
  assert.ok(st.bytes <= 1024 * 1024, `${st.bytes} bytes held`);
  assert.ok(st.evictedTraces >= 80, `${st.evictedTraces} traces evicted`);
  // WeakRefs hold their targets until the job ends: collect after it.
  await new Promise((r) => setImmediate(r));
  gc();
  gc();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, st.traces, 'only the values of traces still stored are alive');
  store.dispose();
});

test('a large value over the per-value cap keeps its truncation marker (kept start off the heap, original size) on every read path', () => {
  const store = new SpanStore();
  store.decodeContext.limits = decodeLimits({ maxValueBytes: 10_000 });
  const req = largeRequest();
  const big = 'é'.repeat(30_000); // 60,000 UTF-8 bytes
  req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes = kvs({ body: big, small: 'ok' });
  store.ingest(decodeOtlpJsonBytes(Buffer.from(toJson(req)), store.decodeContext));
  const stored = storedValue(store, 'body');
  assert.ok(stored instanceof LargeText && stored.truncatedLength === 60_000 && stored.bytes.length === 10_000, 'kept start off the heap, with its size');
  const marker = { kind: 'truncated', value: 'é'.repeat(5000), length: 60_000 };
  assert.deepEqual(store.trace(TRACE)[0]!.attributes.body, marker);
  assert.deepEqual(webviewSpan(store.batchSince(TRACE)!.batch).attributes.body, marker);
  assert.equal(store.stats().truncatedSpans, 1);
  // The export writes the string it keeps.
  const exportedBody = (JSON.parse(store.exportOtlpJson(TRACE)) as { resourceSpans: { scopeSpans: { spans: { attributes: GenKeyValue[] }[] }[] }[] }).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes.find((a) => a.key === 'body')!.value;
  assert.deepEqual(exportedBody, { stringValue: 'é'.repeat(5000) });
  // A small kept start stays a plain marker on the heap.
  const small = new SpanStore();
  small.decodeContext.limits = decodeLimits({ maxValueBytes: 100 });
  small.ingest(decodeOtlpJsonBytes(Buffer.from(toJson(req)), small.decodeContext));
  assert.deepEqual(storedValue(small, 'body'), { kind: 'truncated', value: 'é'.repeat(50), length: 60_000 });
});
