import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTraceIds, parseTraceIdInput } from '../../../src/views/traceIds';

const ID = '4bf92f3577b34da6a3ce929d0e0e4736';

test('finds trace ids in program output, with their offsets', () => {
  const line = `trace ${ID} · failed (trace ${ID.toUpperCase()})`;
  const found = findTraceIds(line);
  assert.equal(found.length, 2);
  assert.deepEqual(found[0], { traceId: ID, start: 6, length: 32 });
  assert.equal(found[1]!.traceId, ID);
  assert.equal(line.slice(found[1]!.start, found[1]!.start + 32).toLowerCase(), ID);
});

test('ignores longer hex runs, span ids, words and the all-zero id', () => {
  assert.deepEqual(findTraceIds(`${ID}ab`), []);
  assert.deepEqual(findTraceIds(`x${ID}`), []);
  assert.deepEqual(findTraceIds('00f067aa0ba902b7'), []);
  assert.deepEqual(findTraceIds('0'.repeat(32)), []);
  assert.equal(findTraceIds(`"trace_id":"${ID}"`).length, 1);
});

test('parses what users paste: bare id, traceparent, a log line', () => {
  assert.equal(parseTraceIdInput(`  ${ID.toUpperCase()} `), ID);
  assert.equal(parseTraceIdInput(`00-${ID}-00f067aa0ba902b7-01`), ID);
  assert.equal(parseTraceIdInput(`error … (trace ${ID})`), ID);
  assert.equal(parseTraceIdInput('not an id'), undefined);
});

test('a 16-digit trace id counts with a trace_id label (the support-ticket logs), padded to 32 digits', () => {
  const line = 'GET /orders 500 trace_id:d572232a8fed45fa span 00f067aa0ba902b7';
  const [m, ...rest] = findTraceIds(line);
  assert.deepEqual(m, { traceId: '0000000000000000d572232a8fed45fa', start: line.indexOf('d572'), length: 16 });
  assert.deepEqual(rest, [], 'the span id has no label');
  assert.equal(findTraceIds('{"traceId": "D572232A8FED45FA"}')[0]?.traceId, '0000000000000000d572232a8fed45fa');
  assert.deepEqual(findTraceIds('trace_id:0000000000000000'), []);
  assert.deepEqual(findTraceIds('trace_id:d572232a8fed45fa0'), [], 'seventeen digits are not an id');
  const both = findTraceIds(`trace ${ID} then trace_id=d572232a8fed45fa`);
  assert.deepEqual(both.map((x) => x.length), [32, 16]);
  assert.equal(parseTraceIdInput('d572232a8fed45fa'), '0000000000000000d572232a8fed45fa');
  assert.equal(parseTraceIdInput('trace_id:d572232a8fed45fa'), '0000000000000000d572232a8fed45fa');
});
