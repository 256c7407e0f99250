// bench:check — the trace-test goals, each against a reference measured in the same run:
//  1. checking a 2,000-step run against its baseline (goal ≤ 20 ms); reference: JSON.parse of the baseline file;
//  2. summary computation per span (goal ≤ 2 µs); reference: indexing the spans by id (the least a tree walk needs);
//  3. what the test API (runPlan: context manager, router, memory sink, span views, summary) adds per step span
//     over an uninstrumented run (goal ≤ 10 µs); reference: the plain runtime's own overhead, as bench:runtime measures.
// Usage: node out/test/bench/traceTestBench.js [--json] [--steps N] [--rounds R]
import { buildBaseline, serializeBaseline, type Baseline } from '../../src/baseline/baseline';
import { checkAgainst } from '../../src/baseline/compare';
import { summarizeRun, type PlanRunSummary } from '../../src/summary/runSummary';
import { spanViewSource } from '../../src/summary/spanSource';
import type { SpanView } from '../../src/protocol/spanView';
import { createTracing } from '../../src/runtime/tracing';
import { Scheduler } from '../../src/runtime/scheduler';
import { procedure } from '../../src/runtime/procedure';
import type { Plan } from '../../src/runtime/types';
import { runPlan } from '../../src/testing/runPlan';
import { printRows, round } from './benchTable';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const STEPS = opt('--steps', 2000);
const ROUNDS = opt('--rounds', 7);
const RUNTIME_STEPS = opt('--runtime-steps', 50_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** With --expose-gc (npm run bench:check passes it): garbage from earlier work is collected before a round. */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

/**
 * Median and fastest of the rounds. On a shared machine a round that lost the CPU to another
 * process reads up to 20× the others (the summary of the same run measured 0.42 µs/span and 8.8
 * µs/span in consecutive rounds at load 25): the fastest round is what the code costs, the median
 * what this machine gave it.
 */
function time<T>(fn: () => T, rounds = ROUNDS): { ms: number; minMs: number; value: T } {
  let value = fn();
  for (let w = 0; w < 5; w++) value = fn(); // warm-up: measured optimised, as in a long-lived collector
  const t: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // A round pays for its own garbage, not for the previous rounds' (or the synthetic runs'): a
    // scavenge or mark of earlier garbage landing in a 16 ms round was what made the bench read
    // 2–4× the standalone figure.
    collectGarbage?.();
    const t0 = performance.now();
    value = fn();
    t.push(performance.now() - t0);
  }
  return { ms: median(t), minMs: Math.min(...t), value };
}

/** A run like the scheduler makes: plan, 2 passes, STEPS steps in pass 1 (every 10th nested), 3 calls each. */
function syntheticRun(seed: number): SpanView[] {
  const spans: SpanView[] = [];
  let id = 0;
  const sid = () => `${seed}-${(id++).toString(16)}`;
  const root: SpanView = { traceId: `t${seed}`, spanId: sid(), name: 'plan big', startMs: 0, endMs: STEPS * 10 + 5, status: 'unset', attributes: { 'instrument_first.kind': 'plan', 'plan.name': 'big', 'plan.outcome': 'converged' }, events: [] };
  spans.push(root);
  const pass: SpanView = { ...root, spanId: sid(), parentSpanId: root.spanId, name: 'pass 1', attributes: { 'instrument_first.kind': 'pass', 'plan.pass': 1 } };
  spans.push(pass);
  let parent = pass;
  for (let i = 0; i < STEPS; i++) {
    const start = i * 10;
    const nestedHere = i % 10 !== 0 && spans.length > 2;
    const step: SpanView = {
      traceId: root.traceId,
      spanId: sid(),
      parentSpanId: nestedHere ? parent.spanId : pass.spanId,
      name: `step-${i % 200}`,
      startMs: start,
      endMs: start + 9 + (seed % 3) * 0.1,
      status: 'unset',
      attributes: { 'instrument_first.kind': 'step', 'procedure.id': `step-${i % 200}`, 'plan.pass': 1, 'code.filepath': '/p/plan.ts', 'code.lineno': 10 + (i % 200) },
      events: [],
    };
    spans.push(step);
    if (!nestedHere) parent = step;
    for (let c = 0; c < 3; c++) {
      spans.push({
        traceId: root.traceId,
        spanId: sid(),
        parentSpanId: step.spanId,
        name: `EC2 Op${c}`,
        startMs: start + c * 2,
        endMs: start + c * 2 + 1.5,
        status: 'unset',
        attributes: { 'instrument_first.kind': 'call', 'rpc.system': 'aws-api', 'rpc.service': 'EC2', 'rpc.method': `Op${c}`, 'aws.request': '{"x":1}' },
        events: [],
      });
    }
  }
  spans.push({ ...pass, spanId: sid(), name: 'pass 2', startMs: STEPS * 10, endMs: STEPS * 10 + 5, attributes: { 'instrument_first.kind': 'pass', 'plan.pass': 2, 'plan.pass.converged': true } });
  // The memory sink holds spans in end order, children before parents.
  return spans.reverse();
}

