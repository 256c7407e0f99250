import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procedure } from '../../../src/runtime/procedure';
import type { Plan, Procedure, StepContext } from '../../../src/runtime/types';
import { NotConvergedError, PlanRunError } from '../../../src/runtime/errors';
import { Attr } from '../../../src/protocol/attributes';
import { memoryScheduler, spansOf, byName, tick } from './helpers';

/** A plan over a set of things to create: create() returns a step for each missing one. */
function inventoryPlan(wanted: string[], done = new Set<string>()): Plan {
  return {
    name: 'inventory',
    create: () => wanted.filter((w) => !done.has(w)).map((w) => procedure(`make-${w}`, () => void done.add(w))),
  };
}

test('a plan converges when create() returns no steps; the empty pass is a span', async () => {
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(inventoryPlan(['a', 'b']));
  assert.equal(result.outcome, 'converged');
  assert.equal(result.converged, true);
  assert.equal(result.passes, 2);
  assert.equal(result.stepsRun, 2);
  assert.match(result.traceId, /^[0-9a-f]{32}$/);
  const spans = spansOf(tracing, result.traceId);
  const root = byName(spans, 'plan inventory');
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.attributes[Attr.planOutcome], 'converged');
  assert.equal(root.attributes[Attr.planPasses], 2);
  const pass2 = byName(spans, 'pass 2');
  assert.equal(pass2.parentSpanId, root.spanId);
  assert.equal(pass2.attributes[Attr.passConverged], true);
  assert.equal(pass2.attributes[Attr.passStepCount], 0);
  assert.equal(byName(spans, 'pass 1').attributes[Attr.passStepCount], 2);
});

test('steps returned by a step run right after it, depth-first, nested under it', async () => {
  const order: string[] = [];
  const step = (id: string, children: Procedure[] = []): Procedure => ({
    id,
    do: async () => {
      order.push(id);
      await tick();
      return children;
    },
  });
  let pass = 0;
  const plan: Plan = {
    name: 'tree',
    create: () => (++pass === 1 ? [step('A', [step('A1', [step('A1a')]), step('A2')]), step('B')] : []),
  };
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(plan);
  assert.deepEqual(order, ['A', 'A1', 'A1a', 'A2', 'B']);
  const spans = spansOf(tracing, result.traceId);
  const [a, a1, a1a, a2, b, pass1] = ['A', 'A1', 'A1a', 'A2', 'B', 'pass 1'].map((n) => byName(spans, n));
  assert.equal(a!.parentSpanId, pass1!.spanId);
  assert.equal(a1!.parentSpanId, a!.spanId);
  assert.equal(a1a!.parentSpanId, a1!.spanId);
  assert.equal(a2!.parentSpanId, a!.spanId);
  assert.equal(b!.parentSpanId, pass1!.spanId);
  assert.equal(a1a!.attributes[Attr.procedureDepth], 2);
  assert.equal(a!.attributes[Attr.procedureReturned], 2);
  assert.equal(a!.attributes[Attr.procedureId], 'A');
  assert.equal(a!.attributes[Attr.kind], 'step');
  assert.equal(result.stepsRun, 5);
});

test('step spans carry plan, pass, procedure type and the class name in code.function', async () => {
  class CreateVpc implements Procedure {
    readonly id = 'create-vpc';
    do(ctx: StepContext) {
      ctx.span.setAttribute('vpc.cidr', '10.0.0.0/16');
    }
  }
  let done = false;
  const plan: Plan = { name: 'net', create: () => (done ? [] : ((done = true), [new CreateVpc()])) };
  const { scheduler, tracing } = memoryScheduler({ locate: () => ({ filepath: '/ws/net.ts' }) });
  const result = await scheduler.execute(plan);
  const s = byName(spansOf(tracing, result.traceId), 'create-vpc');
  assert.equal(s.attributes[Attr.procedureType], 'CreateVpc');
  assert.equal(s.attributes[Attr.codeFunction], 'CreateVpc.do');
  assert.equal(s.attributes[Attr.codeFilepath], '/ws/net.ts');
  assert.equal(s.attributes[Attr.planName], 'net');
  assert.equal(s.attributes[Attr.planPass], 1);
  assert.equal(s.attributes['vpc.cidr'], '10.0.0.0/16');
});

