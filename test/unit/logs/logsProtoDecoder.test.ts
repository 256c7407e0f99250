// Edge cases of the protobuf log record decoder's fast paths (ids read straight from the bytes, the
// severity of the previous record reused): built by hand with field numbers from
// opentelemetry/proto/logs/v1/logs.proto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { toLogView } from '../../../src/collector/logs/logRecord';
import { decodeOtlpLogsProto } from '../../../src/collector/logs/otlpLogsDecoder';
import { fixed64, keyValue, len, str, tag, varint } from '../collector/protoWriter';

type Bytes = number[];
const TRACE = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
const SPAN = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');

function record(o: { sev?: number; text?: string; body?: string; trace?: Buffer; span?: Buffer; attrs?: [string, string | number][] }): Bytes {
  return [
    ...fixed64(1, 1_763_000_000_000_000_000n),
    ...(o.sev !== undefined ? [...tag(2, 0), ...varint(o.sev)] : []),
    ...(o.text !== undefined ? str(3, o.text) : []),
    ...(o.body !== undefined ? len(5, [...str(1, o.body)]) : []),
    ...(o.attrs ?? []).flatMap(([k, v]) => len(6, keyValue(k, v))),
    ...(o.trace ? len(9, o.trace) : []),
    ...(o.span ? len(10, o.span) : []),
  ];
}

function request(records: Bytes[]): Buffer {
  const resource = len(1, len(1, keyValue('service.name', 'svc')));
  return Buffer.from(len(1, [...resource, ...len(2, [...len(1, str(1, 'scope')), ...records.flatMap((r) => len(2, r))])]));
}

test('protobuf log records: ids from the bytes (all-zero ids are no trace context), severities told apart by number and text', () => {
  const decoded = decodeOtlpLogsProto(
    request([
      record({ sev: 9, text: 'INFO', body: 'a', trace: TRACE, span: SPAN, attrs: [['k', 'v'], ['n', 3]] }),
      record({ sev: 9, text: 'info', body: 'b', trace: TRACE }),
      record({ sev: 9, text: 'info', body: 'c', trace: Buffer.alloc(16), span: SPAN }),
      record({ sev: 13, text: 'info', body: 'd', trace: TRACE, span: Buffer.alloc(8) }),
      record({ sev: 13, body: 'e' }),
      record({ sev: 13, text: 'WARN', body: 'f' }),
    ]),
    new DecodeContext(),
  );
  assert.equal(decoded.rejected, 0);
  assert.deepEqual(
    decoded.records.map(toLogView).map((v) => [v.body, v.severityNumber, v.severityText, v.traceId ?? '', v.spanId ?? '', v.serviceName, v.scopeName]),
    [
      ['a', 9, 'INFO', TRACE.toString('hex'), SPAN.toString('hex'), 'svc', 'scope'],
      ['b', 9, 'info', TRACE.toString('hex'), '', 'svc', 'scope'],
      ['c', 9, 'info', '', '', 'svc', 'scope'],
      ['d', 13, 'info', TRACE.toString('hex'), '', 'svc', 'scope'],
      ['e', 13, '', '', '', 'svc', 'scope'],
      ['f', 13, 'WARN', '', '', 'svc', 'scope'],
    ],
  );
  assert.deepEqual(toLogView(decoded.records[0]!).attributes, { k: 'v', n: 3 });
});

test('protobuf log records: a wrong-length id is a rejected record, a truncated attribute refuses the request', () => {
  const decoded = decodeOtlpLogsProto(request([record({ body: 'ok', trace: TRACE }), record({ body: 'bad', trace: Buffer.alloc(5, 1) })]), new DecodeContext());
  assert.equal(decoded.records.length, 1);
  assert.equal(decoded.rejected, 1);
  assert.match(decoded.firstError, /trace_id must be 16 bytes/);
  // An attribute whose value claims 100 bytes but has 1.
  const broken = [...fixed64(1, 1n), ...tag(6, 2), ...varint(6), ...str(1, 'k'), ...tag(2, 2), ...varint(100), 0x0a];
  assert.throws(() => decodeOtlpLogsProto(request([broken]), new DecodeContext()));
});
