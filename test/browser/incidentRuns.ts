// Real runs of the sample workspace's incidents, traced over OTLP/HTTP into the embedded collector
// (as `instrument-first demo` does): create-cluster good and faulty, checkout release 1 and 2.
// Their spans and the collector's diffs feed the screenshot test.
import { join, relative, sep } from 'node:path';
import { Collector } from '../../src/collector';
import { loadPlan } from '../../src/cli/planLoader';
import type { RunDiff } from '../../src/protocol/collectorTypes';
import type { SpanView } from '../../src/protocol/spanView';
import { Scheduler } from '../../src/runtime/scheduler';
import { createTracing } from '../../src/runtime/tracing';

export interface IncidentRun {
  traceId: string;
  title: string;
  spans: SpanView[];
}

export interface Incidents {
  clusterGood: IncidentRun;
  clusterFaulty: IncidentRun;
  checkout1: IncidentRun;
  checkout2: IncidentRun;
  clusterDiff: RunDiff;
  checkoutDiff: RunDiff;
}

const WS = join(__dirname, '..', '..', '..', 'sample-workspace');

/** Runs the four scenarios; `timeScale` multiplies the simulated cloud's latencies. */
export async function runIncidents(timeScale: number): Promise<Incidents> {
  const before = process.env.SAMPLE_TIME_SCALE;
  process.env.SAMPLE_TIME_SCALE = String(timeScale);
  const collector = new Collector({ port: 0 });
  const { endpoint } = await collector.start();
  try {
    const run = async (file: string, exportName: string | undefined, title: string): Promise<IncidentRun> => {
      const loaded = loadPlan(file, exportName, WS);
      const tracing = createTracing({ endpoint, memory: false, serviceName: 'instrument-first-demo' });
      // Workspace-relative code.filepath, as a user's workspace would show it: the screenshots
      // made from these runs (media/screenshots/) carry no path of the machine they ran on.
      const locate = (step: Parameters<typeof loaded.locate>[0]) => {
        const at = loaded.locate(step);
        return at?.filepath ? { ...at, filepath: relative(WS, at.filepath).split(sep).join('/') } : at;
      };
      const scheduler = new Scheduler({ tracing, locate });
      const result = await scheduler.execute(loaded.plan);
      await tracing.shutdown();
      return { traceId: result.traceId, title, spans: collector.store.trace(result.traceId) };
    };
    const clusterGood = await run('plans/create-cluster.ts', undefined, 'create-cluster · good');
    const clusterFaulty = await run('plans/create-cluster.ts', 'createClusterFaulty', 'create-cluster · faulty');
    const checkout1 = await run('plans/checkout.ts', undefined, 'checkout · release 1');
    const checkout2 = await run('plans/checkout.ts', 'checkoutRelease2', 'checkout · release 2');
    const clusterDiff = collector.store.diff(clusterGood.traceId, clusterFaulty.traceId);
    const checkoutDiff = collector.store.diff(checkout1.traceId, checkout2.traceId);
    if (!clusterDiff || !checkoutDiff) throw new Error('the collector has no diff of the incident runs');
    return { clusterGood, clusterFaulty, checkout1, checkout2, clusterDiff, checkoutDiff };
  } finally {
    await collector.stop();
    if (before === undefined) delete process.env.SAMPLE_TIME_SCALE;
    else process.env.SAMPLE_TIME_SCALE = before;
  }
}
