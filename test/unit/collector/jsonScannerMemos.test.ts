// The JSON scanner's fast paths: its memos, text compared whole with what the same place of the last spans held
// (an attribute's `{"key":"…","value":` and `{"stringValue":"…"}}`, and a span's text after its
// attributes), times read four digits at a time and strings up to 256 bytes scanned in JS. Each case puts a near miss right after the text it could be mistaken for, and checks
// the full OTLP export against the JSON.parse path, with the fast path taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonBytes, indexOtlpJson, scanOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import { fourDigits, fourHexDigits, fourValue } from '../../../src/collector/ingest/jsonByteReader';
import { DecodeContext, type DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { decodeLimits, type DecodeLimits } from '../../../src/collector/store/otlpValues';
import { encodeOtlpJson } from '../../../src/collector/store/otlpJsonEncoder';

/** A batch's full meaning: its OTLP export and what was refused (the two paths name a refused span's place differently). */
function full(b: DecodedBatch): unknown {
  return { rejected: b.rejected, firstError: b.firstError.replace(/^[^:]*: /, ''), otlp: JSON.parse(encodeOtlpJson(b.spans)) as unknown };
}

function context(limits?: Partial<DecodeLimits>): DecodeContext {
  const ctx = new DecodeContext();
  if (limits) ctx.limits = decodeLimits(limits);
  return ctx;
}

/** Asserts that the scanner takes `text` on its fast path and decodes it as JSON.parse does. */
function agrees(text: string, limits?: Partial<DecodeLimits>): DecodedBatch {
  JSON.parse(text); // the case itself is valid JSON
  const scanned = scanOtlpJson(Buffer.from(text), context(limits));
  assert.ok(scanned, `fell back: ${text.slice(0, 300)}`);
  assert.deepEqual(full(scanned), full(decodeOtlpJson(text, context(limits))), text.slice(0, 300));
  return scanned;
}

const id = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, '0');

/** A span written as raw text: `head` members before the attributes, then the attributes, then `tail` (which closes it). */
function span(i: number, attributes: string, tail: string, head = ''): string {
  return `{"traceId":"${id(7, 16)}","spanId":"${id(0x100 + i, 8)}","parentSpanId":"${id(1, 8)}","name":"s${i % 3}","kind":1,"startTimeUnixNano":"1763000000000000${i % 10}00","endTimeUnixNano":"1763000000001000000",${head}"attributes":[${attributes}]${tail}`;
}

