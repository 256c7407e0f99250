import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeRun, allSteps } from '../../../src/summary/runSummary';
import { spanViewSource } from '../../../src/summary/spanSource';
import { callKey } from '../../../src/summary/callKey';
import { procedure } from '../../../src/runtime/procedure';
import type { Plan, Procedure } from '../../../src/runtime/types';
import type { SpanView } from '../../../src/protocol/spanView';
import { memoryScheduler, spansOf } from '../runtime/helpers';

/** A plan with nested steps, a repeated step, calls, a failing call that is caught, and a second pass. */
function planUnderTest(): Plan {
  let done = false;
  const wait: Procedure = procedure('wait', async (ctx) => {
    await ctx.trace('EC2 DescribeInstances', () => undefined, { 'rpc.service': 'EC2', 'rpc.method': 'DescribeInstances' });
    await ctx.trace('EC2 DescribeInstances', () => undefined, { 'rpc.service': 'EC2', 'rpc.method': 'DescribeInstances' });
  });
  return {
    name: 'shape',
    create: () => {
      if (done) return [];
      done = true;
      return [
        procedure('create', async (ctx) => {
          await ctx.trace('EC2 RunInstances', () => new Promise((r) => setTimeout(r, 5)), { 'rpc.service': 'EC2', 'rpc.method': 'RunInstances' });
          try {
            await ctx.trace('ELBv2 RegisterTargets', () => Promise.reject(new Error('not yet')), { 'rpc.service': 'ELBv2', 'rpc.method': 'RegisterTargets' });
          } catch {
            /* swallowed, as in the incident */
          }
          ctx.span.setAttribute('pinned.count', 3);
          return [wait, wait];
        }),
        procedure('plain', () => undefined),
      ];
    },
  };
}

test('summary: passes, steps in run order with paths and occurrences, calls grouped, errors, self time', async () => {
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(planUnderTest());
  const spans = spansOf(tracing, result.traceId);
  const s = summarizeRun(spanViewSource(spans), { pin: ['pinned.count', 'absent'] });
  assert.equal(s.traceId, result.traceId);
  assert.equal(s.plan, 'shape');
  assert.equal(s.outcome, 'converged');
  assert.equal(s.spanCount, spans.length);
  assert.deepEqual(
    s.passes.map((p) => [p.pass, p.steps.map((st) => st.key)]),
    [
      [1, ['create#0', 'create/wait#0', 'create/wait#1', 'plain#0']],
      [2, []],
    ],
  );
  const [create, wait0, wait1, plain] = s.passes[0]!.steps;
  assert.deepEqual(
    create!.calls.map((c) => [c.label, c.count, c.errors]),
    [
      ['EC2 RunInstances', 1, 0],
      ['ELBv2 RegisterTargets', 1, 1],
    ],
  );
  assert.equal(create!.errors, 1, 'the failed call counts, the step itself did not fail');
  assert.equal(create!.status, 'unset');
  assert.deepEqual(create!.pinned, { 'pinned.count': 3 });
  assert.equal(create!.depth, 0);
  assert.equal(wait0!.depth, 1);
  assert.deepEqual(wait0!.calls.map((c) => [c.label, c.count]), [['EC2 DescribeInstances', 2]]);
  assert.equal(wait1!.occurrence, 1);
  assert.deepEqual(plain!.calls, []);
  assert.ok(create!.durationMs >= 5);
  assert.ok(create!.selfMs < create!.durationMs, 'the calls are not self time');
  assert.ok(Math.abs(plain!.selfMs - plain!.durationMs) < 1e-9, 'a step without children is all self time');
  assert.equal(allSteps(s).length, 4);
  assert.ok(s.durationMs >= create!.durationMs);
});

test('summary: steps match across runs by procedure path, never by span id', async () => {
  const keys: string[][] = [];
  const ids: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const { scheduler, tracing } = memoryScheduler();
    const r = await scheduler.execute(planUnderTest());
    const steps = allSteps(summarizeRun(spanViewSource(spansOf(tracing, r.traceId))));
    keys.push(steps.map((st) => st.key));
    ids.push(steps.map((st) => st.spanId));
  }
  assert.deepEqual(keys[0], keys[1]);
  assert.notDeepEqual(ids[0], ids[1]);
});

let n = 0;
function span(name: string, parent: string | undefined, start: number, end: number, attributes: SpanView['attributes'] = {}, extra: Partial<SpanView> = {}): SpanView {
  const s: SpanView = { traceId: 't', spanId: `x${++n}`, name, startMs: start, endMs: end, status: 'unset', attributes, events: [], ...extra };
  if (parent) s.parentSpanId = parent;
  return s;
}

