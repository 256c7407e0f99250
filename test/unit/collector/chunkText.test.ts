// One-off string values kept as UTF-8 bytes in the span chunk (store/chunkText.ts), decoded when
// read: they read back — rows, read API, export, timeline batch, attribute queries — exactly as the
// decoders' strings did (multi-byte UTF-8, invalid UTF-8 as U+FFFD, empty strings, values just
// under the large-value size and at it, JSON's lone surrogates); the bytes are counted in the
// budget (rows, killed rows, a sealed chunk's unused end) and given back when their chunk goes;
// compaction and a refused row keep the bytes right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexOtlpProto, decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { indexRows } from '../../../src/collector/ingest/indexRows';
import { ChunkTable, compactChunk } from '../../../src/collector/store/chunkTable';
import { DecodeContext, emptyOriginParts } from '../../../src/collector/store/decodedBatch';
import { fromStoredValues, LARGE_TEXT_FROM } from '../../../src/collector/store/largeText';
import { SpanChunk, ROW_COLUMN_BYTES } from '../../../src/collector/store/spanChunk';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { rowBytes } from '../../../src/collector/store/storedBytes';
import { toSpanView } from '../../../src/collector/store/spanRecord';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonRows } from '../../../src/collector/ingest/otlpJsonScanner';
import { len, protoSpan, str } from './protoWriter';
import { jsonRequest, spanIdOf, T0, traceIdOf } from './helpers';
import { collectChunks as collect } from './chunkSink';

type Bytes = number[];

/** Raw bytes as a string value (a protobuf string field may carry anything: the decoder decides). */
const rawValue = (key: string, bytes: Bytes): Bytes => [...str(1, key), ...len(2, len(1, Buffer.from(bytes)))];

/**
 * A protobuf request: 600 spans whose `u` values are all new (so the key is found not to repeat and
 * its later values are not interned), then one span per test value, under keys `u` and `v`.
 */
function protoBody(values: Bytes[]): Buffer {
  const spans: Bytes[] = [];
  const span = (n: number, attrs: Bytes[]): Bytes => {
    const base = protoSpan({ traceId: traceIdOf(1), spanId: spanIdOf(n), name: 'op', startMs: T0 + n, endMs: T0 + n + 1 });
    return [...base, ...attrs.flatMap((a) => len(9, a))];
  };
  for (let i = 0; i < 600; i++) spans.push(span(i + 1, [rawValue('u', [...Buffer.from(`warm-up ${i} ${'w'.repeat(i % 7)}`)])]));
  values.forEach((v, i) => spans.push(span(1000 + i, [rawValue('u', v), rawValue('v', [...Buffer.from(`note ${i}`)]), rawValue('u2', v)])));
  const resource = len(1, len(1, [...str(1, 'service.name'), ...len(2, str(1, 'svc'))]));
  const scopeSpans = len(2, [...len(1, str(1, 'test')), ...spans.flatMap((s) => len(2, s))]);
  return Buffer.from(len(1, [...resource, ...scopeSpans]));
}

const utf8 = (s: string): Bytes => [...Buffer.from(s, 'utf8')];
const TEST_VALUES: Bytes[] = [
  utf8('añ€😀 — multi-byte'),
  [0x61, 0xff, 0x62], // a byte that is never UTF-8
  [0x61, 0xe2, 0x82], // a sequence cut short at the end
  [0xc0, 0xaf, 0x21], // an overlong encoding
  [0xed, 0xa0, 0x80, 0x7a], // a surrogate encoded as UTF-8 (CESU-8)
  [], // the empty string
  utf8('x'.repeat(LARGE_TEXT_FROM - 1)), // the longest kept as bytes
  utf8('y'.repeat(LARGE_TEXT_FROM)), // large: off the heap as before
  utf8('€'.repeat(1365) + 'z'), // 4096 bytes in 1366 characters
  utf8('\u0000\u0001 control and NUL'),
];