test('a plan that never converges stops after maxPasses naming the steps still returned', async () => {
  const plan: Plan = { name: 'flappy', create: () => [procedure('retry', () => {}), procedure('again', () => {})] };
  const { scheduler, tracing } = memoryScheduler({ maxPasses: 4 });
  const result = await scheduler.execute(plan);
  assert.equal(result.outcome, 'not_converged');
  assert.equal(result.passes, 4);
  assert.deepEqual(result.remaining, ['retry', 'again']);
  assert.ok(result.error instanceof NotConvergedError);
  assert.match(result.error.message, /did not converge after 4 passes.*retry, again/);
  const root = byName(spansOf(tracing, result.traceId), 'plan flappy');
  assert.equal(root.status, 'error');
  assert.equal(root.attributes[Attr.planOutcome], 'not_converged');
  // maxPasses per call overrides the scheduler's
  const again = await scheduler.execute(plan, { maxPasses: 2 });
  assert.equal(again.passes, 2);
});

test('a step error is recorded on its span, stops the plan, and is reported with the trace id', async () => {
  const ran: string[] = [];
  const plan: Plan = {
    name: 'boom',
    create: () => [
      procedure('first', () => void ran.push('first')),
      procedure('explode', () => {
        throw new TypeError('quota exceeded');
      }),
      procedure('never', () => void ran.push('never')),
    ],
  };
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(plan);
  assert.equal(result.outcome, 'failed');
  assert.deepEqual(ran, ['first']);
  assert.ok(result.error instanceof PlanRunError);
  assert.equal(result.error.stepId, 'explode');
  assert.equal(result.error.traceId, result.traceId);
  assert.match(result.error.message, /step "explode".*pass 1: quota exceeded \(trace [0-9a-f]{32}\)/);
  assert.equal((result.error.cause as Error).name, 'TypeError');
  const spans = spansOf(tracing, result.traceId);
  const failed = byName(spans, 'explode');
  assert.equal(failed.status, 'error');
  assert.equal(failed.statusMessage, 'quota exceeded');
  const exc = failed.events.find((e) => e.name === 'exception');
  assert.ok(exc, 'exception event recorded');
  assert.equal(exc.attributes[Attr.exceptionType], 'TypeError');
  assert.equal(exc.attributes[Attr.exceptionMessage], 'quota exceeded');
  assert.equal(byName(spans, 'pass 1').status, 'error');
  assert.equal(byName(spans, 'plan boom').status, 'error');
  assert.equal(spans.some((s) => s.name === 'never'), false);
});

test('an error thrown by create() fails the run with the pass number', async () => {
  const plan: Plan = {
    name: 'bad-create',
    create: () => {
      throw new Error('cannot read state');
    },
  };
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(plan);
  assert.equal(result.outcome, 'failed');
  assert.match(result.error!.message, /create\(\) of plan "bad-create" failed in pass 1: cannot read state/);
  const pass = byName(spansOf(tracing, result.traceId), 'pass 1');
  assert.equal(pass.status, 'error');
  assert.ok(pass.events.some((e) => e.name === 'exception'));
});

test('create() or do() returning something that is not procedures is a clear error', async () => {
  const { scheduler } = memoryScheduler();
  const r1 = await scheduler.execute({ name: 'x', create: () => [{ id: 'no-do' }] as unknown as Procedure[] });
  assert.match(r1.error!.message, /index 0 that is not a procedure/);
  const r2 = await scheduler.execute({ name: 'y', create: () => 'nope' as unknown as Procedure[] });
  assert.match(r2.error!.message, /must return an array of procedures, got string/);
});