function request(spans: string[], after = ''): string {
  return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[${spans.join(',')}]}]}]${after}}`;
}

const EXPORTER_TAIL = ',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{"code":0},"links":[],"droppedLinksCount":0,"flags":257}';

test("a span's text after its attributes, as the last span's: taken whole, and only when every byte is the same", () => {
  const attrs = '{"key":"a","value":{"intValue":1}}';
  const tails = [
    EXPORTER_TAIL,
    EXPORTER_TAIL,
    EXPORTER_TAIL.replace('257', '256'),
    EXPORTER_TAIL.replace('257', '2570'),
    EXPORTER_TAIL.replace('257', '2570'),
    EXPORTER_TAIL.replace('"droppedAttributesCount":0', '"droppedAttributesCount":3'),
    EXPORTER_TAIL.replace('"droppedAttributesCount":0', '"droppedAttributesCount":3'),
    EXPORTER_TAIL.replace('"code":0', '"code":2'),
    EXPORTER_TAIL.replace('"code":0', '"code":2'),
    EXPORTER_TAIL.replace('"status":{"code":0}', '"status":{"code":2,"message":"boom"}'),
    EXPORTER_TAIL.replace('"status":{"code":0}', '"status":{"code":2,"message":"boom"}'),
    EXPORTER_TAIL.replace('"events":[]', '"events":[{"name":"e","timeUnixNano":"5"}]'),
    EXPORTER_TAIL.replace('"events":[]', '"events":[{"name":"e","timeUnixNano":"5"}]'),
    EXPORTER_TAIL.replace('"links":[]', `"links":[{"traceId":"${id(9, 16)}","spanId":"${id(9, 8)}"}]`),
    EXPORTER_TAIL.replace('"links":[]', `"links":[{"traceId":"${id(9, 16)}","spanId":"${id(9, 8)}"}]`),
    EXPORTER_TAIL.replace('"links":[]', '"links":null'),
    EXPORTER_TAIL.replace('"links":[]', '"links":null'),
    ' , "flags" : 1 }',
    ' , "flags" : 1 }',
    ',"unknown":{"a":[1]},"flags":1}',
    ',"unknown":{"a":[1]},"flags":1}',
    ',"traceState":"a=b"}',
    ',"traceState":"a=b"}',
    ',"droppedEventsCount":"4","droppedLinksCount":"5"}',
    ',"droppedEventsCount":"4","droppedLinksCount":"5"}',
    '}',
    '}',
  ];
  agrees(request(tails.map((t, i) => span(i, attrs, t))));
});

test('a remembered tail replays only what its text sets; a member repeated before it leaves the fast path', () => {
  const attrs = '{"key":"a","value":{"stringValue":"x"}}';
  // Members before the attributes that the tail does not name keep their values.
  const cases: [string, string][] = [
    ['"flags":7,', ',"droppedAttributesCount":0}'],
    ['"flags":9,', ',"droppedAttributesCount":0}'],
    ['"status":{"code":2,"message":"m"},', ',"droppedEventsCount":1}'],
    ['"status":{"code":1},', ',"droppedEventsCount":1}'],
    ['"events":[{"name":"early","timeUnixNano":"3"}],', ',"links":[]}'],
    ['"events":[{"name":"early","timeUnixNano":"4"}],', ',"links":[]}'],
    ['"droppedLinksCount":2,', ',"status":{},"flags":1}'],
    ['"droppedLinksCount":6,', ',"status":{},"flags":1}'],
  ];
  agrees(request(cases.map(([head, tail], i) => span(i, attrs, tail, head))));
  // The same member before and after the attributes (JSON.parse keeps the last): decoded as
  // JSON.parse does, whether the tail was remembered or not.
  const repeated: [string, string][] = [
    ['', ',"flags":1,"status":{"code":2}}'],
    ['"flags":7,', ',"flags":1,"status":{"code":2}}'],
    ['"status":{"code":1,"message":"m"},', ',"flags":1,"status":{"code":2}}'],
    ['', ',"flags":1,"status":{"code":2}}'],
    ['"events":[{"name":"early","timeUnixNano":"3"}],', ',"events":[]}'],
  ];
  const text = request(repeated.map(([head, tail], i) => span(i, attrs, tail, head)));
  assert.equal(scanOtlpJson(Buffer.from(text), context()), undefined);
  assert.deepEqual(full(decodeOtlpJsonBytes(Buffer.from(text), context())), full(decodeOtlpJson(text, context())));
  for (const t of [span(0, attrs, `,"flags":1,"attributes":[${attrs},${attrs}],"flags":2}`), span(0, attrs, ',"status":{"code":2},"status":{}}')]) {
    const one = request([span(1, attrs, ',"flags":2}'), t]);
    assert.equal(scanOtlpJson(Buffer.from(one), context()), undefined);
    assert.deepEqual(full(decodeOtlpJsonBytes(Buffer.from(one), context())), full(decodeOtlpJson(one, context())));
  }
});

test('a remembered tail longer than what is left of the body is not read past its end', () => {
  const attrs = '{"key":"a","value":{"intValue":1}}';
  // The first span's tail is long; the last span's is short and the body ends right after it.
  const long = `,"flags":1${' '.repeat(300)}}`;
  agrees(request([span(0, attrs, long), span(1, attrs, ',"flags":1}')]));
  agrees(request([span(0, attrs, long), span(1, attrs, long.slice(0, -2) + '}')]));
});

test('attributes remembered place by place: a key, a value or the brace after it that differs is read again', () => {
  const kv = (k: string, v: string): string => `{"key":"${k}","value":${v}}`;
  const s = (v: string): string => `{"stringValue":"${v}"}`;
  const lists = [
    [kv('k', s('v')), kv('n', '{"intValue":1}')],
    [kv('k', s('v')), kv('n', '{"intValue":1}')],
    [kv('k', s('vv')), kv('n', '{"intValue":2}')],
    [kv('k', s('v')), kv('n', '{"intValue":"3"}')],
    // The same value text, then another member in the same KeyValue: the last `value` counts.
    [`{"key":"k","value":${s('v')},"value":{"intValue":5}}`, kv('n', s('v'))],
    [`{"key":"k","value":${s('v')},"x":1}`, kv('n', s('v'))],
    [kv('k', s('v\\"')), kv('n', s('v'))],
    [kv('k', s('v')), kv('n', s('v'))],
    [kv('k', ' ' + s('v')), kv('n', s('v') + ' ')],
    [kv('kk', s('v')), kv('k', s('v'))],
    [kv('k', s('v')), kv('kk', s('v'))],
    [kv('k', s('é')), kv('n', s('é'))],
    [kv('k', s('é')), kv('n', s('è'))],
    [kv('k', '{"boolValue":true}'), kv('n', '{}')],
    [kv('k', s('v')), kv('n', 'null')],
    [kv('k', s('v')), `{"value":${s('v')},"key":"n"}`],
    [kv('k', s('v')), kv('n', s('v'))],
  ];
  agrees(request(lists.map((l, i) => span(i, l.join(','), EXPORTER_TAIL))));
});

test('a repeated value known by its text still counts against the span budget, and is cut when over it', () => {
  const v = 'abcdefghij'.repeat(3);
  const attrs = Array.from({ length: 8 }, (_, i) => `{"key":"k${i % 2}","value":{"stringValue":"${v}"}}`).join(',');
  const spans = Array.from({ length: 6 }, (_, i) => span(i, attrs, EXPORTER_TAIL));
  // 30-byte values, 100 bytes a span: the fourth value of each span and those after it are cut.
  const b = agrees(request(spans), { maxSpanBytes: 100 });
  assert.ok(JSON.stringify(full(b)).includes('truncated') || b.spans.some((s) => s.values.some((x) => typeof x === 'object')), 'values were cut');
});

test('ints and booleans remembered place by place: another number, sign, form or type at the same place is read again', () => {
  const kv = (k: string, v: string): string => `{"key":"${k}","value":${v}}`;
  const values = ['{"intValue":1}', '{"intValue":1}', '{"intValue":10}', '{"intValue":"1"}', '{"intValue":"1"}', '{"intValue":-1}', '{"intValue":-0}', '{"intValue":-0}', '{"intValue":2147483648}', '{"intValue":2147483648}', '{"intValue":"9223372036854775807"}', '{"intValue":1}', '{"boolValue":true}', '{"boolValue":true}', '{"boolValue":false}', '{"intValue":0}', '{"boolValue":false}', '{"doubleValue":1}', '{"doubleValue":1}', '{"stringValue":"1"}', '{"intValue":1} ', '{"intValue":1}'];
  const spans = values.map((v, i) => span(i, [kv('n', v), kv('b', values[(i + 3) % values.length]!)].join(','), EXPORTER_TAIL));
  agrees(request(spans));
});

test('remembered ints count 8 bytes against the span budget: past it they are cut as when read', () => {
  const attrs = Array.from({ length: 10 }, (_, i) => `{"key":"k${i}","value":{"intValue":${i % 3}}}`).join(',');
  const b = agrees(request(Array.from({ length: 5 }, (_, i) => span(i, attrs, EXPORTER_TAIL))), { maxSpanBytes: 44 });
  for (const s of b.spans) assert.equal(s.values.filter((x) => typeof x === 'number').length, 5);
});

test('19-digit times read four digits at a time: every place of a non-digit, and the edges of the range, as the digit loop', () => {
  const times: string[] = ['1763000000000000000', '0000000000000000000', '1000000000000000000', '9223372036854775807', '9999999999999999999', '1234567890123456789', '18446744073709551615', '184467440737095516150', '999999999999999999', '0999999999999999999'];
  for (let at = 0; at < 19; at++) for (const ch of ['/', ':', 'a', ' ', '-', '.', 'é']) times.push(`${'1763000000000000000'.slice(0, at)}${ch}${'1763000000000000000'.slice(at + 1)}`);
  for (const t of times) {
    for (const quoted of [true, false]) {
      const value = quoted ? JSON.stringify(t) : t;
      const text = request([span(0, '', EXPORTER_TAIL).replace('"startTimeUnixNano":"1763000000000000000"', `"startTimeUnixNano":${value}`)]);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const scanned = scanOtlpJson(Buffer.from(text), context());
      if (!valid) assert.equal(scanned, undefined, text);
      else if (scanned && !quoted && /^\d+$/.test(t) && Number(t) > Number.MAX_SAFE_INTEGER) {
        // A bare number beyond 2^53: the scanner keeps its digits, as for the string (JSON.parse would round them).
        assert.deepEqual(full(scanned), full(decodeOtlpJson(text.replace(`:${t}`, `:"${t}"`), context())), value);
      } else if (scanned) assert.deepEqual(full(scanned), full(decodeOtlpJson(text, context())), value);
      if (quoted && /^\d{19}$/.test(t)) assert.ok(scanned, `fell back for ${value}`);
    }
  }
});

test('four digits in one word: checked and valued for every byte at every place and every four-digit number', () => {
  for (let place = 0; place < 4; place++) {
    for (let byte = 0; byte < 256; byte++) {
      const w = Buffer.from('5555', 'latin1');
      w[place] = byte;
      const word = w.readUInt32LE(0);
      const digit = byte >= 0x30 && byte <= 0x39;
      assert.equal(fourDigits(word), digit, `byte ${byte} at ${place}`);
      if (digit) assert.equal(fourValue(word), Number(w.toString('latin1')));
    }
  }
  for (let n = 0; n < 10000; n++) {
    const w = Buffer.from(String(n).padStart(4, '0'), 'latin1').readUInt32LE(0);
    assert.ok(fourDigits(w));
    assert.equal(fourValue(w), n);
  }
});

test('fourHexDigits accepts exactly the lowercase hex digits, every byte value at every place of the word', () => {
  const hex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
  for (const fill of ['0', '9', 'a', 'f', '7']) {
    for (let place = 0; place < 4; place++) {
      for (let byte = 0; byte < 256; byte++) {
        const w = Buffer.from(fill.repeat(4), 'latin1');
        w[place] = byte;
        assert.equal(fourHexDigits(w.readUInt32LE(0)), hex(byte), `byte ${byte} at ${place} among '${fill}'`);
      }
    }
  }
  // Two bad bytes in one word, next to each other and apart (a carry from one must not hide the other).
  for (const [a, b] of [[0x2f, 0x67], [0xff, 0x30], [0x3a, 0x60], [0x40, 0x46]] as const) {
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      if (i === j) continue;
      const w = Buffer.from('0af9', 'latin1');
      w[i] = a;
      w[j] = b;
      assert.equal(fourHexDigits(w.readUInt32LE(0)), false, `${a} at ${i}, ${b} at ${j}`);
    }
  }
});

test('strings around the 256-byte switch to native search: ends, escapes and ASCII marks as JSON.parse reads them', () => {
  const sp: string[] = [];
  let i = 0;
  for (let len = 248; len <= 264; len++) {
    for (const ch of ['a', 'é', '"', '\\', '✓']) {
      for (const at of [0, len - 1, 251, 252, 253, 255, 256, 257]) {
        if (at >= len) continue;
        const v = `${'x'.repeat(at)}${ch}${'y'.repeat(len - at - 1)}`;
        sp.push(span(i++, `{"key":"long","value":{"stringValue":${JSON.stringify(v)}}},{"key":"after","value":{"stringValue":"z${len}"}}`, EXPORTER_TAIL));
      }
    }
  }
  const text = request(sp);
  const body = Buffer.from(text);
  const ix = indexOtlpJson(body, context());
  assert.ok(ix);
  for (let v = 0; v < ix.values.length; v += 2) {
    const [at, len] = [ix.values[v]!, ix.values[v + 1]!];
    if (at >= 0 && len < 0) assert.ok(!/[^\u0000-\u007f]/.test(body.toString('utf8', at, at - 1 - len)), 'marked ASCII but is not');
  }
  agrees(text);
});
