import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { DictionaryMirror } from '../../../src/collector/store/idDictionary';
import { decodeOtlpJson, importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { encodeOtlpJson } from '../../../src/collector/store/otlpJsonEncoder';
import { decodeOtlpProto, indexOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { packBatch, unpackBatch } from '../../../src/collector/ingest/packedBatch';
import { materialize } from '../../../src/collector/ingest/spanIndex';
import { SpanStore } from '../../../src/collector/store/spanStore';
import type { DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { Generator, normalRequest, toJson, toProto } from './otlpGenerator';
import { postTraces, withCollector } from './helpers';

const WORKER = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');

/** The store's OTLP export of every trace it holds, in normal form. */
function exported(store: SpanStore): unknown[] {
  const spans: unknown[] = [];
  for (const run of store.runs()) spans.push(...normalRequest(JSON.parse(store.exportOtlpJson(run.traceId))));
  return spans.sort((a, b) => ((a as { spanId: string }).spanId < (b as { spanId: string }).spanId ? -1 : 1));
}

function stored(batch: DecodedBatch): SpanStore {
  const store = new SpanStore({ maxSpans: 100_000, maxTraces: 10_000 });
  store.ingest(batch);
  return store;
}

test('round trip, property-based: random requests ingested as JSON and as protobuf export to the same meaning; run file → import → equal', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const gen = new Generator(seed, seed % 2 === 0);
    const req = gen.request();
    const want = normalRequest(req);
    const json = Buffer.from(toJson(req));
    const proto = toProto(req);
    const viaJson = stored(decodeOtlpJsonBytes(json, new DecodeContext()));
    const viaProto = stored(decodeOtlpProto(proto, new DecodeContext()));
    // The object walk (JSON.parse) path too, not only the byte scanner.
    const viaParse = stored(decodeOtlpJson(json.toString('utf8'), new DecodeContext()));
    const fromJson = exported(viaJson);
    assert.deepEqual(fromJson, want, `seed ${seed}: JSON`);
    assert.deepEqual(exported(viaProto), want, `seed ${seed}: protobuf`);
    assert.deepEqual(exported(viaParse), want, `seed ${seed}: JSON.parse path`);
    // The export is what run files hold: importing it gives the same spans again.
    const again = new SpanStore();
    for (const run of viaProto.runs()) importOtlpJson(again, viaProto.exportOtlpJson(run.traceId));
    assert.deepEqual(exported(again), want, `seed ${seed}: run file → import`);
  }
});

test('round trip through the decode workers\u2019 forms: packed JSON batches and protobuf span indexes', () => {
  for (let seed = 200; seed < 260; seed++) {
    const req = new Generator(seed).request();
    const want = normalRequest(req);
    const worker = new DecodeContext();
    const store = new DecodeContext();
    const packed = structuredClone(packBatch(decodeOtlpJsonBytes(Buffer.from(toJson(req)), worker)));
    assert.deepEqual(exported(stored(unpackBatch(packed, store))), want, `seed ${seed}: packed`);
    const body = toProto(req);
    const ix = structuredClone(indexOtlpProto(body, worker));
    const mirror = new DictionaryMirror(store);
    mirror.apply(worker.dict.takeAdditions());
    assert.deepEqual(exported(stored(materialize(ix, body, mirror, store))), want, `seed ${seed}: index`);
  }
});

test('JSON and protobuf of the same data are stored identically (span views, event time 0, nesting past 16)', () => {
  for (let seed = 300; seed < 340; seed++) {
    const req = new Generator(seed).request();
    const a = decodeOtlpJsonBytes(Buffer.from(toJson(req)), new DecodeContext()).spans;
    const b = decodeOtlpProto(toProto(req), new DecodeContext()).spans;
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) {
      assert.deepEqual([a[i]!.values, a[i]!.extra, a[i]!.startTimeUnixNano, a[i]!.flags, a[i]!.status, a[i]!.spanKind], [b[i]!.values, b[i]!.extra, b[i]!.startTimeUnixNano, b[i]!.flags, b[i]!.status, b[i]!.spanKind], `seed ${seed} span ${i}`);
    }
  }
});

test('through the collector over HTTP with decode workers: JSON, protobuf and the read API agree with what was sent', async () => {
  await withCollector({ decodeThreads: 1, decodeWorkerPath: WORKER }, async (c, endpoint) => {
    const reqs = [1, 2, 3, 4].map((seed) => new Generator(1000 + seed).request());
    for (const [i, req] of reqs.entries()) {
      const res = i % 2 ? await postTraces(endpoint, toProto(req), 'application/x-protobuf') : await postTraces(endpoint, toJson(req));
      assert.equal(res.status, 200, res.text);
    }
    const want = reqs.flatMap(normalRequest).sort((a, b) => ((a as { spanId: string }).spanId < (b as { spanId: string }).spanId ? -1 : 1));
    assert.deepEqual(exported(c.store), want);
    // The read API's OTLP export is the same text.
    const run = c.store.runs()[0]!;
    const res = await fetch(`${endpoint}/api/traces/${run.traceId}/otlp`);
    assert.equal(await res.text(), c.store.exportOtlpJson(run.traceId));
  });
});

test('the 19-digit times and the extremes come back digit for digit', () => {
  const times = ['1763000000123456789', '1', '18446744073709551615', '1700000000000000001', '999999', '1000000'];
  const doc = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: times.map((t, i) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: `00f067aa0ba902b${i}`, name: 'x', startTimeUnixNano: t, endTimeUnixNano: t, events: [{ timeUnixNano: t, name: 'e' }] })),
          },
        ],
      },
    ],
  };
  const recs = decodeOtlpJson(JSON.stringify(doc), new DecodeContext()).spans;
  assert.deepEqual(
    recs.map((r) => [r.startTimeUnixNano, r.endTimeUnixNano]),
    times.map((t) => [t, t]),
  );
  const back = JSON.parse(encodeOtlpJson(recs)) as { resourceSpans: { scopeSpans: { spans: { startTimeUnixNano: string; events: { timeUnixNano: string }[] }[] }[] }[] };
  assert.deepEqual(
    back.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => [s.startTimeUnixNano, s.events[0]!.timeUnixNano]),
    times.map((t) => [t, t]),
  );
  // Display times stay fractional milliseconds.
  assert.equal(recs[0]!.startMs, 1763000000123.456789);
});

test('an all-zero parent span id is a root on every path (JSON index, JSON.parse, protobuf), as the OTel Collector reads it', () => {
  const req = new Generator(7).request();
  const first = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  const one = { ...req, resourceSpans: [{ ...req.resourceSpans[0]!, scopeSpans: [{ ...req.resourceSpans[0]!.scopeSpans[0]!, spans: [{ ...first, parentSpanId: '0'.repeat(16) }] }] }] };
  const json = toJson(one);
  const paths: [string, DecodedBatch][] = [
    ['JSON index', decodeOtlpJsonBytes(Buffer.from(json), new DecodeContext())],
    ['JSON.parse', decodeOtlpJson(json, new DecodeContext())],
    // Uppercase ids are read by the JSON.parse path behind the index.
    ['JSON, uppercase ids', decodeOtlpJsonBytes(Buffer.from(json.replace(first.spanId, first.spanId.toUpperCase())), new DecodeContext())],
    ['protobuf', decodeOtlpProto(toProto(one), new DecodeContext())],
  ];
  for (const [path, batch] of paths) {
    assert.equal(batch.rejected, 0, path);
    assert.equal(batch.spans.length, 1, path);
    assert.equal(batch.spans[0]!.parentSpanId, '', `${path}: stored as a root`);
  }
});
