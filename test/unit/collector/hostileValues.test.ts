import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { encodeOtlpJson } from '../../../src/collector/store/otlpJsonEncoder';
import type { AttrValue } from '../../../src/protocol/spanView';
import { attrText } from '../../../src/protocol/spanView';
import { normalRequest, protoKeyValue, toJson, toProto, type GenRequest, type GenSpan, type GenValue } from './otlpGenerator';
import { postTraces, withCollector } from './helpers';

const TRACE = '5b8efff798038103d269b633813fc60c';

function span(spanId: string, over: Partial<GenSpan> = {}): GenSpan {
  return {
    traceId: TRACE,
    spanId,
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: `span ${spanId}`,
    kind: 1,
    startTimeUnixNano: '1763000000000000001',
    endTimeUnixNano: '1763000000500000000',
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...over,
  };
}

function request(spans: GenSpan[]): GenRequest {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans }] }] };
}

/** An AnyValue nested `depth` levels: kvlists and arrays in turn, a string at the bottom. */
function nested(depth: number): GenValue {
  let v: GenValue = { stringValue: 'bottom' };
  for (let d = 0; d < depth; d++) v = d % 2 ? { kvlistValue: { values: [{ key: `k${d}`, value: v }, { key: 'n', value: { intValue: String(d) } }] } } : { arrayValue: { values: [v, { boolValue: true }] } };
  return v;
}

/** How deep a stored value goes before a marker, and the marker. */
function depthOf(v: AttrValue): [number, AttrValue] {
  let d = 0;
  let x = v;
  for (;;) {
    if (typeof x === 'object' && !Array.isArray(x) && (x.kind === 'array' || x.kind === 'kvlist')) {
      x = x.values[0]!;
      d++;
    } else return [d, x];
  }
}

test('the opentelemetry-proto example trace (examples/trace.json) is stored and exported as it is', async () => {
  // test/fixtures/otlp/opentelemetry-proto-trace.json: examples/trace.json of
  // github.com/open-telemetry/opentelemetry-proto at ac2c4b5 (uppercase hex ids, scope attributes).
  const text = readFileSync(join(__dirname, '../../../../test/fixtures/otlp/opentelemetry-proto-trace.json'), 'utf8');
  const want = normalRequest(JSON.parse(text));
  await withCollector({}, async (c, endpoint) => {
    const res = await postTraces(endpoint, text);
    assert.equal(res.status, 200);
    assert.deepEqual(normalRequest(JSON.parse(c.store.exportOtlpJson(TRACE))), want);
    const origin = c.store.records(TRACE)[0]!.origin;
    assert.deepEqual([origin.scopeName, origin.scopeVersion, origin.scopeKeys, origin.scopeValues], ['my.library', '1.0.0', ['my.scope.attribute'], ['some scope attribute']]);
  });
  // The same through the JSON.parse path, and with the pretty-printed body's bytes.
  assert.deepEqual(normalRequest(JSON.parse(encodeOtlpJson(decodeOtlpJson(text, new DecodeContext()).spans))), want);
});


test('values nested 16+ levels deep are stored structurally down to the depth cap, the same from JSON and protobuf', () => {
  for (const depth of [16, 17, 31, 32, 33, 60, 500]) {
    const req = request([span('eee19b7ec3c1b174', { attributes: [{ key: 'deep', value: nested(depth) }] })]);
    const a = decodeOtlpJsonBytes(Buffer.from(toJson(req)), new DecodeContext()).spans[0]!;
    const b = decodeOtlpProto(toProto(req), new DecodeContext()).spans[0]!;
    assert.deepEqual(a.values, b.values, `depth ${depth}`);
    // Decoded, not stored: no value is off the heap yet.
    const first = a.values[0] as AttrValue;
    const [kept, bottom] = depthOf(first);
    if (depth <= 32) {
      assert.equal(kept, depth);
      assert.equal(bottom, 'bottom');
    } else {
      assert.equal(kept, 32);
      assert.equal(typeof bottom === 'object' && !Array.isArray(bottom) && bottom.kind, 'truncated');
    }
    // Text of it costs what was received (no escaping per level).
    assert.ok(attrText(first).length < 40 * depth + 100);
  }
});

