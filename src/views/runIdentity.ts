/**
 * Which plan and export a run is a run of, and whether it was debugged: what the runner stamped on
 * the root span (`plan.file`, `plan.export`, `instrument_first.run_kind`). Runs are keyed, labelled
 * and compared by plan *and* export; runs from other tools (no stamp) fall back to the plan name.
 */
import type { RunSummary } from '../protocol/collectorTypes';

export type RunIdentity = Pick<RunSummary, 'plan' | 'planFile' | 'exportName' | 'runKind'>;

/** Paths as the runtime records them (`code.filepath`, `plan.file`) vs as the editor has them. */
export function samePath(a: string, b: string): boolean {
  const n = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^([a-z]):/i, (_, d: string) => d.toLowerCase() + ':');
  const x = n(a);
  const y = n(b);
  return x === y || x.endsWith('/' + y) || y.endsWith('/' + x);
}

/** `plans/create-cluster.ts#createClusterFaulty`, or `plan:create-cluster` for unstamped runs. */
export function runKey(r: RunIdentity): string {
  return r.planFile ? `${r.planFile.replace(/\\/g, '/')}#${r.exportName ?? 'default'}` : `plan:${r.plan}`;
}

/** `create-cluster`, `create-cluster · createClusterFaulty` (the export only when it is not the default). */
export function runTitle(r: RunIdentity): string {
  const name = r.plan || '(unnamed plan)';
  return r.exportName && r.exportName !== 'default' ? `${name} · ${r.exportName}` : name;
}

/** True for runs launched under a debugger: their durations include pauses at breakpoints. */
export function isDebugRun(r: Pick<RunSummary, 'runKind'>): boolean {
  return r.runKind === 'debug';
}

/** Same plan file and export (or, unstamped, the same plan name): their figures compare. */
export function sameRunKey(a: RunIdentity, b: RunIdentity): boolean {
  return runKey(a) === runKey(b);
}

/**
 * Whether a run is a run of this export of the file at `filePath`: by its stamp when it has one,
 * else (a run from a terminal or another tool) when its plan name is one of `nameHints`.
 */
export function isRunOf(r: RunIdentity, filePath: string, exportName: string, nameHints: readonly string[]): boolean {
  if (r.planFile) return samePath(r.planFile, filePath) && (r.exportName ?? 'default') === exportName;
  return nameHints.includes(r.plan);
}

/** The newest run of each key (runs newest first in, newest first out). */
export function latestPerKey<T extends RunIdentity & { startMs: number }>(runs: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const r of runs) {
    const k = runKey(r);
    const have = out.get(k);
    if (!have || r.startMs > have.startMs) out.set(k, r);
  }
  return out;
}