test('one-off protobuf strings are kept as bytes and read back as the decoder made them (invalid UTF-8 as U+FFFD, empty, at the large-value size)', () => {
  const body = protoBody(TEST_VALUES);
  const expected = decodeOtlpProto(body, new DecodeContext()).spans;
  const ctx = new DecodeContext();
  const sink = collect(256);
  indexRows(indexOtlpProto(body, ctx), body, ctx.dict, ctx).append(sink);
  assert.equal(sink.spans.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.deepEqual(fromStoredValues(sink.spans[i]!.values), fromStoredValues(expected[i]!.values), `span ${i}`);
    assert.deepEqual(toSpanView(sink.spans[i]!), toSpanView(expected[i]!), `span ${i}`);
  }
  // What the decoder makes of the odd bytes (the meaning kept): Node's UTF-8 decoding.
  const tail = expected.slice(600).map((s) => fromStoredValues(s.values)[0]);
  assert.equal(tail[0], 'añ€😀 — multi-byte');
  assert.equal(tail[1], 'a\ufffdb');
  assert.equal(tail[2], 'a\ufffd');
  assert.equal(tail[5], '');
  // The form: the unique values are offsets into the chunk's text, not strings.
  const { chunk, row } = sink.spans[600]!;
  assert.ok(chunk.text, 'the chunk has text');
  const at = chunk.valueStart(row);
  assert.equal(typeof chunk.values[at], 'number', 'a one-off value is an offset into the text');
  assert.equal(chunk.value(at), 'añ€😀 — multi-byte');
  // Its bytes and their 2-byte length (the other keys' values are still new to their keys: interned).
  assert.equal(chunk.rowTextBytes(row), 2 + TEST_VALUES[0]!.length);
  // The empty string stays the empty string (no bytes).
  assert.equal(sink.spans[605]!.chunk.values[sink.spans[605]!.chunk.valueStart(sink.spans[605]!.row)], '');
});

