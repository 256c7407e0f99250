import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { jsonRequest, jsonSpan, postTraces, httpRequest, spanIdOf, traceIdOf, withCollector, T0 } from './helpers';
import { protoRequest, protoSpan } from './protoWriter';

const span = (n: number, extra: Partial<Parameters<typeof jsonSpan>[0]> = {}): Parameters<typeof jsonSpan>[0] => ({
  traceId: traceIdOf(1),
  spanId: spanIdOf(n),
  name: `s${n}`,
  startMs: T0 + n,
  endMs: T0 + n + 5,
  ...extra,
});

test('JSON: uppercase and lowercase hex ids, string and numeric nanos, enum integers, unknown fields', async () => {
  await withCollector({}, async (c, endpoint) => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], extra: 1 },
          unknownField: { nested: true },
          scopeSpans: [
            {
              scope: { name: 'x', version: '1' },
              spans: [
                { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'ABCDEF0123456789', name: 'upper', kind: 2, startTimeUnixNano: '1763000000000000000', endTimeUnixNano: 1763000000500000000, status: { code: 2, message: 'bad' }, futureField: [1, 2] },
                { traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', parentSpanId: 'abcdef0123456789', name: 'lower', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: 1763000000100000000, endTimeUnixNano: '1763000000200000000', attributes: [{ key: 'n', value: { intValue: '42' } }, { key: 'big', value: { intValue: '9007199254740993' } }, { key: 'd', value: { doubleValue: 1.5 } }, { key: 'b', value: { boolValue: true } }, { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } }, { key: 'kv', value: { kvlistValue: { values: [{ key: 'x', value: { intValue: 1 } }] } } }] },
              ],
            },
          ],
        },
      ],
    };
    const r = await postTraces(endpoint, JSON.stringify(body));
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), {});
    const spans = c.store.trace('abcdef0123456789abcdef0123456789');
    assert.equal(spans.length, 2);
    const upper = spans.find((s) => s.name === 'upper')!;
    assert.equal(upper.spanId, 'abcdef0123456789');
    assert.equal(upper.status, 'error');
    assert.equal(upper.statusMessage, 'bad');
    assert.equal(upper.endMs - upper.startMs, 500);
    const lower = spans.find((s) => s.name === 'lower')!;
    assert.equal(lower.parentSpanId, 'abcdef0123456789');
    assert.equal(lower.endMs - lower.startMs, 100);
    assert.deepEqual(lower.attributes, { n: 42, big: { kind: 'int', value: '9007199254740993' }, d: 1.5, b: true, arr: ['a', 'b'], kv: { kind: 'kvlist', keys: ['x'], values: [1] } });
    assert.equal(c.store.run('ABCDEF0123456789ABCDEF0123456789')?.serviceName, 'svc');
  });
});

test('partialSuccess: invalid spans are rejected and counted, valid ones kept (JSON and protobuf)', async () => {
  await withCollector({}, async (c, endpoint) => {
    const good = span(1);
    const spans = [jsonSpan(good), { ...jsonSpan(span(2)), spanId: 'abc' }, { ...jsonSpan(span(3)), endTimeUnixNano: String((T0 - 1) * 1e6) }, { ...jsonSpan(span(4)), traceId: '0'.repeat(32) }];
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    const r = await postTraces(endpoint, body);
    assert.equal(r.status, 200);
    const res = JSON.parse(r.text) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(Number(res.partialSuccess.rejectedSpans), 3);
    assert.match(res.partialSuccess.errorMessage, /spanId/);
    assert.equal(c.store.stats().spans, 1);
    assert.equal(c.store.stats().rejectedSpans, 3);

    const proto = protoRequest([protoSpan(span(5)), protoSpan(span(6), { span: Buffer.from([1, 2, 3]) }), protoSpan({ ...span(7), endMs: T0 - 10 })]);
    const p = await postTraces(endpoint, proto, 'application/x-protobuf');
    assert.equal(p.status, 200);
    assert.equal(p.headers['content-type'], 'application/x-protobuf');
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 2, error_message (2) } }
    assert.equal(p.body[0], 0x0a);
    assert.equal(p.body[2], 0x08);
    assert.equal(p.body[3], 2);
    assert.equal(c.store.stats().spans, 2);
  });
});

