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
