import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonBytes, indexOtlpJson, scanOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import type { DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { toSpanView } from '../../../src/collector/store/spanRecord';
import { jsonRequest, planRun, prng } from './helpers';

function views(b: DecodedBatch): unknown {
  return { rejected: b.rejected, spans: b.spans.map((s) => ({ ...toSpanView(s), service: s.origin.serviceName, scope: s.origin.scopeName, kind: s.spanKind })) };
}

const base = planRun(1, 'scan', [[['a', 3, ['x', 'y']], ['b', 2, []]], []]);
const doc = JSON.parse(jsonRequest(base)) as { resourceSpans: { resource: unknown; scopeSpans: { scope: unknown; spans: Record<string, unknown>[] }[] }[] };

test('the byte scanner and the JSON.parse path decode the same bodies to the same spans', () => {
  const variants: string[] = [
    jsonRequest(base),
    JSON.stringify(doc, null, 2), // whitespace everywhere
    // Members in another order, scope and resource after the spans, numbers for times, uppercase ids.
    JSON.stringify({
      resourceSpans: doc.resourceSpans.map((rs) => ({
        scopeSpans: rs.scopeSpans.map((ss) => ({
          spans: ss.spans.map((sp) => ({ ...Object.fromEntries(Object.entries(sp).reverse()), traceId: String(sp.traceId).toUpperCase(), startTimeUnixNano: Number(sp.startTimeUnixNano) })),
          scope: { version: '9', name: 'late' },
        })),
        resource: rs.resource,
        extra: [1, { a: null }, 'x\\"y', 2.5e-3, true, false],
      })),
      unknownTop: { deep: [[[]]] },
    }),
    // Escapes, unicode, nested values, odd members: partly or wholly on the slow path.
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...doc.resourceSpans[0]!.scopeSpans[0]!.spans[0]!, name: 'é "quoted"\n', attributes: [{ key: 'k\u00e9', value: { stringValue: 'ünïcode ✓' } }, { key: 'arr', value: { arrayValue: { values: [{ intValue: 1 }, { intValue: '2' }] } } }, { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } }, { key: 'd', value: { doubleValue: -0.5 } }, { key: 'i', value: { intValue: -7 } }, { key: 'empty', value: {} }, { key: 'none', value: null }] }] }] }] }),
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...doc.resourceSpans[0]!.scopeSpans[0]!.spans[1]!, spanId: '00', parentSpanId: '' }, { ...doc.resourceSpans[0]!.scopeSpans[0]!.spans[2]!, traceId: '0'.repeat(32) }, { ...doc.resourceSpans[0]!.scopeSpans[0]!.spans[3]!, kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR' } }] }] }] }),
    '{}',
    '{"resourceSpans":[]}',
    '{"resourceSpans":null}',
  ];
  for (const text of variants) {
    const a = new SpanStore().decodeContext;
    const b = new SpanStore().decodeContext;
    const scanned = scanOtlpJson(Buffer.from(text), a) ?? decodeOtlpJson(text, a);
    assert.deepEqual(views(scanned), views(decodeOtlpJson(text, b)), text.slice(0, 200));
  }
  // The fast path really is taken for what exporters send.
  assert.ok(scanOtlpJson(Buffer.from(jsonRequest(base)), new SpanStore().decodeContext));
});

test('the scanner never accepts what JSON.parse refuses, and agrees on random mutations', () => {
  const rnd = prng(99);
  const seed = Buffer.from(jsonRequest(base));
  for (let i = 0; i < 2000; i++) {
    const m = Buffer.from(seed);
    for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) m[Math.floor(rnd() * m.length)] = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x30, 0x41, 0x20][Math.floor(rnd() * 10)]!;
    const text = m.toString('utf8');
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    const scanned = scanOtlpJson(m, new SpanStore().decodeContext);
    if (!valid) assert.equal(scanned, undefined, `accepted invalid JSON: ${text}`);
    else if (scanned) {
      let expected: unknown;
      try {
        expected = views(decodeOtlpJson(text, new SpanStore().decodeContext));
      } catch {
        expected = 'malformed';
      }
      assert.deepEqual(views(scanned), expected);
    }
  }
});

/** A request of one span of `base` with the given attributes (OTLP/JSON KeyValues). */
function withAttributes(attributes: unknown[], name?: string): string {
  const sp = doc.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  return JSON.stringify({ resourceSpans: [{ resource: doc.resourceSpans[0]!.resource, scopeSpans: [{ scope: { name: 's' }, spans: [{ ...sp, ...(name === undefined ? {} : { name }), attributes }] }] }] });
}

test('strings of every length and content: the index finds their ends (quotes, escapes, long strings) as JSON.parse does', () => {
  const rnd = prng(7);
  // Around the 4-byte steps and the 64-byte switch to native search; quotes and backslashes anywhere.
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '/', 'é', '✓', '😀', '\n', '\u0001', '{', '}', ',', ':'];
  for (let i = 0; i < 400; i++) {
    const len = i < 140 ? i : Math.floor(rnd() * 400);
    let s = '';
    for (let j = 0; j < len; j++) s += rnd() < 0.9 ? 'abcdefghij'[Math.floor(rnd() * 10)] : alphabet[Math.floor(rnd() * alphabet.length)];
    const text = withAttributes([
      { key: 'k', value: { stringValue: s } },
      { key: 'after', value: { stringValue: `x${s.length}` } },
      { key: 'n', value: { intValue: len } },
    ]);
    const a = new SpanStore().decodeContext;
    const scanned = scanOtlpJson(Buffer.from(text), a);
    // Escaped values are parsed one by one: the body stays on the fast path.
    assert.ok(scanned, `fell back for ${JSON.stringify(s)}`);
    assert.deepEqual(views(scanned), views(decodeOtlpJson(text, new SpanStore().decodeContext)), JSON.stringify(s));
  }
});

