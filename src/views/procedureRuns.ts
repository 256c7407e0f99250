/**
 * "Did this procedure run in the last run?" asked per plan: a procedure belongs to the plans
 * (file + export) whose runs it appears in, and it is "in the last run" when it appears in the
 * newest run of one of those plans. Running checkout does not make create-cluster's steps stale.
 */
import type { RunSummary } from '../protocol/collectorTypes';
import type { ProcedureStatsLike } from './format';
import { latestPerKey, runKey } from './runIdentity';

export type ProcedureRunState =
  | { kind: 'not-run' }
  /** It ran in the newest run of a plan it belongs to. */
  | { kind: 'in-last-run'; run: RunSummary }
  /** Its plans ran again since, without it. */
  | { kind: 'not-in-last-run'; lastSeen: RunSummary | undefined };

export interface RunIndex {
  byId: ReadonlyMap<string, RunSummary>;
  latest: ReadonlyMap<string, RunSummary>;
}

/** Index the finished runs once per refresh (newest first in). */
export function indexRuns(runs: readonly RunSummary[]): RunIndex {
  const done = runs.filter((r) => r.kind === 'plan' && r.status !== 'running');
  return { byId: new Map(done.map((r) => [r.traceId, r])), latest: latestPerKey(done) };
}

export function procedureRunState(stats: Pick<ProcedureStatsLike, 'recent'> | undefined, runs: RunIndex): ProcedureRunState {
  if (!stats || stats.recent.length === 0) return { kind: 'not-run' };
  let lastSeen: RunSummary | undefined;
  for (const r of stats.recent) {
    const run = runs.byId.get(r.traceId);
    if (!run) continue;
    lastSeen ??= run;
    if (runs.latest.get(runKey(run))?.traceId === run.traceId) return { kind: 'in-last-run', run };
  }
  return { kind: 'not-in-last-run', lastSeen };
}

/** Procedure ids and types that ran in the newest run of each plan (for coverage). */
export function executedInLatestRuns(stats: readonly Pick<ProcedureStatsLike, 'procedureId' | 'procedureType' | 'recent'>[], runs: RunIndex): { ids: string[]; types: string[] } {
  const latest = new Set([...runs.latest.values()].map((r) => r.traceId));
  const ran = stats.filter((s) => s.recent.some((r) => latest.has(r.traceId)));
  return { ids: ran.map((s) => s.procedureId), types: [...new Set(ran.map((s) => s.procedureType))] };
}
