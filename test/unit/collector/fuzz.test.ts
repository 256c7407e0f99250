import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { DecodeError, SpanStore } from '../../../src/collector';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import type { DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { jsonRequest, planRun, postTraces, prng, withCollector } from './helpers';
import { protoRequest, protoSpan, len, str, tag } from './protoWriter';

const seedSpans = planRun(1, 'fuzz', [[['a', 3, ['x', 'y']], ['b', 2, []]], []]).map((s) => ({ ...s, attributes: { ...s.attributes, n: 5, d: 0.5, t: true } }));
const seedJson = Buffer.from(jsonRequest(seedSpans));
// Extra nesting to reach array/kvlist decoding paths.
const nested = len(9, [...str(1, 'deep'), ...len(2, len(5, [...len(1, str(1, 'x')), ...len(1, len(6, len(1, [...str(1, 'k'), ...len(2, [...tag(2, 0), 1])])))]))]);
const seedProto = protoRequest(seedSpans.map((s, i) => (i === 0 ? [...protoSpan(s), ...nested] : protoSpan(s))));

function mutate(buf: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(buf);
  const kind = Math.floor(rnd() * 5);
  if (kind === 0) return out.subarray(0, Math.floor(rnd() * out.length)); // truncate
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * out.length);
    if (kind === 1) out[at] = Math.floor(rnd() * 256); // random byte
    else if (kind === 2) out[at] = out[at]! ^ (1 << Math.floor(rnd() * 8)); // bit flip
    else if (kind === 3) out[at] = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x30, 0xff, 0x80][Math.floor(rnd() * 10)]!; // structural bytes
    else return Buffer.concat([out.subarray(0, at), out.subarray(Math.floor(rnd() * out.length))]); // splice
  }
  return out;
}

function randomBytes(rnd: () => number): Buffer {
  const b = Buffer.alloc(Math.floor(rnd() * 300));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

function checkBatch(batch: DecodedBatch): void {
  for (const s of batch.spans) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.ok(s.parentSpanId === '' || /^[0-9a-f]{16}$/.test(s.parentSpanId));
    assert.ok(s.endMs >= s.startMs && s.startMs > 0);
    assert.equal(s.keys.length, s.values.length);
  }
}

/** Decoding either yields valid spans or throws DecodeError: never another exception. */
function decodeSafely(fn: () => DecodedBatch): 'ok' | 'malformed' {
  try {
    checkBatch(fn());
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return 'malformed';
    throw e;
  }
}

test('fuzz: mutated, truncated and random JSON and protobuf bodies never crash the decoders', () => {
  const rnd = prng(12345);
  const store = new SpanStore();
  const outcomes = { ok: 0, malformed: 0 };
  for (let i = 0; i < 3000; i++) {
    const j = i % 3 === 0 ? randomBytes(rnd) : mutate(seedJson, rnd);
    outcomes[decodeSafely(() => decodeOtlpJson(j.toString('utf8'), store.decodeContext))]++;
    const p = i % 3 === 0 ? randomBytes(rnd) : mutate(seedProto, rnd);
    outcomes[decodeSafely(() => decodeOtlpProto(p, store.decodeContext))]++;
  }
  assert.ok(outcomes.ok > 100 && outcomes.malformed > 100, JSON.stringify(outcomes));
  // Well-formed but hostile: deep nesting, huge declared lengths, wrong types everywhere.
  const deep = '{"resourceSpans":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
  assert.equal(decodeSafely(() => decodeOtlpJson(deep, store.decodeContext)), 'malformed');
  let deepProto: number[] = [...tag(1, 2), 0];
  for (let d = 0; d < 40; d++) deepProto = len(5, len(1, deepProto));
  const deepSpan = protoRequest([[...protoSpan(seedSpans[0]!), ...len(9, [...str(1, 'k'), ...len(2, deepProto)])]]);
  // Nesting deeper than the cap is kept down to the cap, the rest as a marker (see fidelity.test.ts).
  assert.equal(decodeSafely(() => decodeOtlpProto(deepSpan, store.decodeContext)), 'ok');
  assert.equal(decodeSafely(() => decodeOtlpProto(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), store.decodeContext)), 'malformed');
  assert.equal(decodeSafely(() => decodeOtlpProto(Buffer.from([0x0b, 0x01]), store.decodeContext)), 'malformed');
  for (const weird of ['null', '1', '"x"', '{"resourceSpans":[{"scopeSpans":[{"spans":[1,"x",null,[],{"traceId":5}]}]}]}', '{"resourceSpans":[{"resource":5}]}']) {
    decodeSafely(() => decodeOtlpJson(weird, store.decodeContext));
  }
  assert.equal(decodeSafely(() => decodeOtlpProto(seedProto, store.decodeContext)), 'ok');
});

test('fuzz over HTTP: every answer is 200/400/413/415, a refused body stores nothing, the server stays up', async () => {
  await withCollector({ maxBodyBytes: 256 * 1024 }, async (c, endpoint) => {
    const rnd = prng(777);
    for (let i = 0; i < 150; i++) {
      const proto = rnd() < 0.5;
      let body = mutate(proto ? seedProto : seedJson, rnd);
      const headers: Record<string, string> = {};
      const r = rnd();
      if (r < 0.2) {
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      } else if (r < 0.3) {
        body = mutate(gzipSync(body), rnd); // corrupt gzip
        headers['content-encoding'] = 'gzip';
      }
      const before = c.store.stats().spans;
      const res = await postTraces(endpoint, body, proto ? 'application/x-protobuf' : 'application/json', headers);
      assert.ok([200, 400, 413, 415].includes(res.status), `status ${res.status}`);
      if (res.status !== 200) assert.equal(c.store.stats().spans, before, 'refused request stored nothing');
    }
    const ok = await postTraces(endpoint, seedJson);
    assert.equal(ok.status, 200);
  });
});
