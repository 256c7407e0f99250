// The columnar stored form (store/spanChunk.ts): every field of every span a decoder makes reads
// back from a chunk row exactly as from its record (random requests with every value kind, links,
// events, odd codes and extreme times); a packed batch (the JSON workers' answer) becomes rows
// equal to the records `unpackBatch` makes of it; the span-id index over the rows' id words keeps
// last-write-wins and stays bounded under colliding ids; compaction keeps the live rows as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendPacked } from '../../../src/collector/ingest/packedChunks';
import { packBatch, unpackBatch, SPAN_FIELDS } from '../../../src/collector/ingest/packedBatch';
import { decodeOtlpProto, indexOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { indexRows } from '../../../src/collector/ingest/indexRows';
import { decodeOtlpJsonBytes, decodeOtlpJsonRows } from '../../../src/collector/ingest/otlpJsonScanner';
import { ChunkSpan } from '../../../src/collector/store/chunkSpan';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { SpanChunk } from '../../../src/collector/store/spanChunk';
import { compactChunk } from '../../../src/collector/store/chunkTable';
import { SpanIdIndex, hexToWords, spanIdHash, wordsToHex } from '../../../src/collector/store/spanIdWords';
import { packBits, SLAB_WORDS, SpanRecord, toSpanView, type SpanLike, type SpanOrigin } from '../../../src/collector/store/spanRecord';
import { fromStoredValues } from '../../../src/collector/store/largeText';
import { Generator, prng, toJson, toProto } from './otlpGenerator';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { SpanStore } from '../../../src/collector/store/spanStore';
import type { ChunkTable } from '../../../src/collector/store/chunkTable';
import { jsonRequest, spanIdOf, T0, traceIdOf, type SpanSpec } from './helpers';
import { collectChunks as collect } from './chunkSink';

/** Everything a reader can ask of a stored span, in plain values. */
function everything(s: SpanLike): unknown {
  return {
    view: toSpanView(s),
    traceId: s.traceId,
    parent: s.parentSpanId,
    start: s.startTimeUnixNano,
    end: s.endTimeUnixNano,
    status: s.status,
    kind: s.spanKind,
    flags: s.flags,
    values: fromStoredValues(s.values),
    extra: s.extra,
    traceState: s.traceState,
    statusMessage: s.statusMessage,
  };
}

function appendRecords(records: readonly SpanRecord[], rows = 64): { spans: ChunkSpan[]; chunks: SpanChunk[] } {
  const sink = collect(rows);
  records.forEach((rec, i) => {
    const c = sink.chunk();
    sink.added(c, c.appendRecord(rec), i);
  });
  return sink;
}

test('a chunk row reads back every field of the record it was made from (random requests, JSON and protobuf)', () => {
  let total = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const req = new Generator(seed).request();
    for (const [how, records] of [
      ['json', decodeOtlpJsonBytes(Buffer.from(toJson(req)), new DecodeContext()).spans],
      ['proto', decodeOtlpProto(toProto(req), new DecodeContext()).spans],
    ] as const) {
      // Small chunks: a request spreads over several, and its tables are made per chunk.
      const { spans, chunks } = appendRecords(records, 7);
      assert.equal(spans.length, records.length);
      for (let i = 0; i < records.length; i++) {
        const rec = records[i]!;
        const row = spans[i]!;
        assert.deepEqual(everything(row), everything(rec), `${how} seed ${seed} span ${i}`);
        // Shared things stay shared: the store counts them once.
        assert.equal(row.keys, rec.keys);
        assert.equal(row.origin, rec.origin);
        assert.equal(row.name, rec.name);
      }
      assert.equal(
        chunks.reduce((n, c) => n + c.live, 0),
        records.length,
      );
      total += records.length;
    }
  }
  assert.ok(total > 500, `enough spans tried (${total})`);
});