function trivialPlan(n: number): Plan {
  return { name: 'bench', create: (ctx) => (ctx.pass === 1 ? Array.from({ length: n }, (_, i) => procedure(`step-${i}`, () => Promise.resolve())) : []) };
}

async function schedulerRun(enabled: boolean): Promise<number> {
  collectGarbage?.();
  const tracing = createTracing({ enabled, endpoint: false, memory: true, env: {} });
  const scheduler = new Scheduler({ tracing });
  const t = performance.now();
  await scheduler.execute(trivialPlan(RUNTIME_STEPS));
  await tracing.shutdown();
  return performance.now() - t;
}

/** runPlan alone (the trace is converted and indexed when first queried), then with the trace asserted on. */
async function testApiRun(globalSpans = true): Promise<{ run: number; asserted: number }> {
  collectGarbage?.();
  const t = performance.now();
  const run = await runPlan(trivialPlan(RUNTIME_STEPS), { globalSpans });
  const t1 = performance.now();
  if (run.result.stepsRun !== RUNTIME_STEPS) throw new Error('steps lost');
  if (run.trace.summary.passes[0]!.steps.length !== RUNTIME_STEPS) throw new Error('steps lost');
  if (run.trace.find('step[procedure.id="step-7"]').length !== 1) throw new Error('selector');
  return { run: t1 - t, asserted: performance.now() - t };
}

