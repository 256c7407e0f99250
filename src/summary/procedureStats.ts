/**
 * Per-procedure statistics aggregated from run summaries, which are computed once per trace
 * version: the one implementation behind the collector's query (read API, CLI) and the editor's
 * views (CodeLens, decorations, hovers, the Procedures view, coverage's "executed").
 */
import type { ProcedureRun, ProcedureStats, ProcedureStatsQuery, RunSummary } from '../protocol/collectorTypes';
import type { PlanRunSummary, StepSummary } from './runSummary';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

interface Acc {
  first: StepSummary;
  durations: number[];
  errors: number;
  lastMs: number;
  lastRunCount: number;
  recent: ProcedureRun[];
}

/** The runs statistics consider: plan runs, newest first, debug runs left out when asked, at most `lastRuns`. */
export function statsRuns(runs: readonly RunSummary[], query: ProcedureStatsQuery): RunSummary[] {
  const lastRuns = Math.max(1, Math.min(query.lastRuns ?? 20, 10_000));
  return runs
    .filter((r) => r.kind === 'plan' && (!query.plan || r.plan === query.plan) && !(query.excludeDebug && r.runKind === 'debug'))
    .sort((a, b) => b.startMs - a.startMs)
    .slice(0, lastRuns);
}

/** Statistics per procedure id over the newest runs (running ones included, from their preview summary). */
export function procedureStatsFromSummaries(
  runs: readonly RunSummary[],
  summaryOf: (traceId: string) => PlanRunSummary | undefined,
  query: ProcedureStatsQuery = {},
): ProcedureStats[] {
  const byId = new Map<string, Acc>();
  for (const run of statsRuns(runs, query)) {
    const summary = summaryOf(run.traceId);
    if (!summary) continue;
    const inRun = new Map<string, StepSummary[]>();
    for (const p of summary.passes) {
      for (const st of p.steps) {
        const list = inRun.get(st.procedureId);
        if (list) list.push(st);
        else inRun.set(st.procedureId, [st]);
      }
    }
    for (const [id, steps] of inRun) {
      let acc = byId.get(id);
      if (!acc) {
        const latest = steps.reduce((a, b) => (b.startMs > a.startMs ? b : a));
        acc = { first: steps[0]!, durations: [], errors: 0, lastMs: latest.durationMs, lastRunCount: steps.length, recent: [] };
        byId.set(id, acc);
      }
      let total = 0;
      let failed = false;
      for (const st of steps) {
        acc.durations.push(st.durationMs);
        total += st.durationMs;
        if (st.failed) {
          acc.errors++;
          failed = true;
        }
      }
      acc.recent.push({ traceId: run.traceId, durationMs: total, status: failed ? 'error' : 'ok', startMs: run.startMs });
    }
  }
  const out: ProcedureStats[] = [];
  for (const [id, acc] of byId) {
    const sorted = acc.durations.sort((a, b) => a - b);
    const stats: ProcedureStats = {
      procedureId: id,
      procedureType: acc.first.procedureType,
      count: sorted.length,
      errors: acc.errors,
      lastMs: acc.lastMs,
      lastRunCount: acc.lastRunCount,
      minMs: sorted[0] ?? 0,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      runs: acc.recent.length,
      recent: acc.recent,
    };
    if (acc.first.filepath) stats.filepath = acc.first.filepath;
    if (acc.first.codeFunction) stats.codeFunction = acc.first.codeFunction;
    out.push(stats);
  }
  return out.sort((a, b) => a.procedureId.localeCompare(b.procedureId));
}

/** Calls below the steps of one procedure in one run, by `service operation` (nested steps' calls are their own). */
export function callCountsOf(summary: PlanRunSummary, procedureId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of summary.passes) {
    for (const st of p.steps) {
      if (st.procedureId !== procedureId) continue;
      for (const c of st.calls) out.set(c.label, (out.get(c.label) ?? 0) + c.count);
    }
  }
  return out;
}
