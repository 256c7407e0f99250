import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, SelectorSyntaxError } from '../../../src/testing/selector';
import { SpanIndex } from '../../../src/testing/spanMatch';
import type { SpanView } from '../../../src/protocol/spanView';

let n = 0;
function span(name: string, parent: SpanView | undefined, start: number, end: number, attributes: SpanView['attributes'] = {}, status: SpanView['status'] = 'unset'): SpanView {
  const s: SpanView = { traceId: 't', spanId: `s${++n}`, name, startMs: start, endMs: end, status, attributes, events: [] };
  if (parent) s.parentSpanId = parent.spanId;
  return s;
}

const root = span('plan p', undefined, 0, 1000, { 'instrument_first.kind': 'plan', 'plan.name': 'p' });
const p1 = span('pass 1', root, 0, 700, { 'instrument_first.kind': 'pass', 'plan.pass': 1 });
const a = span('a', p1, 0, 300, { 'instrument_first.kind': 'step', 'procedure.id': 'a', 'plan.pass': 1 });
const a1 = span('EC2 RunInstances', a, 10, 150, { 'instrument_first.kind': 'call', 'rpc.service': 'EC2', 'rpc.method': 'RunInstances', 'http.status': 200 });
const a2 = span('ELBv2 RegisterTargets', a, 150, 290, { 'instrument_first.kind': 'call', 'rpc.service': 'ELBv2', retries: 2 }, 'error');
const nested = span('n', a, 300, 400, { 'instrument_first.kind': 'step', 'procedure.id': 'n', 'plan.pass': 1 });
const deep = span('GET', nested, 310, 390, { 'http.request.method': 'GET', tags: ['x', 'y'] });
const b = span('b', p1, 400, 700, { 'instrument_first.kind': 'step', 'procedure.id': 'b', 'plan.pass': 1, flag: true });
const p2 = span('pass 2', root, 700, 1000, { 'instrument_first.kind': 'pass', 'plan.pass': 2 });
// Shuffled: the index orders by start.
const index = new SpanIndex([b, deep, root, a2, p2, a, nested, p1, a1]);
const names = (sel: string) => index.select(sel).map((s) => s.name);

test('selector: kinds, child and descendant', () => {
  assert.deepEqual(names('plan'), ['plan p']);
  assert.deepEqual(names('pass'), ['pass 1', 'pass 2']);
  assert.deepEqual(names('step'), ['a', 'n', 'b']);
  assert.deepEqual(names('pass > step'), ['a', 'b']);
  assert.deepEqual(names('pass step'), ['a', 'n', 'b']);
  assert.deepEqual(names('step[procedure.id=a] > span'), ['EC2 RunInstances', 'ELBv2 RegisterTargets', 'n']);
  assert.deepEqual(names('step[procedure.id=a] > call'), ['EC2 RunInstances', 'ELBv2 RegisterTargets']);
  assert.deepEqual(names('step[procedure.id="a"] span'), ['EC2 RunInstances', 'ELBv2 RegisterTargets', 'n', 'GET']);
  assert.deepEqual(names('plan>pass>step>call'), ['EC2 RunInstances', 'ELBv2 RegisterTargets']);
  assert.deepEqual(names('*[rpc.service]'), ['EC2 RunInstances', 'ELBv2 RegisterTargets']);
  assert.deepEqual(names('call'), ['EC2 RunInstances', 'ELBv2 RegisterTargets', 'GET'], 'spans without a kind attribute below a run are calls');
});

test('selector: attribute equality, existence, comparison, text operators, arrays, booleans', () => {
  assert.deepEqual(names('span[rpc.service="ELBv2"]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names("span[rpc.service='EC2']"), ['EC2 RunInstances']);
  assert.deepEqual(names('span[rpc.service!=EC2][rpc.service]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names('span[http.status=200]'), ['EC2 RunInstances']);
  assert.deepEqual(names('span[http.status="200"]'), ['EC2 RunInstances'], 'a quoted number compares as text');
  assert.deepEqual(names('span[retries>=2]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names('span[retries<2]'), []);
  assert.deepEqual(names('span[name^="ELB"]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names('span[name$="Instances"]'), ['EC2 RunInstances']);
  assert.deepEqual(names('span[name*="Register"]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names('span[tags=y]'), ['GET'], 'an array attribute equals a value it contains');
  assert.deepEqual(names('step[flag=true]'), ['b']);
  assert.deepEqual(names('span[status=error]'), ['ELBv2 RegisterTargets']);
  assert.deepEqual(names('span["procedure.id"=n]'), ['n']);
});

test('selector: duration with units, positions', () => {
  assert.deepEqual(names('step[duration>250ms]'), ['a', 'b']);
  assert.deepEqual(names('step[duration>0.25s]'), ['a', 'b']);
  assert.deepEqual(names('step[duration<=100000us]'), ['n']);
  assert.deepEqual(names('pass[duration>=300]'), ['pass 1', 'pass 2']);
  assert.deepEqual(names('step:first'), ['a']);
  assert.deepEqual(names('step:last'), ['b']);
  assert.deepEqual(names('step:nth(2)'), ['n']);
  assert.deepEqual(names('step:nth(-1)'), ['b']);
  assert.deepEqual(names('step:nth(9)'), []);
  assert.deepEqual(names('pass:first > step:last'), ['b']);
  assert.deepEqual(names('pass:last > step'), []);
  assert.deepEqual(names('step[procedure.id=a] > call:nth(2)'), ['ELBv2 RegisterTargets']);
});

test('selector: syntax errors say where and what', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /empty selector/],
    ['step[procedure.id="x"', 21, /expected "]"/],
    ['step[procedure.id="x', 18, /unterminated string/],
    ['stepp', 0, /unknown kind "stepp"/],
    ['step[duration>fast]', 14, /duration is compared with a number/],
    ['step[duration>10parsecs]', 16, /unknown unit "parsecs"/],
    ['step:nth(0)', 9, /counts from 1/],
    ['step:nth(x)', 9, /expected an integer/],
    ['step:second', 5, /unknown pseudo-class ":second"/],
    ['step >', 6, /expected a selector after ">"/],
    ['step[a~b]', 6, /expected "]" or an operator/],
    ['step[status=broken]', 12, /status is one of ok, error, unset/],
    ['step]', 4, /unexpected "]"/],
  ];
  for (const [sel, pos, reason] of cases) {
    assert.throws(
      () => parseSelector(sel),
      (e: unknown) => e instanceof SelectorSyntaxError && e.position === pos && reason.test(e.message) && e.message.includes(`\n  ${sel}\n  ${' '.repeat(pos)}^`),
      `${JSON.stringify(sel)}`,
    );
  }
  assert.throws(() => parseSelector('step'.repeat(2000)), SelectorSyntaxError);
});

test('selector: a parent cycle in hand-made spans ends the walk', () => {
  const x: SpanView = { traceId: 't', spanId: 'cx', parentSpanId: 'cy', name: 'x', startMs: 0, endMs: 1, status: 'unset', attributes: {}, events: [] };
  const y: SpanView = { ...x, spanId: 'cy', parentSpanId: 'cx', name: 'y' };
  const cyclic = new SpanIndex([x, y]);
  assert.deepEqual(cyclic.select('span span').map((s) => s.name), ['x', 'y']);
  assert.deepEqual(cyclic.select('step span'), []);
});