test('a tiny body of nested values (which once became megabytes per attribute) is stored small; the process and earlier data stay', async () => {
  await withCollector({}, async (c, endpoint) => {
    const earlier = request([span('0000000000000001')]);
    assert.equal((await postTraces(endpoint, toProto(earlier), 'application/x-protobuf')).status, 200);
    // 300 attributes, each kvlists and arrays 40 levels deep: a few dozen KB of protobuf.
    const attrs = Array.from({ length: 300 }, (_, i) => ({ key: `a${i}`, value: nested(40) }));
    const body = toProto(request([span('0000000000000002', { attributes: attrs })]));
    assert.ok(body.length < 200_000);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3; i++) assert.equal((await postTraces(endpoint, body, 'application/x-protobuf')).status, 200);
    assert.equal((await postTraces(endpoint, toJson(request([span('0000000000000003', { attributes: attrs })])))).status, 200);
    const exported = c.store.exportOtlpJson(TRACE);
    assert.ok(exported.length < 20 * body.length, `export of ${exported.length} bytes`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 200 * 1024 * 1024);
    assert.equal(c.store.run(TRACE)!.spanCount, 3);
    assert.ok(c.store.records(TRACE).some((r) => r.spanId === '0000000000000001'));
  });
});

test('caps: a value over the per-value cap, and values past the per-span cap, keep a marker and their size', () => {
  const ctx = new DecodeContext();
  ctx.limits = { maxValueBytes: 1000, maxSpanBytes: 3000, maxDepth: 32 };
  const big = 'é'.repeat(10_000); // 20,000 UTF-8 bytes
  const req = request([
    span('0000000000000001', {
      attributes: [
        { key: 'big', value: { stringValue: big } },
        { key: 'ok1', value: { stringValue: 'x'.repeat(900) } },
        { key: 'ok2', value: { stringValue: 'y'.repeat(900) } },
        { key: 'over', value: { stringValue: 'z'.repeat(900) } },
        { key: 'n', value: { intValue: '5' } },
      ],
    }),
  ]);
  for (const rec of [decodeOtlpJsonBytes(Buffer.from(toJson(req)), ctx).spans[0]!, decodeOtlpProto(toProto(req), ctx).spans[0]!, decodeOtlpJson(toJson(req), ctx).spans[0]!]) {
    const [bigV, ok1, ok2, over, n] = rec.values as AttrValue[];
    assert.deepEqual(typeof bigV === 'object' && !Array.isArray(bigV) && bigV.kind === 'truncated' && [bigV.value, bigV.length], ['é'.repeat(500), 20_000]);
    assert.equal(ok1, 'x'.repeat(900));
    assert.equal(ok2, 'y'.repeat(900));
    // 1000 (the big value's kept start) + 900 + 900 leave 200 bytes of the span's 3000.
    assert.deepEqual(over, { kind: 'truncated', value: 'z'.repeat(200), length: 900 });
    assert.deepEqual(n, { kind: 'truncated', value: '', length: 8 });
    assert.equal(rec.extra?.truncatedValues, 3);
  }
});

