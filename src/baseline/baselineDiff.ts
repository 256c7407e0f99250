import type { CallCountDiff, RunDiff, RunSummary, StepChangeReason, StepDiff } from '../protocol/collectorTypes';
import type { PlanRunSummary } from '../summary/runSummary';
import { buildBaseline, type Baseline, type BaselineStep } from './baseline';
import { durationLimit } from './compare';

/** The trace id the compare view shows for a baseline (it is no stored run: nothing to open). */
export const BASELINE_PSEUDO_TRACE_ID = 'baseline';

/**
 * A run compared with its baseline in the shape the compare view draws (A = the baseline as a
 * pseudo-run labelled "baseline", B = the run). Steps are matched by pass and key (path and
 * occurrence), calls by `service operation`; A's durations are the baseline's medians. A step
 * counts as changed in duration only beyond the baseline's limit (maximum × (1 + tolerance) + slack).
 */
export function baselineRunDiff(base: Baseline, baselineFile: string, run: PlanRunSummary, runInfo: RunSummary): RunDiff {
  const seen = buildBaseline([run], { planFile: base.planFile, exportName: base.export, pin: base.pin });
  const spanIds = new Map<string, string>();
  for (const p of run.passes) for (const st of p.steps) spanIds.set(`${p.pass}\u0000${st.key}`, st.spanId);
  const added: StepDiff[] = [];
  const removed: StepDiff[] = [];
  const changed: StepDiff[] = [];
  let unchangedCount = 0;
  const passNos = [...new Set([...base.passes.map((p) => p.pass), ...seen.passes.map((p) => p.pass)])].sort((x, y) => x - y);
  for (const pass of passNos) {
    const bSteps = base.passes.find((p) => p.pass === pass)?.steps ?? [];
    const sSteps = seen.passes.find((p) => p.pass === pass)?.steps ?? [];
    const bByKey = new Map(bSteps.map((s) => [s.key, s]));
    const sByKey = new Map(sSteps.map((s) => [s.key, s]));
    for (const s of sSteps) if (!bByKey.has(s.key)) added.push(stepDiff(pass, undefined, s, spanIds.get(`${pass}\u0000${s.key}`), []));
    for (const b of bSteps) {
      const s = sByKey.get(b.key);
      if (!s) {
        removed.push(stepDiff(pass, b, undefined, undefined, []));
        continue;
      }
      const d = stepDiff(pass, b, s, spanIds.get(`${pass}\u0000${s.key}`), []);
      if (d.calls.some((c) => c.countA !== c.countB)) d.reasons.push('calls');
      if (b.status !== s.status) d.reasons.push('status');
      if (s.duration.medianMs > durationLimit(base, b.duration.maxMs)) d.reasons.push('duration');
      if (d.reasons.length) changed.push(d);
      else unchangedCount++;
    }
  }
  const a: RunSummary = {
    traceId: BASELINE_PSEUDO_TRACE_ID,
    kind: 'plan',
    plan: `baseline: ${base.plan} (${baselineFile}, median of ${base.runs} run${base.runs === 1 ? '' : 's'})`,
    startMs: 0,
    durationMs: base.duration.medianMs,
    passes: base.passes.length,
    status: base.outcome === 'converged' || base.outcome === 'failed' || base.outcome === 'cancelled' || base.outcome === 'not_converged' ? base.outcome : 'incomplete',
    spanCount: 0,
    errorCount: 0,
    serviceName: 'baseline',
  };
  return { a, b: runInfo, durationDeltaMs: runInfo.durationMs - a.durationMs, added, removed, changed, unchangedCount };
}

function stepDiff(pass: number, b: BaselineStep | undefined, s: BaselineStep | undefined, spanIdB: string | undefined, reasons: StepChangeReason[]): StepDiff {
  const key = (s ?? b)!.key;
  const hash = key.lastIndexOf('#');
  const path = key.slice(0, hash);
  const d: StepDiff = { procedureId: path.slice(path.lastIndexOf('/') + 1), pass, occurrence: Number(key.slice(hash + 1)) || 0, calls: calls(b?.calls, s?.calls), reasons };
  if (b) {
    d.durationMsA = b.duration.medianMs;
    d.statusA = b.status;
  }
  if (s) {
    d.durationMsB = s.duration.medianMs;
    d.statusB = s.status;
    if (spanIdB) d.spanIdB = spanIdB;
  }
  return d;
}

function calls(a: Record<string, number> | undefined, b: Record<string, number> | undefined): CallCountDiff[] {
  const names = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  const out = [...names].map((name) => ({ name, countA: a?.[name] ?? 0, countB: b?.[name] ?? 0 }));
  return out.sort((x, y) => Number(y.countA !== y.countB) - Number(x.countA !== x.countB) || x.name.localeCompare(y.name));
}
