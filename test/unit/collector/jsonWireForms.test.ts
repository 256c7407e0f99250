// OTLP/JSON as it crosses from a decode worker to the storing thread, both ways a worker answers:
// the scanner's span index (integers over the shared body, strings by the worker's dictionary,
// read back through the storing thread's mirror of it) and, off the exporters' shape, the JSON.parse
// path's packed batch. Each is structured-cloned as postMessage does, read back on a context of its
// own, and compared with JSON.parse decoding in place — over several bodies in a row on one worker
// context, so that what the worker's dictionary and memos learned from one body is used in the next.
// The bodies are built to hit each memo of the scanner and the near misses next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { indexOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import { materialize, type SpanIndex } from '../../../src/collector/ingest/spanIndex';
import { packBatch, unpackBatch, type PackedBatch } from '../../../src/collector/ingest/packedBatch';
import { DecodeContext, type DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { DictionaryMirror } from '../../../src/collector/store/idDictionary';
import { decodeLimits, type DecodeLimits } from '../../../src/collector/store/otlpValues';
import { encodeOtlpJson } from '../../../src/collector/store/otlpJsonEncoder';

/** A batch's full meaning: its OTLP export and what was refused (the paths name a refused span's place differently). */
function full(b: DecodedBatch): unknown {
  return { rejected: b.rejected, firstError: b.firstError.replace(/^[^:]*: /, ''), otlp: JSON.parse(encodeOtlpJson(b.spans)) as unknown };
}

/** A decode worker and the storing thread, each with its own context, as the decode pool pairs them. */
class WorkerAndStore {
  readonly worker = new DecodeContext();
  readonly store = new DecodeContext();
  readonly mirror = new DictionaryMirror(this.store);
  constructor(limits?: Partial<DecodeLimits>) {
    if (limits) this.worker.limits = this.store.limits = decodeLimits(limits);
  }

  /** The scanner's answer, read back on the store's side; undefined when the scanner gave the body up. */
  viaIndex(body: Buffer): DecodedBatch | undefined {
    const ix = indexOtlpJson(body, this.worker);
    this.mirror.apply(this.worker.dict.takeAdditions());
    if (!ix) return undefined;
    return materialize(deserialize(serialize(ix)) as SpanIndex, body, this.mirror, this.store);
  }

  /** The JSON.parse path's answer on a worker, packed and read back on the store's side. */
  viaPacked(body: Buffer): DecodedBatch {
    const repeats = (key: string): boolean => this.worker.pool.key(key).values !== undefined;
    const packed = packBatch(decodeOtlpJson(body.toString('utf8'), this.worker), repeats);
    this.mirror.apply(this.worker.dict.takeAdditions());
    return unpackBatch(deserialize(serialize(packed)) as PackedBatch, this.store);
  }
}

/**
 * Sends `texts` one after another through both worker paths of one pair, and each in place with
 * JSON.parse: all three agree, and the scanner takes every body (none falls back).
 */
function agreeInSequence(texts: string[], limits?: Partial<DecodeLimits>): DecodedBatch[] {
  const pair = new WorkerAndStore(limits);
  const reference = new DecodeContext();
  if (limits) reference.limits = decodeLimits(limits);
  const out: DecodedBatch[] = [];
  for (const text of texts) {
    JSON.parse(text); // the case itself is valid JSON
    const body = Buffer.from(text);
    const expected = full(decodeOtlpJson(text, reference));
    const scanned = pair.viaIndex(body);
    assert.ok(scanned, `the scanner gave up: ${text.slice(0, 200)}`);
    assert.deepEqual(full(scanned), expected, `index: ${text.slice(0, 200)}`);
    assert.deepEqual(full(pair.viaPacked(body)), expected, `packed: ${text.slice(0, 200)}`);
    out.push(scanned);
  }
  return out;
}

const id = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, '0');
const kv = (k: string, v: string): string => `{"key":"${k}","value":${v}}`;
const str = (v: string): string => `{"stringValue":${JSON.stringify(v)}}`;
const TAIL = ',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{"code":0},"links":[],"droppedLinksCount":0,"flags":257}';

/** A span as the OTel JSON serializer writes it, with the given attributes and text after them. */
function span(i: number, attributes: string[], tail = TAIL, trace = 7): string {
  return `{"traceId":"${id(trace, 16)}","spanId":"${id(0x100 + i, 8)}","parentSpanId":"${id(1, 8)}","name":"s${i % 3}","kind":1,"startTimeUnixNano":"17630000000000${String(i).padStart(5, '0')}","endTimeUnixNano":"1763000000100000000","attributes":[${attributes.join(',')}]${tail}`;
}

function request(spans: string[]): string {
  return `{"resourceSpans":[{"resource":{"attributes":[${kv('service.name', str('svc'))}]},"scopeSpans":[{"scope":{"name":"s","version":"1"},"spans":[${spans.join(',')}]}]}]}`;
}

test('values that differ in one byte right after a repeated one, at every place and in every byte', () => {
  const base = 'eu-west-1.amazonaws.com';
  const spans: string[] = [];
  let i = 0;
  for (let at = 0; at < base.length; at++) {
    const near = `${base.slice(0, at)}${base[at] === 'x' ? 'y' : 'x'}${base.slice(at + 1)}`;
    // The repeated value twice (remembered at its place), then the near miss, then the value again.
    for (const v of [base, base, near, base]) spans.push(span(i++, [kv('region', str(v)), kv('n', '{"intValue":200}'), kv('kind', str('call'))]));
  }
  // Repeated across bodies too: the second body starts with the worker's dictionary already holding them.
  agreeInSequence([request(spans), request(spans.slice().reverse())]);
});