test('the collector option decodeLimits reaches the decode workers (JSON and protobuf) and decoding in place', async () => {
  const WORKER = join(__dirname, '../../../src/collector/ingest/decodeWorker.js');
  for (const decodeThreads of [0, 1]) {
    await withCollector({ decodeThreads, decodeWorkerPath: WORKER, protobufOnWorkers: true, decodeLimits: { maxValueBytes: 100 } }, async (c, endpoint) => {
      const long = 'q'.repeat(1000);
      const req = (id: string): GenRequest => request([span(id, { attributes: [{ key: 'body', value: { stringValue: long } }] })]);
      assert.equal((await postTraces(endpoint, toJson(req('0000000000000001')))).status, 200);
      assert.equal((await postTraces(endpoint, toProto(req('0000000000000002')), 'application/x-protobuf')).status, 200);
      for (const r of c.store.records(TRACE)) assert.deepEqual(r.values[0], { kind: 'truncated', value: 'q'.repeat(100), length: 1000 }, `threads ${decodeThreads}`);
    });
  }
});

test('impossible times are refused per span with a reason; the other spans of the request are stored and listings work', async () => {
  await withCollector({}, async (c, endpoint) => {
    const json = JSON.parse(toJson(request([span('0000000000000001'), span('0000000000000002'), span('0000000000000003'), span('0000000000000004'), span('0000000000000005'), span('0000000000000006')]))) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const spans = json.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans[1]!.startTimeUnixNano = '1e21';
    spans[2]!.endTimeUnixNano = '17630000005000000000000'; // 23 digits
    spans[3]!.startTimeUnixNano = '18446744073709551616'; // 2^64
    spans[4]!.startTimeUnixNano = 1.5;
    const res = await postTraces(endpoint, JSON.stringify(json));
    assert.equal(res.status, 200);
    const body = JSON.parse(res.text) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '4');
    assert.match(body.partialSuccess.errorMessage, /startTimeUnixNano must be an integer number of nanoseconds/);
    assert.deepEqual(c.store.records(TRACE).map((r) => r.spanId).sort(), ['0000000000000001', '0000000000000006']);
    assert.equal(c.store.runs().length, 1);
    assert.ok(Number.isFinite(c.store.runs()[0]!.startMs));
    // Protobuf cannot say 1e21, but it can say 2^64 - 1 and a start after the end.
    const proto = toProto(request([span('0000000000000007', { startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '18446744073709551615' }), span('0000000000000008', { startTimeUnixNano: '5', endTimeUnixNano: '4' })]));
    const res2 = await postTraces(endpoint, proto, 'application/x-protobuf');
    assert.equal(res2.status, 200);
    assert.ok(c.store.records(TRACE).some((r) => r.spanId === '0000000000000007' && r.endTimeUnixNano === '18446744073709551615'));
    assert.equal(c.store.stats().rejectedSpans, 5);
  });
});

test('an attribute named __proto__ survives into /spans and /traces (and a key without a value is kept as empty)', async () => {
  await withCollector({}, async (c, endpoint) => {
    const req = request([span('0000000000000001', { attributes: [{ key: '__proto__', value: { stringValue: 'polluted?' } }, { key: 'constructor', value: { intValue: '1' } }, { key: 'nothing', value: {} }] })]);
    assert.equal((await postTraces(endpoint, toProto(req), 'application/x-protobuf')).status, 200);
    const spans = JSON.parse(await (await fetch(`${endpoint}/api/traces/${TRACE}/spans`)).text()) as { attributes: Record<string, unknown> }[];
    assert.deepEqual(Object.entries(spans[0]!.attributes), [['__proto__', 'polluted?'], ['constructor', 1], ['nothing', { kind: 'empty' }]]);
    const tree = JSON.parse(await (await fetch(`${endpoint}/api/traces/${TRACE}`)).text()) as { roots: { attributes: Record<string, unknown> }[] };
    assert.equal(Object.getOwnPropertyDescriptor(tree.roots[0]!.attributes, '__proto__')?.value, 'polluted?');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

test('protobuf KeyValue bytes are what the JSON says (writer sanity)', () => {
  assert.deepEqual(Buffer.from(protoKeyValue({ key: 'k', value: { stringValue: 'v' } })), Buffer.from([0x0a, 1, 0x6b, 0x12, 3, 0x0a, 1, 0x76]));
});