async function main(): Promise<void> {
  // 1 and 2: summaries and checks.
  const runs = [1, 2, 3, 4, 5].map(syntheticRun);
  const spanCount = runs[0]!.length;
  const sources = runs.map((r) => spanViewSource(r));
  const summary = time(() => summarizeRun(sources[0]!), 31);
  const indexing = time(() => {
    const m = new Map<string, SpanView>();
    for (const s of runs[0]!) m.set(s.spanId, s);
    return m.size;
  }, 31);
  const summaries: PlanRunSummary[] = sources.map((s) => summarizeRun(s));
  const baseline: Baseline = buildBaseline(summaries, { planFile: 'big.ts', exportName: 'default', pin: [] });
  const baselineText = serializeBaseline(baseline);
  const check1 = time(() => checkAgainst(baseline, [summaries[1]!]), 15);
  const withRows = time(() => checkAgainst(baseline, [summaries[1]!]).compare.length);
  const check5 = time(() => checkAgainst(baseline, summaries));
  if (!check1.value.passed || !check5.value.passed) throw new Error('the unchanged run should match its baseline');
  const parse = time(() => JSON.parse(baselineText) as unknown, 15);
  // Checking from spans: summarise the run, then check (what `check` does per run).
  const fromSpans = time(() => checkAgainst(baseline, [summarizeRun(sources[2]!)]));

  // 3: the test API over an uninstrumented run. Uninstrumented first: runPlan installs a context manager.
  await schedulerRun(false);
  const off: number[] = [];
  for (let r = 0; r < 5; r++) off.push(await schedulerRun(false));
  const on: number[] = [];
  await schedulerRun(true);
  for (let r = 0; r < 5; r++) on.push(await schedulerRun(true));
  // Without global-span capture first: once installed, the context manager stays for the process.
  const apiLocal: number[] = [];
  await testApiRun(false);
  for (let r = 0; r < 5; r++) apiLocal.push((await testApiRun(false)).run);
  const api: number[] = [];
  const apiAsserted: number[] = [];
  await testApiRun();
  for (let r = 0; r < 5; r++) {
    const x = await testApiRun();
    api.push(x.run);
    apiAsserted.push(x.asserted);
  }
  // The uninstrumented run again, now under the context manager runPlan installed (it stays for
  // the process): what global-span capture costs every await of the process, traced or not.
  const offAfter: number[] = [];
  for (let r = 0; r < 5; r++) offAfter.push(await schedulerRun(false));
  const perStep = (ms: number) => (ms * 1000) / RUNTIME_STEPS;
  const offUs = perStep(median(off));
  const runtimeOverheadUs = perStep(median(on)) - offUs;
  const apiOverheadUs = perStep(median(api)) - offUs;
  const apiAssertedOverheadUs = perStep(median(apiAsserted)) - offUs;
  const apiLocalOverheadUs = perStep(median(apiLocal)) - offUs;
  const contextManagerUs = perStep(median(offAfter)) - offUs;

  const figures = {
    steps: STEPS,
    spans: spanCount,
    checkOneRunMs: round(check1.ms),
    checkOneRunFastestMs: round(check1.minMs),
    referenceJsonParseFastestMs: round(parse.minMs),
    checkFiveRunsMs: round(check5.ms),
    checkWithCompareRowsMs: round(withRows.ms),
    checkFromSpansMs: round(fromSpans.ms),
    checkGoalMs: 20,
    baselineBytes: baselineText.length,
    referenceJsonParseBaselineMs: round(parse.ms),
    checkVsJsonParse: round(check1.ms / parse.ms),
    summaryUsPerSpan: round((summary.ms * 1000) / spanCount, 3),
    summaryFastestUsPerSpan: round((summary.minMs * 1000) / spanCount, 3),
    referenceIndexFastestUsPerSpan: round((indexing.minMs * 1000) / spanCount, 3),
    summaryGoalUsPerSpan: 2,
    referenceIndexUsPerSpan: round((indexing.ms * 1000) / spanCount, 3),
    summaryVsIndex: round(summary.ms / indexing.ms),
    runtimeSteps: RUNTIME_STEPS,
    testApiOverheadUsPerStep: round(apiOverheadUs),
    testApiWithoutGlobalSpansUsPerStep: round(apiLocalOverheadUs),
    testApiAssertedUsPerStep: round(apiAssertedOverheadUs),
    contextManagerUsPerStep: round(contextManagerUs),
    testApiGoalUs: 10,
    referenceRuntimeOverheadUsPerStep: round(runtimeOverheadUs),
    testApiVsRuntime: round(apiOverheadUs / runtimeOverheadUs),
  };
  if (json) {
    process.stdout.write(JSON.stringify(figures) + '\n');
    return;
  }
  const ok = (x: number, goal: number) => (x <= goal ? 'OK' : 'MISSED');
  const rows: Array<[string, string]> = [
    ['run', `${STEPS.toLocaleString('en-US')} steps, ${spanCount.toLocaleString('en-US')} spans; medians of ${ROUNDS} rounds`],
    ['check one run against its baseline', `${figures.checkOneRunMs} ms median, ${figures.checkOneRunFastestMs} ms fastest (goal ≤ 20 ms) ${ok(check1.ms, 20)}; five runs ${figures.checkFiveRunsMs} ms; with the compare rows ${figures.checkWithCompareRowsMs} ms; from spans ${figures.checkFromSpansMs} ms`],
    ['reference: JSON.parse of the baseline', `${figures.referenceJsonParseBaselineMs} ms median, ${figures.referenceJsonParseFastestMs} ms fastest (${(figures.baselineBytes / 1024).toFixed(0)} KiB) → ratio ${figures.checkVsJsonParse}× (fastest: ${round(check1.minMs / parse.minMs)}×)`],
    ['summary per span', `${figures.summaryUsPerSpan} µs median, ${figures.summaryFastestUsPerSpan} µs fastest of 31 rounds (goal ≤ 2 µs) ${ok(figures.summaryUsPerSpan, 2)}`],
    ['reference: index spans by id', `${figures.referenceIndexUsPerSpan} µs/span median, ${figures.referenceIndexFastestUsPerSpan} fastest → ratio ${figures.summaryVsIndex}× (fastest: ${round(summary.minMs / indexing.minMs)}×)`],
    ['test API overhead per step span', `${figures.testApiOverheadUsPerStep} µs over an uninstrumented run (goal ≤ 10 µs) ${ok(apiOverheadUs, 10)}; ${RUNTIME_STEPS.toLocaleString('en-US')} steps`],
    ['  without global-span capture', `${figures.testApiWithoutGlobalSpansUsPerStep} µs (runPlan(plan, { globalSpans: false }): no context manager)`],
    ['  with the trace asserted on', `${figures.testApiAssertedUsPerStep} µs (runPlan, then its summary and one selector: span views, index, summary)`],
    ['  of which the context manager', `${figures.contextManagerUsPerStep} µs (the uninstrumented run again once it is installed)`],
    ['reference: plain runtime overhead', `${figures.referenceRuntimeOverheadUsPerStep} µs/step span → ratio ${figures.testApiVsRuntime}× (uninstrumented run ${round(offUs)} µs/step)`],
  ];
  printRows(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