test('key lists that differ in one key, in one byte of a key, or in length', () => {
  const a = [kv('http.method', str('GET')), kv('http.status', '{"intValue":200}'), kv('url', str('/x'))];
  const lists: string[][] = [
    a,
    a,
    [kv('http.method', str('GET')), kv('http.statuz', '{"intValue":200}'), kv('url', str('/x'))],
    [kv('http.method', str('GET')), kv('http.status', '{"intValue":200}'), kv('uri', str('/x'))],
    a.slice(0, 2),
    [...a, kv('extra', '{"boolValue":true}')],
    a,
    [],
    a,
  ];
  agreeInSequence([request(lists.map((l, i) => span(i, l)))]);
});

test('a span whose attributes repeat the previous one\'s in another order', () => {
  const a = [kv('a', str('1')), kv('b', '{"intValue":2}'), kv('c', '{"boolValue":false}'), kv('d', str('4'))];
  const orders = [a, [a[1]!, a[0]!, a[2]!, a[3]!], a, [a[3]!, a[2]!, a[1]!, a[0]!], [a[0]!, a[2]!, a[1]!, a[3]!], a];
  agreeInSequence([request(orders.map((l, i) => span(i, l)))]);
});

test('extras on every other span: status messages, events, links, traceState, dropped counts, odd flags', () => {
  const extras = [
    ',"status":{"code":2,"message":"boom"},"flags":1}',
    `,"events":[{"name":"e","timeUnixNano":"1763000000000000001","attributes":[${kv('k', str('v'))}]}],"links":[{"traceId":"${id(9, 16)}","spanId":"${id(9, 8)}","traceState":"a=b","flags":1}]}`,
    ',"traceState":"vendor=x","droppedAttributesCount":3,"droppedEventsCount":4,"droppedLinksCount":5}',
    ',"flags":4294967295,"status":{"code":7}}',
  ];
  const attrs = [kv('k', str('v')), kv('n', '{"intValue":1}')];
  const spans = Array.from({ length: 16 }, (_, i) => span(i, attrs, i % 2 === 1 ? extras[(i >> 1) % extras.length]! : TAIL));
  const [batch] = agreeInSequence([request(spans)]);
  assert.equal(batch!.spans.filter((s) => s.extra).length, 8);
});

test('large values kept as bytes and values cut by the caps, among repeated ones', () => {
  const large = 'L'.repeat(5000);
  const largeUtf8 = 'é'.repeat(2500);
  const long = 'x'.repeat(300);
  const lists = [
    [kv('big', str(large)), kv('k', str('v'))],
    [kv('big', str(large)), kv('k', str('v'))],
    [kv('big', str(largeUtf8)), kv('k', str('v'))],
    [kv('long', str(long)), kv('k', str('v')), kv('long2', str(long))],
    [kv('long', str(long)), kv('k', str('v')), kv('long2', str(long))],
  ];
  const text = request(lists.map((l, i) => span(i, l)));
  // Under the default caps: whole; with small caps: cut per value and per span, with their marks.
  agreeInSequence([text]);
  const [cut] = agreeInSequence([text], { maxValueBytes: 1000, maxSpanBytes: 1200 });
  assert.ok(cut!.spans.some((s) => s.extra?.truncatedValues), 'values were cut');
});

test('bodies without spans, and refused spans among good ones', () => {
  const good = (i: number): string => span(i, [kv('k', str('v'))]);
  const bad = [
    span(90, [kv('k', str('v'))]).replace(`"traceId":"${id(7, 16)}"`, `"traceId":"${'0'.repeat(32)}"`),
    span(91, [kv('k', str('v'))]).replace(`"spanId":"${id(0x100 + 91, 8)}"`, '"spanId":""'),
    span(92, [kv('k', str('v'))]).replace('"endTimeUnixNano":"1763000000100000000"', '"endTimeUnixNano":"1e21"'),
    span(93, [kv('k', str('v')), kv('big', str('b'.repeat(5000)))]).replace(/"startTimeUnixNano":"\d+"/, '"startTimeUnixNano":"99999999999999999999999"'),
  ];
  const mixed = [good(0), bad[0]!, good(1), good(2), bad[1]!, bad[2]!, good(3), bad[3]!, good(4)];
  const batches = agreeInSequence([request([]), '{}', '{"resourceSpans":[]}', request(mixed), request(bad), request([good(5)])]);
  assert.deepEqual(
    batches.map((b) => [b.spans.length, b.rejected]),
    [
      [0, 0],
      [0, 0],
      [0, 0],
      [5, 4],
      [0, 4],
      [1, 0],
    ],
  );
});

test("a body of few spans posts and keeps times sized to its spans, not the index builder's room for 256", () => {
  // Records keep views of the index's times while they are stored (and a worker transfers the
  // array's whole buffer): 4 KiB per 1-span body before, for the 16 bytes it needs.
  for (const n of [1, 2, 3, 100, 128, 129, 255, 256, 257, 300, 512, 513]) {
    const body = Buffer.from(request(Array.from({ length: n }, (_, i) => span(i, [kv('k', str('v'))]))));
    const ix = indexOtlpJson(body, new DecodeContext());
    assert.ok(ix);
    assert.equal(ix.times.length, n * 4);
    assert.ok(ix.times.buffer.byteLength <= 2 * ix.times.byteLength, `${n} spans: ${ix.times.buffer.byteLength} bytes kept for ${ix.times.byteLength}`);
  }
});
