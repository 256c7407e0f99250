// bench:runtime — overhead per step span of the Scheduler, against the same plan with
// instrumentation off, measured in the same run; spans delivered vs produced; and the references:
// the OTel SDK's own in-memory path, and the SDK's default BatchSpanProcessor (which drops spans).
// Usage: node out/test/bench/runtimeBench.js [--json] [--steps N] [--rounds R]
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTracing } from '../../src/runtime/tracing';
import { Scheduler } from '../../src/runtime/scheduler';
import { procedure } from '../../src/runtime/procedure';
import type { Plan } from '../../src/runtime/types';
import { printRows, round } from './benchTable';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const STEPS = opt('--steps', 100_000);
const ROUNDS = opt('--rounds', 5);

function trivialPlan(n: number): Plan {
  return {
    name: 'bench',
    create: (ctx) => (ctx.pass === 1 ? Array.from({ length: n }, (_, i) => procedure(`step-${i}`, () => Promise.resolve())) : []),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function runScheduler(enabled: boolean): Promise<{ ms: number; produced: number; delivered: number; dropped: number }> {
  const tracing = createTracing({ enabled, endpoint: false, memory: true, env: {} });
  const scheduler = new Scheduler({ tracing });
  const t = performance.now();
  await scheduler.execute(trivialPlan(STEPS));
  await tracing.shutdown();
  const ms = performance.now() - t;
  return { ms, ...tracing.stats };
}

/** The SDK's own path: start+end one span per "step", SimpleSpanProcessor into its in-memory exporter. */
async function sdkInMemory(): Promise<number> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  const t = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const span = tracer.startSpan(`step-${i}`, { attributes: { 'procedure.id': `step-${i}` } });
    await Promise.resolve();
    span.end();
  }
  await provider.shutdown();
  return performance.now() - t;
}

/** The SDK's default batch setup with the same microtask-only steps: count what arrives. */
async function sdkDefaultBatch(): Promise<{ produced: number; delivered: number }> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < STEPS; i++) {
    const span = tracer.startSpan(`step-${i}`);
    await Promise.resolve();
    span.end();
  }
  await provider.forceFlush();
  const delivered = exporter.getFinishedSpans().length;
  await provider.shutdown();
  return { produced: STEPS, delivered };
}

async function main(): Promise<void> {
  const off: number[] = [];
  const on: number[] = [];
  const sdk: number[] = [];
  let produced = 0;
  let delivered = 0;
  let dropped = 0;
  await runScheduler(true); // warm-up
  await runScheduler(false);
  for (let r = 0; r < ROUNDS; r++) {
    off.push((await runScheduler(false)).ms);
    const o = await runScheduler(true);
    on.push(o.ms);
    produced += o.produced;
    delivered += o.delivered;
    dropped += o.dropped;
    sdk.push(await sdkInMemory());
  }
  const batch = await sdkDefaultBatch();
  const offUs = (median(off) * 1000) / STEPS;
  const onUs = (median(on) * 1000) / STEPS;
  const overheadUs = onUs - offUs;
  const sdkUs = (median(sdk) * 1000) / STEPS;
  const figures = {
    steps: STEPS,
    rounds: ROUNDS,
    stepOffUs: round(offUs),
    stepOnUs: round(onUs),
    overheadPerStepSpanUs: round(overheadUs),
    goalUs: 10,
    sdkInMemoryPerSpanUs: round(sdkUs),
    overheadVsSdkInMemory: round(overheadUs / sdkUs),
    spansProduced: produced,
    spansDelivered: delivered,
    spansDropped: dropped,
    deliveredRatio: round(delivered / produced, 6),
    sdkDefaultBatchDelivered: batch.delivered,
    sdkDefaultBatchDeliveredRatio: round(batch.delivered / batch.produced, 4),
  };
  if (json) {
    process.stdout.write(JSON.stringify(figures) + '\n');
    return;
  }
  const rows: Array<[string, string]> = [
    ['plan', `${STEPS.toLocaleString('en-US')} steps that only await a microtask, median of ${ROUNDS} rounds`],
    ['step, instrumentation off', `${figures.stepOffUs} µs`],
    ['step, instrumentation on', `${figures.stepOnUs} µs`],
    ['overhead per step span', `${figures.overheadPerStepSpanUs} µs (goal ≤ 10 µs) ${overheadUs <= 10 ? 'OK' : 'MISSED'}`],
    ['reference: SDK in-memory span', `${figures.sdkInMemoryPerSpanUs} µs/span → ratio ${figures.overheadVsSdkInMemory}×`],
    ['spans delivered / produced', `${delivered.toLocaleString('en-US')} / ${produced.toLocaleString('en-US')} (dropped ${dropped})`],
    ['reference: SDK default BatchSpanProcessor', `${batch.delivered.toLocaleString('en-US')} / ${batch.produced.toLocaleString('en-US')} delivered (${(100 * (1 - figures.sdkDefaultBatchDeliveredRatio)).toFixed(1)}% dropped silently)`],
  ];
  printRows(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
