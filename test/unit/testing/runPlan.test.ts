import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { trace as otelTrace } from '@opentelemetry/api';
import { runPlan, expectTrace, TraceAssertionError } from '../../../src/testing/index';
import { procedure } from '../../../src/runtime/procedure';
import type { Plan } from '../../../src/runtime/types';
import { loadFreshPlan } from '../../../src/cli/freshPlan';

process.env.SAMPLE_TIME_SCALE = '0.01';
const WS = resolve('sample-workspace');
const sample = (file: string, exportName?: string) => () => loadFreshPlan(`plans/${file}`, exportName, WS).plan;

test('runPlan: the good create-cluster run has two ELBv2 calls in register_cluster_node_to_lb, the faulty one has one', async () => {
  const good = await runPlan(sample('create-cluster.ts'));
  assert.equal(good.outcome, 'converged');
  assert.equal(good.trace.find('step[procedure.id="register_cluster_node_to_lb"] > span[rpc.service="ELBv2"]').length, 2);
  const bad = await runPlan(sample('create-cluster.ts', 'createClusterFaulty'), { maxPasses: 5 });
  assert.equal(bad.outcome, 'converged');
  assert.equal(bad.trace.find('step[procedure.id="register_cluster_node_to_lb"] > span[rpc.service="ELBv2"]').length, 1);
  let message = '';
  try {
    expectTrace(bad).toConverge().toHave('step[procedure.id="register_cluster_node_to_lb"] > call[rpc.method=RegisterTargets]', 1);
  } catch (e) {
    assert.ok(e instanceof TraceAssertionError);
    assert.equal(e.actual, 0);
    assert.equal(e.expected, 1);
    message = e.message;
  }
  if (process.env.SHOW_MESSAGES) console.log(message);
  assert.match(message, /expected 1 span matching/);
  assert.match(message, /got 0/);
  assert.match(message, /in step register_cluster_node_to_lb \(pass 1\)/);
  // The waterfall of the step shows what it did call.
  assert.match(message, /ELBv2 DescribeTargetGroups/);
  assert.doesNotMatch(message, /create_security_group/);
});

test('runPlan: checkout release 2 has the additionalMarkUp step and takes longer than 1 s (scaled)', async () => {
  const r1 = await runPlan(sample('checkout.ts'));
  const r2 = await runPlan(sample('checkout.ts', 'checkoutRelease2'));
  expectTrace(r1).toConverge().toHaveNo('step[procedure.id=additionalMarkUp]');
  expectTrace(r2).toConverge().toHave('pass:first > step[procedure.id=additionalMarkUp]', 1);
  // Lower bounds only (timers never fire early): the mark-up alone sleeps 4.5 s × 0.01.
  assert.throws(() => expectTrace(r2).toTakeAtMost('plan', 1000 * 0.01), /to take at most/);
  assert.ok(r2.trace.summary.durationMs >= 45);
});

test('runPlan: outcomes failed, not_converged and cancelled', async () => {
  const failing: Plan = { name: 'f', create: (c) => (c.pass === 1 ? [procedure('boom', () => Promise.reject(new Error('nope')))] : []) };
  const failed = await runPlan(failing);
  assert.equal(failed.outcome, 'failed');
  expectTrace(failed).toHave('step[status=error]', 1).toHaveOutcome('failed');
  assert.throws(() => expectTrace(failed).toConverge(), (e: Error) => e.message.includes('expected the run to end converged, it ended failed') && e.message.includes('nope'));

  const endless: Plan = { name: 'e', create: () => [procedure('again', () => undefined)] };
  const nc = await runPlan(endless, { maxPasses: 3 });
  assert.equal(nc.outcome, 'not_converged');
  expectTrace(nc).toHave('pass', 3).toHave('pass:last > step[procedure.id=again]', 1);

  const abort = new AbortController();
  const slow: Plan = { name: 's', create: () => [procedure('wait', () => new Promise((r) => setTimeout(r, 50)))] };
  const pending = runPlan(slow, { signal: abort.signal });
  setTimeout(() => abort.abort(), 5);
  assert.equal((await pending).outcome, 'cancelled');
});

/** A plan whose step starts spans through the global OpenTelemetry API, as auto-instrumentation does. */
function autoInstrumented(name: string, calls: number, delayMs: number): Plan {
  return {
    name,
    create: (c) =>
      c.pass === 1
        ? [
            procedure(`fetch-${name}`, async () => {
              const tracer = otelTrace.getTracer('auto-instrumentation');
              for (let i = 0; i < calls; i++) {
                await tracer.startActiveSpan('GET', { attributes: { 'http.request.method': 'GET', 'server.address': `${name}.example` } }, async (span) => {
                  await new Promise((r) => setTimeout(r, delayMs));
                  // A nested global span, started from the active context only.
                  otelTrace.getTracer('db').startSpan('SELECT', { attributes: { 'db.system': 'postgresql', 'db.operation': 'SELECT' } }).end();
                  span.end();
                });
              }
            }),
          ]
        : [],
  };
}

test('runPlan: spans started with the global OTel API inside a step land in that run, and concurrent runs do not mix', async () => {
  const runs = await Promise.all([autoInstrumented('a', 3, 3), autoInstrumented('b', 5, 1), autoInstrumented('c', 1, 2)].map((p) => runPlan(p)));
  const expected = { a: 3, b: 5, c: 1 };
  for (const run of runs) {
    assert.ok(run.capturesGlobalSpans);
    const name = run.result.plan as 'a' | 'b' | 'c';
    expectTrace(run).toHave(`step[procedure.id="fetch-${name}"] > span[http.request.method=GET]`, expected[name]);
    expectTrace(run).toHave(`step > call[server.address="${name}.example"] > call[db.system=postgresql]`, expected[name]);
    assert.equal(run.trace.find('span[server.address]').length, expected[name], `${name} holds only its own calls`);
    assert.ok(run.trace.spans.every((s) => s.traceId === run.result.traceId));
    const step = run.trace.summary.passes[0]!.steps[0]!;
    assert.deepEqual(
      step.calls.map((c) => [c.label, c.count]),
      [
        [`${name}.example GET`, expected[name]],
        ['postgresql SELECT', expected[name]],
      ],
    );
  }
  // Outside any run, a global span is not recorded anywhere and does not throw.
  const stray = otelTrace.getTracer('x').startSpan('outside');
  assert.equal(stray.isRecording(), false);
  stray.end();
});

test('runPlan with globalSpans: false keeps its own spans and installs nothing global', async () => {
  const plan: Plan = { name: 'local', create: (c) => (c.pass === 1 ? [procedure('s', (ctx) => ctx.trace('call', () => undefined))] : []) };
  const run = await runPlan(plan, { globalSpans: false });
  assert.equal(run.capturesGlobalSpans, false);
  expectTrace(run).toConverge().toHave('step > call', 1);
});