test('what exporters send is indexed as integers: no per-span value crosses from a decode worker as an object', () => {
  const ctx = new SpanStore().decodeContext;
  const text = withAttributes([
    { key: 'url.full', value: { stringValue: 'https://example.com/?id=1' } },
    { key: 'http.response.status_code', value: { intValue: 200 } },
    { key: 'retry.count', value: { intValue: '0' } },
    { key: 'cached', value: { boolValue: false } },
    { key: 'empty', value: {} },
  ]);
  const ix = indexOtlpJson(Buffer.from(text), ctx);
  assert.ok(ix);
  assert.equal(ix.idText, true);
  assert.deepEqual(ix.other, []);
  // Doubles, int64 beyond 2^53, arrays and escaped strings are values of their own.
  const odd = indexOtlpJson(Buffer.from(withAttributes([{ key: 'd', value: { doubleValue: 2.5 } }, { key: 'i', value: { intValue: '9223372036854775807' } }, { key: 'e', value: { stringValue: 'a"b' } }, { key: 'a', value: { arrayValue: { values: [{ intValue: 1 }] } } }])), ctx);
  assert.deepEqual(odd?.other, [2.5, { kind: 'int', value: '9223372036854775807' }, 'a"b', [1]]);
});

test('members in any order, and ids the index does not read (uppercase, base64), decode as JSON.parse does', () => {
  const sp = doc.resourceSpans[0]!.scopeSpans[0]!.spans[1]!;
  const reversed = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [Object.fromEntries(Object.entries(sp).reverse())] }] }] });
  assert.ok(scanOtlpJson(Buffer.from(reversed), new SpanStore().decodeContext), 'reordered members stay on the fast path');
  const b64 = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...sp, spanId: Buffer.from(String(sp.spanId), 'hex').toString('base64') }] }] }] });
  const upper = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...sp, parentSpanId: String(sp.parentSpanId).toUpperCase() }] }] }] });
  for (const text of [reversed, b64, upper]) {
    assert.deepEqual(views(decodeOtlpJsonBytes(Buffer.from(text), new SpanStore().decodeContext)), views(decodeOtlpJson(reversed, new SpanStore().decodeContext)));
  }
});

test('keys and repeated values remembered place by place: one that is a prefix of another, or changes, is not mistaken for it', () => {
  const sp = doc.resourceSpans[0]!.scopeSpans[0]!.spans;
  const kv = (key: string, v: string): unknown => ({ key, value: { stringValue: v } });
  const lists = [
    [kv('k', 'v'), kv('kk', 'vv')],
    [kv('kk', 'vv'), kv('k', 'v')],
    [kv('k', 'vv'), kv('kk', 'v')],
    [kv('k', 'v'), kv('k', 'v'), kv('kk', '')],
    [kv('', 'v'), kv('k', 'v"')],
    [kv('k', 'v'), kv('kk', 'vv')],
  ];
  const spans = lists.map((attributes, i) => ({ ...sp[i % sp.length]!, attributes }));
  const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  const scanned = scanOtlpJson(Buffer.from(text), new SpanStore().decodeContext);
  assert.ok(scanned);
  assert.deepEqual(views(scanned), views(decodeOtlpJson(text, new SpanStore().decodeContext)));
});

test('one-off string values found to be all ASCII are marked so, and only they: every value comes back exact', () => {
  const sp = doc.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  // One non-ASCII character at every place of values around the 4-byte steps and the 64-byte
  // switch to native search, beside all-ASCII values of the same lengths; each value is new (a
  // range of the body, not a dictionary id).
  const values: string[] = [];
  for (let len = 1; len <= 70; len++) {
    values.push('a'.repeat(len));
    for (let at = 0; at < len; at += len > 12 ? 5 : 1) for (const ch of ['é', '✓', '😀', '\u007f']) values.push(`${'b'.repeat(at)}${ch}${'c'.repeat(Math.max(0, len - at - 1))}`);
  }
  const spans = values.map((v, i) => ({ ...sp, spanId: (0x1000 + i).toString(16).padStart(16, '0'), attributes: [{ key: 'one.off', value: { stringValue: `${v}#${i}` } }] }));
  const text = JSON.stringify({ resourceSpans: [{ resource: doc.resourceSpans[0]!.resource, scopeSpans: [{ scope: { name: 's' }, spans }] }] });
  const ctx = new SpanStore().decodeContext;
  const body = Buffer.from(text);
  const ix = indexOtlpJson(body, ctx);
  assert.ok(ix);
  let marked = 0;
  for (let i = 0; i < ix.values.length; i += 2) {
    const [at, len] = [ix.values[i]!, ix.values[i + 1]!];
    if (at < 0) continue;
    const n = len < 0 ? -1 - len : len;
    const ascii = !/[^\u0000-\u007f]/.test(body.toString('utf8', at, at + n));
    // Short ones are scanned here and marked when ASCII; longer ones (native search) are not known.
    if (len < 0) {
      assert.ok(ascii, `marked ASCII but is not: ${body.toString('utf8', at, at + n)}`);
      marked++;
    } else assert.ok(!ascii || n >= 60, `ASCII not marked: ${body.toString('utf8', at, at + n)}`);
  }
  assert.ok(marked > 50, `${marked} marked`);
  const scanned = scanOtlpJson(body, ctx);
  assert.ok(scanned);
  assert.deepEqual(
    scanned.spans.map((s) => s.values[0]),
    values.map((v, i) => `${v}#${i}`),
  );
  assert.deepEqual(views(scanned), views(decodeOtlpJson(text, new SpanStore().decodeContext)));
});