test('protobuf: attributes of every type, parent ids, status; gzip for both encodings', async () => {
  await withCollector({}, async (c, endpoint) => {
    const s = span(1, { parentSpanId: spanIdOf(99), attributes: { str: 'x', int: 7, neg: -3, dbl: 2.25, yes: true }, status: 2, statusMessage: 'oops' });
    const r = await postTraces(endpoint, gzipSync(protoRequest([protoSpan(s)])), 'application/x-protobuf', { 'content-encoding': 'gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    const [v] = c.store.trace(traceIdOf(1));
    assert.ok(v);
    assert.equal(v.parentSpanId, spanIdOf(99));
    assert.deepEqual(v.attributes, { str: 'x', int: 7, neg: -3, dbl: 2.25, yes: true });
    assert.equal(v.status, 'error');
    assert.equal(v.statusMessage, 'oops');
    assert.equal(v.startMs, T0 + 1);
    assert.equal(c.store.run(traceIdOf(1))?.serviceName, 'test-service');
    const j = await postTraces(endpoint, gzipSync(jsonRequest([span(2)])), 'application/json; charset=utf-8', { 'content-encoding': 'gzip' });
    assert.equal(j.status, 200);
    assert.equal(c.store.stats().spans, 2);
  });
});

test('400 for malformed bodies, with a message, and nothing of the batch stored', async () => {
  await withCollector({}, async (c, endpoint) => {
    const cases: [string | Buffer, string, RegExp][] = [
      ['{"resourceSpans": [', 'application/json', /invalid JSON/],
      ['[1,2]', 'application/json', /JSON object/],
      [JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [jsonSpan(span(1))] }] }, 'nope'] }), 'application/json', /resourceSpans\[1\]/],
      [JSON.stringify({ resourceSpans: { a: 1 } }), 'application/json', /must be an array/],
      [Buffer.concat([protoRequest([protoSpan(span(1))]), Buffer.from([0x0a, 0x50, 0x01])]), 'application/x-protobuf', /truncated/],
      [gzipSync('{}').subarray(0, 10), 'application/json', /invalid gzip/],
    ];
    for (const [body, type, message] of cases) {
      const gz = message.source.includes('gzip');
      const r = await postTraces(endpoint, body, type, gz ? { 'content-encoding': 'gzip' } : {});
      assert.equal(r.status, 400, `${message}: ${r.text}`);
      const status = type === 'application/json' ? (JSON.parse(r.text) as { message: string }).message : r.body.subarray(4).toString('latin1');
      assert.match(status, message);
    }
    assert.equal(c.store.stats().spans, 0);
    assert.equal(c.store.stats().traces, 0);
  });
});

test('413 for a body, or a decompressed body, above the limit (gzip bomb); 415; 404; 405', async () => {
  await withCollector({ maxBodyBytes: 64 * 1024 }, async (c, endpoint) => {
    const big = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(100_000) });
    assert.equal((await postTraces(endpoint, big)).status, 413);
    // Chunked upload without Content-Length.
    const chunked = await httpRequest(endpoint, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big });
    assert.equal(chunked.status, 413);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 64 * 1024);
    const b = await postTraces(endpoint, bomb, 'application/json', { 'content-encoding': 'gzip' });
    assert.equal(b.status, 413);
    assert.match(b.text, /decompressed/);
    assert.equal((await postTraces(endpoint, '{}', 'text/plain')).status, 415);
    assert.equal((await postTraces(endpoint, '{}', 'application/json', { 'content-encoding': 'br' })).status, 415);
    // /v1/metrics is served now (issue 16): without a Content-Type it is refused as the traces path refuses it.
    assert.equal((await httpRequest(endpoint, '/v1/metrics', { method: 'POST', body: '{}' })).status, 415);
    assert.equal((await httpRequest(endpoint, '/v1/profiles', { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await httpRequest(endpoint, '/nope')).status, 404);
    const get = await httpRequest(endpoint, '/v1/traces');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await httpRequest(endpoint, '/api/runs', { method: 'DELETE' })).status, 405);
    // Still serving after all that.
    assert.equal((await postTraces(endpoint, jsonRequest([span(1)]))).status, 200);
    assert.equal(c.store.stats().spans, 1);
  });
});
