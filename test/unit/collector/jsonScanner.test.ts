import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStore } from '../../../src/collector';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { scanOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
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