test('a packed batch becomes rows equal to the records unpackBatch makes of it', () => {
  for (let seed = 100; seed < 115; seed++) {
    const req = new Generator(seed).request();
    const packed = packBatch(decodeOtlpJsonBytes(Buffer.from(toJson(req)), new DecodeContext()));
    // Each side interns in a context of its own: equal in meaning, and shared within its store.
    const expected = unpackBatch(structuredClone(packed), new DecodeContext()).spans;
    const ctx = new DecodeContext();
    const sink = collect(5);
    appendPacked(packed, ctx, sink);
    assert.equal(sink.spans.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(everything(sink.spans[i]!), everything(expected[i]!), `seed ${seed} span ${i}`);
    // Names and keys are the context's interned strings, shared between the rows of every chunk.
    const names = new Set(sink.spans.map((s) => s.name));
    for (const s of sink.spans) assert.equal(s.name, ctx.pool.intern(s.name));
    assert.ok(names.size <= sink.spans.length);
  }
});

test('a protobuf span index becomes rows equal to the records materialize makes of it (ids read as words from the body)', () => {
  for (let seed = 200; seed < 220; seed++) {
    const body = toProto(new Generator(seed).request());
    const ctx = new DecodeContext();
    const expected = decodeOtlpProto(body, ctx).spans;
    // A second index of the same body in the same context (its dictionary now knows the strings).
    const rows = indexRows(indexOtlpProto(body, ctx), body, ctx.dict, ctx);
    assert.equal(rows.count, expected.length);
    const sink = collect(6);
    rows.append(sink);
    assert.equal(sink.spans.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(everything(sink.spans[i]!), everything(expected[i]!), `seed ${seed} span ${i}`);
    // Ids are words: nothing kept as text.
    for (const c of sink.chunks) for (let row = 0; row < c.rows; row++) assert.equal(c.hasWordIds(row), true);
  }
});

test('a JSON body in place becomes rows equal to the records the JSON decoder makes of it (the scanner\'s index, and the JSON.parse path for the rest)', () => {
  let indexed = 0;
  for (let seed = 300; seed < 330; seed++) {
    const body = Buffer.from(toJson(new Generator(seed).request()));
    const ctx = new DecodeContext();
    const expected = decodeOtlpJsonBytes(body, ctx).spans;
    const batch = decodeOtlpJsonRows(body, ctx);
    const sink = collect(6);
    if ('append' in batch) {
      indexed++;
      assert.equal(batch.count, expected.length);
      batch.append(sink);
      // Ids read as words from the hex text of the body: nothing kept as text.
      for (const c of sink.chunks) for (let row = 0; row < c.rows; row++) assert.equal(c.hasWordIds(row), true);
    } else
      for (const rec of batch.spans) {
        const c = sink.chunk();
        sink.added(c, c.appendRecord(rec), sink.spans.length);
      }
    assert.equal(sink.spans.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(everything(sink.spans[i]!), everything(expected[i]!), `seed ${seed} span ${i}`);
  }
  assert.ok(indexed > 0, 'some bodies took the index (else this test proves nothing of rows)');
});

test('a JSON index whose id text is not lowercase hex (a wrong index) keeps those ids as text, exactly', () => {
  const spec = (i: number): SpanSpec => ({ traceId: traceIdOf(9), spanId: spanIdOf(10 + i), parentSpanId: i === 0 ? undefined : spanIdOf(10), name: `s${i}`, startMs: T0 + i, endMs: T0 + i + 1 });
  const body = Buffer.from(jsonRequest([spec(0), spec(1), spec(2)]));
  const ctx = new DecodeContext();
  const batch = decodeOtlpJsonRows(body, ctx);
  assert.ok('append' in batch, 'the scanner indexes this body');
  // The body's bytes changed after indexing (the index trusts its offsets, checked for range only).
  const upper = (id: string): void => {
    for (let at = body.indexOf(id); at >= 0; at = body.indexOf(id, at + 1)) body.write(id.toUpperCase(), at, 'latin1');
  };
  upper(spanIdOf(11));
  upper(spanIdOf(10));
  const sink = collect(8);
  batch.append(sink);
  assert.deepEqual(
    sink.spans.map((s) => [s.traceId, s.spanId, s.parentSpanId]),
    [
      [traceIdOf(9), spanIdOf(10).toUpperCase(), ''],
      [traceIdOf(9), spanIdOf(11).toUpperCase(), spanIdOf(10).toUpperCase()],
      [traceIdOf(9), spanIdOf(12), spanIdOf(10).toUpperCase()],
    ],
  );
  assert.deepEqual(
    sink.spans.map((s) => s.chunk.hasWordIds(s.row)),
    [false, false, false],
  );
});

test('a span index with an offset out of range throws before any row is written', () => {
  const body = toProto(new Generator(5).request());
  const ctx = new DecodeContext();
  const ix = indexOtlpProto(body, ctx);
  for (const [field, bad] of [
    [1, body.length - 3],
    [3, body.length + 10],
    [8, 1 << 20],
    [9, 99],
  ] as const) {
    const spans = ix.spans.slice();
    spans[spans.length - 10 + field] = bad;
    assert.throws(() => indexRows({ ...ix, spans }, body, ctx.dict, ctx), /out of range/, `field ${field}`);
  }
  const values = ix.values.slice();
  if (values.length > 0) {
    values[0] = body.length;
    values[1] = 5;
    assert.throws(() => indexRows({ ...ix, values }, body, ctx.dict, ctx), /out of range/);
  }
});

test('a packed batch with an index out of range throws before any row is written', () => {
  const packed = packBatch(decodeOtlpJsonBytes(Buffer.from(toJson(new Generator(7).request())), new DecodeContext()));
  const bad = { ...packed, spans: packed.spans.slice() };
  bad.spans[SPAN_FIELDS * (bad.spans.length / SPAN_FIELDS - 1) + 3] = packed.strings.length + 5;
  const sink = collect();
  assert.throws(() => appendPacked(bad, new DecodeContext(), sink), /out of range/);
  assert.equal(sink.spans.length, 0);
  const badExtra = { ...packed, extras: [[packed.spans.length, {}]] as typeof packed.extras };
  assert.throws(() => appendPacked(badExtra, new DecodeContext(), collect()), /extra out of range/);
});

const ORIGIN: SpanOrigin = {
  resourceKeys: [],
  resourceValues: [],
  resourceDropped: 0,
  resourceSchemaUrl: '',
  scopeName: '',
  scopeVersion: '',
  scopeKeys: [],
  scopeValues: [],
  scopeDropped: 0,
  scopeSchemaUrl: '',
  serviceName: 's',
};

function record(traceId: string, spanId: string, parent: string, opts: { status?: number; kind?: number; flags?: number; start?: [number, number] } = {}): SpanRecord {
  const slab = new Uint32Array(SLAB_WORDS);
  const [lo, hi] = opts.start ?? [1, 1];
  slab.set([lo, hi, lo, hi + 1]);
  const status = opts.status ?? 0;
  const kind = opts.kind ?? 0;
  const flags = opts.flags ?? 0;
  const bits = packBits(0, status, kind, flags);
  const odd = (bits & (1 << 30)) !== 0;
  return new SpanRecord(traceId, spanId, parent, 'n', slab, bits, [], [], ORIGIN, odd ? { status, kind, flags } : undefined);
}

test('odd ids, codes beyond the packed bits and extreme times keep their exact values', () => {
  const recs = [
    // Ids that are not hex of the usual length (a hand-made record, an importer's odd id) stay text.
    record('not-a-trace-id', 'x', 'y'),
    record('0123456789abcdef0123456789abcdef', 'ABCDEF0123456789', ''),
    record('0123456789abcdef0123456789abcdef', 'fedcba9876543210', '0000000000000001', { status: 7, kind: 9, flags: 0xffffffff, start: [0xffffffff, 0xffffffff] }),
    record('ffffffffffffffffffffffffffffffff', 'ffffffffffffffff', 'ffffffffffffffff', { status: 2, kind: 5, flags: 1023 }),
  ];
  const { spans, chunks } = appendRecords(recs);
  for (let i = 0; i < recs.length; i++) assert.deepEqual(everything(spans[i]!), everything(recs[i]!), `span ${i}`);
  assert.equal(spans[2]!.startTimeUnixNano, '18446744073709551615');
  assert.equal(spans[2]!.flags, 0xffffffff);
  const c = chunks[0]!;
  assert.equal(c.hasWordIds(0), false);
  assert.equal(c.hasWordIds(1), false, 'upper-case hex is not what decoders store: kept as text, exactly');
  assert.equal(c.hasWordIds(2), true);
  assert.equal(c.isRoot(1), true);
  assert.equal(c.isRoot(2), false);
});

test('ids as words: hex text and back, for every digit', () => {
  const out = new Uint32Array(4);
  for (const id of ['0123456789abcdef0123456789abcdef', 'ffffffff00000000ffffffff00000001', '80000000000000000000000000000000']) {
    hexToWords(id, out, 0);
    assert.equal(wordsToHex(out, 0, 4), id);
  }
});

/** A chunk of `n` rows with random span ids, and the ids. */
function chunkOfIds(n: number, seed: number): { chunk: SpanChunk; ids: string[] } {
  const rand = prng(seed);
  const hex = (): string =>
    Array.from({ length: 2 }, () =>
      Math.floor(rand() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
  const chunk = new SpanChunk(n);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = hex();
    ids.push(id);
    chunk.appendRecord(record('0123456789abcdef0123456789abcdef', id, ''));
  }
  return { chunk, ids };
}

test('the span-id index over row words: lookup, last write wins, growth', () => {
  const { chunk, ids } = chunkOfIds(5001, 3);
  const index = new SpanIdIndex(chunk);
  for (let row = 0; row < 4000; row++) assert.equal(index.set(chunk.idHigh(row), chunk.idLow(row), row), -1);
  assert.equal(index.size, 4000);
  for (let row = 0; row < 4000; row++) assert.equal(index.get(chunk.idHigh(row), chunk.idLow(row)), row, ids[row]);
  for (let row = 4000; row < 5001; row++) assert.equal(index.get(chunk.idHigh(row), chunk.idLow(row)), -1);
  // A later row re-sending the id of row 17 takes its place, and the index says which row it replaced.
  const again = new SpanChunk(1);
  again.appendRecord(record('0123456789abcdef0123456789abcdef', ids[17]!, ''));
  const both = { idHigh: (ref: number) => (ref === 9999 ? again : chunk).idHigh(ref === 9999 ? 0 : ref), idLow: (ref: number) => (ref === 9999 ? again : chunk).idLow(ref === 9999 ? 0 : ref) };
  const index2 = new SpanIdIndex(both);
  for (let row = 0; row < 100; row++) index2.set(chunk.idHigh(row), chunk.idLow(row), row);
  assert.equal(index2.set(again.idHigh(0), again.idLow(0), 9999), 17);
  assert.equal(index2.get(chunk.idHigh(17), chunk.idLow(17)), 9999);
  assert.equal(index2.size, 100);
  assert.deepEqual(
    [...index2.refs()].sort((a, b) => a - b),
    [...Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 17), 9999],
  );
});

test('colliding span ids cost a bounded number of probes each', () => {
  // With the table's seed known (a test's), ids can be chosen whose hashes agree in their low 12
  // bits: every one of them starts its probe run at the same slot while the table has ≤ 4096 slots.
  const n = 3000;
  const seed = 12345;
  const chunk = new SpanChunk(n);
  const words = new Uint32Array(2);
  for (let hi = 1; chunk.rows < n; hi++) {
    if ((spanIdHash(seed, hi, 7) & 0xfff) !== 0) continue;
    words[0] = hi;
    words[1] = 7;
    chunk.appendRecord(record('0123456789abcdef0123456789abcdef', wordsToHex(words, 0, 2), ''));
  }
  const index = new SpanIdIndex(chunk, 8, seed);
  for (let row = 0; row < n; row++) index.set(chunk.idHigh(row), chunk.idLow(row), row);
  for (let row = 0; row < n; row++) assert.equal(index.get(chunk.idHigh(row), chunk.idLow(row)), row);
  assert.equal(index.size, n);
  // Every operation (the sets, the gets, and each id placed again when the table grows: at most
  // 2n over all growths) looks at MAX_PROBES slots at most.
  assert.ok(index.probes <= 64 * 4 * n, `probes ${index.probes}`);
  assert.ok(index.probes > 64 * n, 'the ids did collide (else this test proves nothing)');
  // The same ids as a trace entry adds them: asked first, then added without a second lookup.
  const added = new SpanIdIndex(chunk, 8, seed);
  for (let row = 0; row < n; row++) {
    assert.equal(added.get(chunk.idHigh(row), chunk.idLow(row)), -1);
    added.add(chunk.idHigh(row), chunk.idLow(row), row);
  }
  for (let row = 0; row < n; row++) assert.equal(added.get(chunk.idHigh(row), chunk.idLow(row)), row);
  assert.equal(added.size, n);
  assert.ok(added.probes <= 64 * 5 * n, `probes ${added.probes}`);
});

test('a compacted chunk keeps the live rows as they were, in order, and the index follows them', () => {
  const records = decodeOtlpJsonBytes(Buffer.from(toJson(new Generator(42).request())), new DecodeContext()).spans;
  const { chunks, spans } = appendRecords(records, records.length);
  let chunk = chunks[0]!;
  const old = chunk;
  // The index reads ids through the store's chunk table (here: one chunk, replaced by compaction).
  const index = new SpanIdIndex({ idHigh: (ref) => chunk.idHigh(ref), idLow: (ref) => chunk.idLow(ref) });
  const before = spans.map(everything);
  const dead = (row: number): boolean => row % 3 === 0;
  for (let row = 0; row < old.rows; row++) {
    // A dead row is out of every index (its trace went, or a later row took its id).
    if (dead(row)) assert.equal(old.kill(row), true);
    else if (old.hasWordIds(row)) index.set(old.idHigh(row), old.idLow(row), row);
  }
  assert.equal(old.kill(0), false, 'killed once');
  const { chunk: small, moved } = compactChunk(old);
  assert.equal(small.rows, old.live);
  assert.ok(small.bytes < old.bytes);
  for (let row = 0; row < old.rows; row++) {
    if (dead(row)) assert.equal(moved[row], -1);
    else assert.deepEqual(everything(new ChunkSpan(small, moved[row]!)), before[row], `row ${row}`);
  }
  chunk = small;
  index.remap((row) => moved[row]!);
  for (let row = 0; row < old.rows; row++) {
    if (dead(row) || !old.hasWordIds(row)) continue;
    assert.equal(index.get(old.idHigh(row), old.idLow(row)), moved[row], `row ${row}`);
  }
});

test('a store whose traces share chunks: deleting most of them compacts the chunks, and the others read back exactly', () => {
  const store = new SpanStore({ maxBytes: 256 * 1024 * 1024 });
  // Ten traces whose spans alternate within each request: every chunk holds rows of all ten.
  const spans = (round: number): SpanSpec[] =>
    Array.from({ length: 400 }, (_, i) => ({
      traceId: traceIdOf(1 + (i % 10)),
      spanId: spanIdOf(round * 1000 + i + 1),
      name: `s${i % 7}`,
      startMs: T0 + i,
      endMs: T0 + i + 2,
      attributes: { n: i, v: `value ${round}.${i}` },
    }));
  for (let round = 0; round < 5; round++) importOtlpJson(store, jsonRequest(spans(round)));
  const kept = [traceIdOf(3), traceIdOf(8)];
  const before = kept.map((id) => store.trace(id));
  const table = (store as unknown as { table: ChunkTable }).table;
  const chunks = table.chunkCount;
  for (let t = 1; t <= 10; t++) if (!kept.includes(traceIdOf(t))) store.deleteTrace(traceIdOf(t));
  assert.ok(table.compactions > 0, 'chunks four-fifths dead were compacted');
  assert.equal(table.rows, 2 * 200);
  assert.ok(table.chunkCount <= chunks);
  assert.deepEqual(
    kept.map((id) => store.trace(id)),
    before,
  );
  // The moved rows are found by id, replaced by id and batched as before.
  assert.equal(store.spanChain(traceIdOf(3), spanIdOf(3))[0]?.name, 's2');
  importOtlpJson(store, jsonRequest([{ traceId: traceIdOf(3), spanId: spanIdOf(3), name: 'again', startMs: T0, endMs: T0 + 1 }]));
  assert.equal(store.trace(traceIdOf(3)).length, 200);
  assert.equal(store.trace(traceIdOf(3))[0]!.name, 'again');
  assert.equal(store.batchSince(traceIdOf(8))!.batch.parent.length, 200);
  store.dispose();
});