test('an AbortSignal cancels the run: spans end and the result says cancelled', async () => {
  const controller = new AbortController();
  let started = 0;
  const plan: Plan = {
    name: 'slow',
    create: () => [
      procedure('wait', async () => {
        started++;
        await new Promise((r) => setTimeout(r, 10_000).unref());
      }),
      procedure('after', () => void started++),
    ],
  };
  const { scheduler, tracing } = memoryScheduler();
  const running = scheduler.execute(plan, { signal: controller.signal });
  await tick(20);
  controller.abort();
  const result = await running;
  assert.equal(result.outcome, 'cancelled');
  assert.equal(started, 1);
  const spans = spansOf(tracing, result.traceId);
  const wait = byName(spans, 'wait');
  assert.equal(wait.attributes['procedure.cancelled'], true);
  assert.ok(wait.endMs >= wait.startMs);
  assert.equal(byName(spans, 'plan slow').attributes[Attr.planOutcome], 'cancelled');
});

test('ctx.trace makes a child span, records and rethrows errors', async () => {
  let caught: unknown;
  const plan: Plan = {
    name: 'calls',
    create: (ctx) =>
      ctx.pass > 1
        ? []
        : [
            procedure('call-things', async (c) => {
              const v = await c.trace('EC2 RunInstances', async (span) => {
                span.setAttribute('aws.request', '{}');
                return 42;
              }, { 'rpc.service': 'EC2' });
              assert.equal(v, 42);
              try {
                await c.trace('ELBv2 RegisterTargets', () => {
                  throw new Error('throttled');
                });
              } catch (e) {
                caught = e;
              }
            }),
          ],
  };
  const { scheduler, tracing } = memoryScheduler();
  const result = await scheduler.execute(plan);
  assert.equal(result.outcome, 'converged');
  assert.equal((caught as Error).message, 'throttled');
  const spans = spansOf(tracing, result.traceId);
  const step = byName(spans, 'call-things');
  const ok = byName(spans, 'EC2 RunInstances');
  const bad = byName(spans, 'ELBv2 RegisterTargets');
  assert.equal(ok.parentSpanId, step.spanId);
  assert.equal(ok.attributes[Attr.kind], 'call');
  assert.equal(ok.attributes['rpc.service'], 'EC2');
  assert.equal(bad.status, 'error');
  assert.ok(bad.events.some((e) => e.name === 'exception'));
  assert.equal(step.status, 'unset', 'the step itself did not fail');
});

test('two schedulers running at once keep their traces apart', async () => {
  const a = memoryScheduler();
  const b = memoryScheduler();
  const slowPlan = (name: string): Plan => {
    let n = 0;
    return { name, create: () => (n++ < 3 ? [procedure(`${name}-step`, () => tick(2))] : []) };
  };
  const [ra, rb] = await Promise.all([a.scheduler.execute(slowPlan('alpha')), b.scheduler.execute(slowPlan('beta'))]);
  assert.notEqual(ra.traceId, rb.traceId);
  const sa = spansOf(a.tracing, ra.traceId);
  const sb = spansOf(b.tracing, rb.traceId);
  assert.ok(sa.every((s) => !s.name.startsWith('beta')));
  assert.ok(sb.every((s) => !s.name.startsWith('alpha')));
  assert.equal(a.tracing.memory!.views(rb.traceId).length, 0);
  // one scheduler, two concurrent runs
  const [r1, r2] = await Promise.all([a.scheduler.execute(slowPlan('one')), a.scheduler.execute(slowPlan('two'))]);
  const s1 = spansOf(a.tracing, r1.traceId);
  assert.ok(s1.every((s) => !s.name.startsWith('two')));
  assert.equal(s1.filter((s) => s.name === 'one-step').length, 3);
  assert.notEqual(r1.traceId, r2.traceId);
});
