import { runPlan } from '../testing/runPlan';
import type { PlanRunSummary } from '../summary/runSummary';
import { loadFreshPlan } from './freshPlan';

export interface PlanRuns {
  plan: string;
  exportName: string;
  summaries: PlanRunSummary[];
  traceIds: string[];
}

/**
 * Runs a plan file `runs` times in this process, one after the other, each with freshly loaded
 * modules (plans keep their world in module state), and summarises each run once.
 */
export async function runPlanFile(file: string, exportName: string | undefined, runs: number, pin: readonly string[], onRun?: (i: number) => void): Promise<PlanRuns> {
  const summaries: PlanRunSummary[] = [];
  const traceIds: string[] = [];
  let plan = '';
  let chosen = exportName ?? 'default';
  for (let i = 0; i < runs; i++) {
    onRun?.(i);
    const loaded = loadFreshPlan(file, exportName);
    chosen = loaded.exportName;
    const run = await runPlan(loaded.plan, { pin, locate: loaded.locate });
    plan = run.result.plan;
    summaries.push(run.trace.summary);
    traceIds.push(run.result.traceId);
  }
  return { plan, exportName: chosen, summaries, traceIds };
}
