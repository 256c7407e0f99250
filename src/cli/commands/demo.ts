import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { loadPlan } from '../planLoader';
import { renderWaterfall } from '../../text/waterfall';
import { formatDuration } from '../../text/duration';
import { formatDiff } from '../diffText';
import { Collector } from '../../collector';
import { Scheduler } from '../../runtime/scheduler';
import { createTracing } from '../../runtime/tracing';
import type { RunResult } from '../../runtime/types';

const HELP = `Usage: instrument-first demo [workspace] [--time-scale X] [--no-lint]

The main job, end to end: starts the embedded in-memory OTLP collector, runs the sample plans
(create-cluster good and faulty, checkout release 1 and 2) sending their spans over OTLP/HTTP to
it, prints the waterfalls and what changed between the runs from the collector's store, then the
instrumentation hints of the workspace. workspace defaults to ./sample-workspace.
`;

interface Scenario {
  title: string;
  file: string;
  exportName?: string;
}

export const demoCommand: CliCommand = {
  summary: 'run the sample plans into the embedded collector; print waterfalls, diffs and hints',
  async run(argv) {
    const parsed = parseCommandArgs('demo', HELP, argv, {
      'time-scale': { type: 'string' },
      'no-lint': { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    const ws = resolve(positionals[0] ?? 'sample-workspace');
    if (!existsSync(resolve(ws, 'plans/create-cluster.ts'))) throw new CliError(`demo: ${ws} is not the sample workspace (no plans/create-cluster.ts)`, 2);
    // The simulated cloud's latencies are real time; a quarter keeps the demo short.
    process.env.SAMPLE_TIME_SCALE = values['time-scale'] ?? process.env.SAMPLE_TIME_SCALE ?? '0.25';
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const out = (s = '') => process.stdout.write(s + '\n');
    const heading = (s: string) => out(color ? `\x1b[1m${s}\x1b[0m` : s);

    const collector = new Collector({ port: 0 });
    const { endpoint } = await collector.start();
    heading(`Embedded OTLP collector listening on ${endpoint} (loopback only) · time scale ${process.env.SAMPLE_TIME_SCALE}`);
    try {
      const scenarios: Scenario[] = [
        { title: 'create-cluster — the good run', file: 'plans/create-cluster.ts' },
        { title: 'create-cluster — incident 1: an ELBv2 error swallowed in a step', file: 'plans/create-cluster.ts', exportName: 'createClusterFaulty' },
        { title: 'checkout — release 1', file: 'plans/checkout.ts' },
        { title: 'checkout — incident 2: release 2', file: 'plans/checkout.ts', exportName: 'checkoutRelease2' },
      ];
      const results: RunResult[] = [];
      for (const sc of scenarios) {
        const loaded = loadPlan(sc.file, sc.exportName, ws);
        const tracing = createTracing({ endpoint, memory: false, serviceName: 'instrument-first-demo' });
        const scheduler = new Scheduler({ tracing, locate: loaded.locate });
        const result = await scheduler.execute(loaded.plan);
        await tracing.shutdown();
        results.push(result);
        const spans = collector.store.trace(result.traceId);
        out();
        heading(`▶ ${sc.title}`);
        out(`trace ${result.traceId} · ${spans.length} spans received by the collector`);
        out(renderWaterfall(spans, { width: Math.min(process.stdout.columns || 110, 130), color, maxRows: 40 }));
        out(`${result.converged ? '✔' : '✗'} ${result.outcome} after ${result.passes} passes · ${result.stepsRun} steps · ${formatDuration(result.durationMs)}`);
      }
      const [good, faulty, r1, r2] = results as [RunResult, RunResult, RunResult, RunResult];
      out();
      const diff = (a: RunResult, b: RunResult) => {
        const d = collector.store.diff(a.traceId, b.traceId);
        return d ? formatDiff(d) : `(run ${a.traceId} or ${b.traceId} is not in the collector)\n`;
      };
      heading('What changed: create-cluster good → faulty (both "converged")');
      out(diff(good, faulty));
      heading('What changed: checkout release 1 → release 2');
      out(diff(r1, r2));
    } finally {
      await collector.stop();
    }
    if (!values['no-lint']) {
      out();
      heading(`Instrumentation hints for ${ws}`);
      await (await import('./lint')).lintCommand.run([ws, '--coverage']);
    }
    return 0;
  },
};