test('summary: self time subtracts the union of overlapping children, clipped to the step', () => {
  const root = span('plan p', undefined, 0, 100, { 'instrument_first.kind': 'plan' });
  const pass = span('pass 1', root.spanId, 0, 100, { 'instrument_first.kind': 'pass', 'plan.pass': 1 });
  const step = span('s', pass.spanId, 10, 60, { 'instrument_first.kind': 'step', 'procedure.id': 's' });
  const c1 = span('a', step.spanId, 12, 30, { 'instrument_first.kind': 'call' });
  const c2 = span('b', step.spanId, 20, 40, { 'instrument_first.kind': 'call' }); // overlaps a
  const c3 = span('c', step.spanId, 55, 80, { 'instrument_first.kind': 'call' }); // runs past the step
  const st = summarizeRun(spanViewSource([c3, c1, root, step, pass, c2])).passes[0]!.steps[0]!;
  // covered: 12–40 (28) + 55–60 (5) → self 50 − 33 = 17
  assert.equal(st.selfMs, 17);
  assert.equal(st.durationMs, 50);
});

test('summary: an exception event without ERROR status counts as an error', () => {
  const root = span('plan p', undefined, 0, 10, { 'instrument_first.kind': 'plan' });
  const pass = span('pass 1', root.spanId, 0, 10, { 'instrument_first.kind': 'pass', 'plan.pass': 1 });
  const step = span('s', pass.spanId, 0, 10, { 'instrument_first.kind': 'step', 'procedure.id': 's' });
  const call = span('q', step.spanId, 1, 2, {}, { events: [{ name: 'exception', timeMs: 1, attributes: { 'exception.message': 'x' } }] });
  const s = summarizeRun(spanViewSource([root, pass, step, call]));
  assert.equal(s.errorCount, 1);
  assert.equal(s.passes[0]!.steps[0]!.errors, 1);
  assert.equal(s.passes[0]!.steps[0]!.calls[0]!.errors, 1);
});

test('summary: calls are keyed by the semantic conventions, with no ids from URLs or statements', () => {
  const cases: Array<[SpanView['attributes'], string, string]> = [
    [{ 'rpc.service': 'ELBv2', 'rpc.method': 'RegisterTargets' }, 'ELBv2', 'RegisterTargets'],
    [{ 'http.request.method': 'GET', 'server.address': 'api.example', 'url.full': 'https://api.example/orders/123' }, 'api.example', 'GET'],
    [{ 'http.method': 'POST', 'http.url': 'http://old.example:8080/x/9', 'http.route': '/x/:id' }, 'old.example', 'POST /x/:id'],
    [{ 'http.request.method': 'GET', 'peer.service': 'pricing', 'server.address': '10.0.0.7' }, 'pricing', 'GET'],
    [{ 'db.system': 'postgresql', 'db.name': 'shop', 'db.operation': 'SELECT', 'db.statement': 'SELECT * FROM t WHERE id=7' }, 'postgresql shop', 'SELECT'],
    [{ 'db.system.name': 'redis', 'db.operation.name': 'GET' }, 'redis', 'GET'],
    [{ 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'send' }, 'kafka orders', 'send'],
    [{ 'peer.service': 'cart-service' }, 'cart-service', 'the span name'],
    [{}, '', 'the span name'],
  ];
  for (const [attributes, service, operation] of cases) {
    const src = spanViewSource([span('the span name', undefined, 0, 1, attributes)]);
    assert.deepEqual(callKey(src, 0), { service, operation }, JSON.stringify(attributes));
  }
});

test('summary: traces not made by the scheduler, orphans, cycles and deep nesting do not break it', () => {
  // No pass spans: one pass 0 of the root's children.
  const root = span('GET /checkout', undefined, 0, 10);
  const child = span('SELECT', root.spanId, 1, 2, { 'db.system': 'mysql', 'db.operation': 'SELECT' });
  const s = summarizeRun(spanViewSource([root, child]));
  assert.deepEqual(s.passes.map((p) => [p.pass, p.steps.map((st) => st.key)]), [[0, ['SELECT#0']]]);
  // A parent cycle with no root, and a span that is its own parent: no root, no passes, no hang.
  const a = span('a', 'x-b', 0, 1);
  const b = { ...span('b', a.spanId, 0, 1), spanId: 'x-b' };
  const self = span('self', undefined, 0, 1);
  self.parentSpanId = self.spanId;
  const cyc = summarizeRun(spanViewSource([a, b]));
  assert.deepEqual(cyc.passes, []);
  assert.equal(summarizeRun(spanViewSource([self])).spanCount, 1);
  assert.deepEqual(summarizeRun(spanViewSource([])).passes, []);
  // 3,000 steps nested one in another.
  const spans: SpanView[] = [span('plan deep', undefined, 0, 1e4, { 'instrument_first.kind': 'plan' })];
  spans.push(span('pass 1', spans[0]!.spanId, 0, 1e4, { 'instrument_first.kind': 'pass', 'plan.pass': 1 }));
  for (let i = 0; i < 3000; i++) spans.push(span(`s${i}`, spans[spans.length - 1]!.spanId, i, 1e4 - i, { 'instrument_first.kind': 'step', 'procedure.id': 's' }));
  const deep = summarizeRun(spanViewSource(spans));
  assert.equal(deep.passes[0]!.steps.length, 3000);
  assert.equal(deep.passes[0]!.steps[2999]!.depth, 2999);
});