test('read API, export, timeline batch and attribute queries give the strings kept as bytes', () => {
  const body = protoBody(TEST_VALUES);
  const expected = decodeOtlpProto(body, new DecodeContext()).spans;
  const store = new SpanStore({ maxBytes: 256 * 1024 * 1024 });
  store.ingest(indexRows(indexOtlpProto(body, store.decodeContext), body, store.decodeContext.dict, store.decodeContext));
  const views = store.trace(traceIdOf(1));
  assert.equal(views.length, expected.length);
  const byId = new Map(views.map((v) => [v.spanId, v]));
  for (const rec of expected) assert.deepEqual(byId.get(rec.spanId)!.attributes, toSpanView(rec).attributes, rec.spanId);
  // The export carries the same text (and so does a run file, written from it).
  const exported = JSON.parse(store.exportOtlpJson(traceIdOf(1))) as { resourceSpans: { scopeSpans: { spans: { spanId: string; attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] };
  const out = exported.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const first = out.find((s) => s.attributes.some((a) => a.key === 'v' && a.value.stringValue === 'note 0'))!;
  assert.equal(first.attributes.find((a) => a.key === 'u')!.value.stringValue, 'añ€😀 — multi-byte');
  const bad = out.find((s) => s.attributes.some((a) => a.key === 'v' && a.value.stringValue === 'note 1'))!;
  assert.equal(bad.attributes.find((a) => a.key === 'u')!.value.stringValue, 'a\ufffdb');
  // The timeline batch's text holds the values.
  const batch = store.batchSince(traceIdOf(1))!.batch;
  for (const s of ['añ€😀 — multi-byte', 'a\ufffdb', 'x'.repeat(LARGE_TEXT_FROM - 1), `warm-up 599 ${'w'.repeat(599 % 7)}`]) assert.ok(batch.text.includes(s), s);
  // A query on the values reads them.
  const found = store.matchSpans(traceIdOf(1), [{ key: 'u', value: '😀' }]);
  assert.deepEqual(found?.spanIds, [spanIdOf(1000)]);
  // Records handed out (a run file's source) are strings, valid after the trace goes.
  const records = store.records(traceIdOf(1));
  store.deleteTrace(traceIdOf(1));
  assert.equal(records.find((r) => r.spanId === spanIdOf(1003))!.values[0], fromStoredValues(expected[603]!.values)[0]);
  store.dispose();
});

test('JSON ranges are kept as bytes too; escaped text (a lone surrogate) stays a string; both read as JSON.parse reads them', () => {
  const values = ['plain ascii', 'ünïcödé €', 'lone \ud800 surrogate', 'tab\there', ''];
  const spans = Array.from({ length: 600 + values.length }, (_, i) => ({
    traceId: traceIdOf(2),
    spanId: spanIdOf(i + 1),
    name: 'op',
    startMs: T0 + i,
    endMs: T0 + i + 1,
    attributes: { u: i < 600 ? `warm-up ${i}` : values[i - 600]! },
  }));
  const text = jsonRequest(spans);
  const store = new SpanStore({ maxBytes: 256 * 1024 * 1024 });
  store.ingest(decodeOtlpJsonRows(Buffer.from(text), store.decodeContext));
  const got = new Map(store.trace(traceIdOf(2)).map((v) => [v.spanId, v.attributes['u']]));
  values.forEach((v, i) => assert.equal(got.get(spanIdOf(601 + i)), v, JSON.stringify(v)));
  // The same through the importer (records): equal.
  const other = new SpanStore({ maxBytes: 256 * 1024 * 1024 });
  importOtlpJson(other, text);
  assert.deepEqual(other.trace(traceIdOf(2)), store.trace(traceIdOf(2)));
  store.dispose();
  other.dispose();
});

test('the bytes are counted: in the row, dead when the row is killed, given back with the chunk; a sealed chunk holds no uncounted room', () => {
  const rows: number[] = [];
  // Compaction moves rows: their references follow.
  const table = new ChunkTable((_owner, pos, ref) => void (rows[pos] = ref));
  const body = protoBody(TEST_VALUES);
  const ctx = new DecodeContext();
  // Chunks of 64 rows: the 513th `u` value on is kept as bytes, so the chunk of rows 512–575 is
  // full of them, and sealed.
  indexRows(indexOtlpProto(body, ctx), body, ctx.dict, ctx).append({ chunk: () => table.chunk(1), added: (_c, row) => void rows.push(table.added(row, 1, rows.length)) });
  const sealed = table.chunkOf(rows[520]!);
  assert.equal(sealed.sealed, true);
  assert.equal(sealed.capacity, 64);
  const text = sealed.text!;
  // Sealed: its text moved to a buffer of its size (no room left uncounted), which the table counts
  // with the columns (pages outside what process.memoryUsage() shows).
  assert.equal(table.deadBytes, 0);
  assert.equal(text.mappedBytes, text.end);
  const chunks = [...new Set(rows.map((r) => table.chunkOf(r)))];
  assert.equal(
    table.columnBytes,
    chunks.reduce((n, c) => n + c.capacity * ROW_COLUMN_BYTES + (c.text?.mappedBytes ?? 0), 0),
  );
  // Every byte written is some row's: the rows count them all, 2 bytes of length and the UTF-8 bytes a value.
  let textInRows = 0;
  for (let row = 0; row < sealed.rows; row++) textInRows += sealed.rowTextBytes(row);
  assert.equal(textInRows, text.end);
  const ref = rows[520]!;
  const rowText = sealed.rowTextBytes(table.rowOf(ref));
  assert.equal(rowText, 2 + `warm-up 520 ${'w'.repeat(520 % 7)}`.length);
  assert.ok(rowBytes(sealed, table.rowOf(ref), new WeakSet<object>()) >= ROW_COLUMN_BYTES + rowText);
  // Killing a row counts its text dead with its columns, until the chunk is compacted or goes.
  const deadBefore = table.deadBytes;
  table.kill(ref);
  assert.equal(table.deadBytes - deadBefore, ROW_COLUMN_BYTES + rowText);
  // Every row killed: the sealed chunks go; only the open chunk's dead rows (and their text) are left counted.
  const open = table.chunkOf(rows[rows.length - 1]!);
  const openText = Array.from({ length: open.rows }, (_, r) => open.rowTextBytes(r)).reduce((x, y) => x + y, 0);
  for (let i = 0; i < rows.length; i++) table.kill(rows[i]!);
  assert.ok(table.compactions > 0, 'chunks were compacted on the way');
  assert.equal(table.deadBytes, open.rows * ROW_COLUMN_BYTES + openText);
  assert.equal(open.text!.dead, openText);
});

test('compaction copies the live rows\' bytes (the copy holds only theirs); a refused row gives its bytes back', () => {
  const body = protoBody(TEST_VALUES);
  const ctx = new DecodeContext();
  const sink = collect(1024);
  indexRows(indexOtlpProto(body, ctx), body, ctx.dict, ctx).append(sink);
  const chunk = sink.chunks[0]!;
  const before = sink.spans.map((s) => fromStoredValues(s.values));
  chunk.seal();
  for (let row = 0; row < chunk.rows; row++) if (row % 4 !== 0 && row < 600) chunk.kill(row);
  const { chunk: small, moved } = compactChunk(chunk);
  let live = 0;
  for (let row = 0; row < chunk.rows; row++) {
    if (moved[row] === -1) continue;
    assert.deepEqual(fromStoredValues(small.rowValues(moved[row]!)), before[row], `row ${row}`);
    live += small.rowTextBytes(moved[row]!);
  }
  assert.equal(small.text!.end, live, 'only the live rows\' bytes are copied');
  assert.equal(small.text!.mappedBytes, live, 'moved to a buffer of their size');
  assert.equal(small.text!.dead, 0);

  // dropLast: the bytes of the row taken back are free for the next row.
  const open = new SpanChunk(4);
  const bytes = Buffer.from('one-off value');
  const row0 = open.beginRow(traceIdOf(1), spanIdOf(1), '', open.nameIndex('a'), open.shapeIndex(['k']), open.originIndex(sink.spans[0]!.origin));
  open.pushText(bytes, 0, bytes.length);
  open.endRow(row0, 0, 0, 0, undefined);
  const end = open.text!.end;
  const row1 = open.beginRow(traceIdOf(1), spanIdOf(2), '', open.nameIndex('a'), open.shapeIndex(['k']), open.originIndex(sink.spans[0]!.origin));
  open.pushText(bytes, 4, 5);
  open.endRow(row1, 0, 0, 0, undefined);
  assert.ok(open.text!.end > end);
  open.dropLast(row1);
  assert.equal(open.text!.end, end);
  const row2 = open.beginRow(traceIdOf(1), spanIdOf(3), '', open.nameIndex('a'), open.shapeIndex(['k']), open.originIndex(sink.spans[0]!.origin));
  open.values.push(7);
  open.endRow(row2, 0, 0, 0, undefined);
  assert.deepEqual(open.rowValues(row0), ['one-off value']);
  assert.deepEqual(open.rowValues(row2), [7], 'a number in a slot once used by text is a number');
});

test('compaction copies a row\'s several values as one run, and again from a compacted chunk: every value reads back', () => {
  const chunk = new SpanChunk(64);
  const ORIGIN = new DecodeContext().origin(emptyOriginParts());
  const texts: string[][] = [];
  for (let r = 0; r < 64; r++) {
    const row = chunk.beginRow(traceIdOf(3), spanIdOf(r + 1), '', chunk.nameIndex('n'), chunk.shapeIndex(['a', 'b', 'c', 'd']), chunk.originIndex(ORIGIN));
    // Three one-off values as bytes around a number: the row's text is one run, its slots are not consecutive.
    const values = [`a ${r} ${'é'.repeat(r % 5)}`, `b ${r}`, `c ${'x'.repeat(r)}`];
    const bytes = values.map((v) => Buffer.from(v, 'utf8'));
    chunk.pushText(bytes[0]!, 0, bytes[0]!.length);
    chunk.values.push(r);
    chunk.pushText(bytes[1]!, 0, bytes[1]!.length);
    chunk.pushText(bytes[2]!, 0, bytes[2]!.length);
    chunk.endRow(row, 0, 0, 0, undefined);
    texts.push(values);
  }
  chunk.seal();
  const expect = (c: SpanChunk, row: number, r: number): void => assert.deepEqual(c.rowValues(row), [texts[r]![0], r, texts[r]![1], texts[r]![2]], `row ${r}`);
  for (let r = 0; r < 64; r++) if (r % 3 === 0) chunk.kill(r);
  const first = compactChunk(chunk);
  let live = 0;
  for (let r = 0; r < 64; r++) {
    if (first.moved[r] === -1) continue;
    expect(first.chunk, first.moved[r]!, r);
    live += first.chunk.rowTextBytes(first.moved[r]!);
  }
  assert.equal(first.chunk.text!.end, live);
  // Killed again and compacted from the compacted chunk (whose text is sealed in its own buffer).
  for (let r = 0; r < 64; r++) if (first.moved[r] !== -1 && r % 3 === 1) first.chunk.kill(first.moved[r]!);
  const second = compactChunk(first.chunk);
  let kept = 0;
  for (let r = 0; r < 64; r++) {
    if (r % 3 !== 2) continue;
    const at = second.moved[first.moved[r]!]!;
    expect(second.chunk, at, r);
    kept += second.chunk.rowTextBytes(at);
  }
  assert.equal(second.chunk.text!.end, kept, 'only the rows kept twice');
  assert.equal(second.chunk.text!.dead, 0);
});
