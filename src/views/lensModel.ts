/**
 * Which statistics belong to which line: matches the procedures and plans found in a source file
 * with the collector's procedure statistics and runs. Pure; the CodeLens, decoration and hover
 * providers only render what this returns.
 */
import type { PlanScan, ScannedPlan, ScannedPlanClass, ScannedProcedure } from './planScan';
import type { ProcedureStatsLike, RunLike } from './format';
import { isRunOf, samePath } from './runIdentity';

export { samePath };

export interface ProcedureAtLine {
  procedure: ScannedProcedure;
  /** Undefined when the procedure never ran in the considered runs. */
  stats: ProcedureStatsLike | undefined;
}

export interface PlanAtLine {
  plan: ScannedPlan;
  run: RunLike | undefined;
}

function newest(s: ProcedureStatsLike): number {
  return s.recent[0]?.startMs ?? 0;
}

/** Merges several statistics of one class (instances with different ids) into one line's figures. */
export function mergeStats(list: ProcedureStatsLike[]): ProcedureStatsLike | undefined {
  if (list.length <= 1) return list[0];
  const sorted = [...list].sort((a, b) => newest(b) - newest(a));
  const head = sorted[0]!;
  const lastTrace = head.recent[0]?.traceId;
  const inLast = sorted.filter((s) => s.recent[0]?.traceId === lastTrace);
  const traces = new Set<string>();
  for (const s of sorted) for (const r of s.recent) traces.add(r.traceId);
  const recentByTrace = new Map<string, ProcedureStatsLike['recent'][number]>();
  for (const s of sorted) {
    for (const r of s.recent) {
      const prev = recentByTrace.get(r.traceId);
      recentByTrace.set(r.traceId, prev ? { ...prev, durationMs: prev.durationMs + r.durationMs, status: prev.status === 'error' ? 'error' : r.status } : r);
    }
  }
  return {
    ...head,
    count: sorted.reduce((n, s) => n + s.count, 0),
    errors: sorted.reduce((n, s) => n + s.errors, 0),
    lastRunCount: inLast.reduce((n, s) => n + s.lastRunCount, 0),
    p50Ms: Math.max(...sorted.map((s) => s.p50Ms)),
    p95Ms: Math.max(...sorted.map((s) => s.p95Ms)),
    runs: traces.size,
    recent: [...recentByTrace.values()].sort((a, b) => b.startMs - a.startMs),
  };
}

/** Statistics indexed once per store change, looked up per document. */
export class StatsIndex {
  private readonly byType = new Map<string, ProcedureStatsLike[]>();
  private readonly byId = new Map<string, ProcedureStatsLike[]>();

  constructor(stats: readonly ProcedureStatsLike[]) {
    for (const s of stats) {
      push(this.byType, s.procedureType, s);
      push(this.byId, s.procedureId, s);
    }
  }

  forProcedure(p: ScannedProcedure, filePath: string): ProcedureStatsLike | undefined {
    const fileOk = (s: ProcedureStatsLike) => !s.filepath || samePath(s.filepath, filePath);
    if (p.kind === 'class') {
      const list = (this.byType.get(p.key) ?? []).filter(fileOk);
      if (list.length) return mergeStats(list);
      return p.id ? mergeStats((this.byId.get(p.id) ?? []).filter(fileOk)) : undefined;
    }
    return mergeStats((this.byId.get(p.key) ?? []).filter(fileOk));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * The run a plan's lens describes: the newest run stamped with exactly this file and export, or
 * (a run from a tool that does not stamp them) whose plan name is one of the names in the file.
 * Runs of another export of the same plan name are never shown here.
 */
export function runForPlan(plan: ScannedPlan, runs: readonly RunLike[], filePath: string): RunLike | undefined {
  return newestOf(runs.filter((r) => isRunOf(r, filePath, plan.exportName, plan.nameHints)));
}

function newestOf(runs: readonly RunLike[]): RunLike | undefined {
  let best: RunLike | undefined;
  for (const r of runs) if (!best || r.startMs > best.startMs) best = r;
  return best;
}

export interface PlanClassAtLine {
  planClass: ScannedPlanClass;
  run: RunLike | undefined;
}

export interface DocumentLensModel {
  plans: PlanAtLine[];
  /** Classes implementing Plan: the newest run of any of the file's plans. */
  planClasses: PlanClassAtLine[];
  procedures: ProcedureAtLine[];
}

export function documentLensModel(
  scan: PlanScan,
  filePath: string,
  index: StatsIndex,
  runs: readonly RunLike[],
): DocumentLensModel {
  const plans = scan.plans.map((plan) => ({ plan, run: runForPlan(plan, runs, filePath) }));
  const newestOfFile = newestOf(plans.flatMap((p) => (p.run ? [p.run] : [])));
  return {
    plans,
    planClasses: scan.planClasses.map((planClass) => ({ planClass, run: newestOfFile })),
    procedures: scan.procedures.map((procedure) => ({ procedure, stats: index.forProcedure(procedure, filePath) })),
  };
}
