import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { attrType, spanDetails } from '../../../src/timelineModel/spanDetails';
import { span, treeOf } from './spanFixtures';

void test('details: fields, typed attributes, exceptions with stack, log lines, resource', () => {
  const s = span('s', undefined, 1000, 1250, { 'instrument_first.kind': 'step', 'procedure.id': 'x', count: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] }, {
    status: 'error',
    statusMessage: 'boom',
    events: [
      { name: 'log', timeMs: 1010, attributes: { 'log.severity': 'warn', 'log.message': 'retrying', attempt: 2 } },
      { name: 'exception', timeMs: 1200, attributes: { 'exception.type': 'Error', 'exception.message': 'boom', 'exception.stacktrace': 'Error: boom\n    at x (a.ts:1:1)' } },
      { name: 'checkpoint', timeMs: 1100, attributes: { n: 1 } },
    ],
  });
  const d = spanDetails(treeOf([s]), 0, { 'service.name': 'demo' })!;
  assert.equal(d.title, 's');
  assert.ok(d.fields.some((f) => f.key === 'status' && f.value === 'error: boom'));
  assert.ok(d.fields.some((f) => f.key === 'duration' && f.value === '250 ms'));
  assert.deepEqual(
    d.attributes.map((a) => `${a.key}:${a.type}`),
    ['count:int', 'instrument_first.kind:string', 'ok:bool', 'procedure.id:string', 'ratio:double', 'tags:string[]'],
  );
  assert.deepEqual(d.logs, [{ atMs: '+10 ms', severity: 'warn', message: 'retrying', fields: 'attempt=2' }]);
  assert.equal(d.exceptions[0]!.stack, 'Error: boom\n    at x (a.ts:1:1)');
  assert.equal(d.events[0]!.name, 'checkpoint');
  assert.deepEqual(d.resource, [{ key: 'service.name', value: 'demo', type: 'string' }]);
  assert.equal(d.hasCode, true);
});

void test('attribute types', () => {
  assert.equal(attrType([1, 2]), 'int[]');
  assert.equal(attrType([1, 'a'] as unknown as number[]), 'array');
  assert.equal(attrType([]), 'array');
});

void test('details: links (in this run or another trace), span kind, trace state, flags, and the OTLP value kinds typed', () => {
  const a = span('a', undefined, 1000, 1100, { big: { kind: 'int', value: '9223372036854775807' }, whole: { kind: 'double', value: '3' }, map: { kind: 'kvlist', keys: ['k'], values: [[1, 2]] }, none: { kind: 'empty' } }, {
    kind: 4,
    traceState: 'congo=1',
    flags: 0x301,
    links: [
      { traceId: 't1', spanId: 'b', attributes: { why: 'batch' } },
      { traceId: 't1', spanId: 'not-here', attributes: {} },
      { traceId: 'other', spanId: 'b', traceState: 'x=y', flags: 1, attributes: {} },
    ],
  });
  const b = span('b', 'a', 1010, 1020, {});
  const tree = treeOf([a, b]);
  const d = spanDetails(tree, 0)!;
  assert.deepEqual(d.fields.filter((f) => ['span kind', 'trace state', 'flags'].includes(f.key)).map((f) => f.value), ['producer', 'congo=1', '0x301 sampled remote parent']);
  assert.deepEqual(d.attributes.map((x) => `${x.key}=${x.value}:${x.type}`), ['big=9223372036854775807:int', 'map={"k": [1,2]}:kvlist', 'none=:empty', 'whole=3:double']);
  assert.deepEqual(d.links.map((l) => [l.spanId, l.inThisRun, l.node === -1 ? -1 : tree.spanId(l.node), l.traceState, l.flags]), [
    ['b', true, 'b', '', ''],
    ['not-here', false, -1, '', ''],
    ['b', false, -1, 'x=y', '0x01 sampled'],
  ]);
  assert.equal(attrType({ kind: 'bytes', base64: 'AA==' }), 'bytes');
});
