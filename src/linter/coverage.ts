import type { CoverageReport, ExecutedProcedures, IndexSnapshot, PlanCoverage, ProcedureCoverage, ProcedureInfo } from '../protocol/lintTypes';

/**
 * Observability coverage: procedures found, instrumented (do() records something on its span) and,
 * when the last run's executed ids/types are given, executed — per plan (what its create() can
 * return, transitively through the steps' do()) and for the workspace.
 */
export function computeCoverage(index: IndexSnapshot, uninstrumented: ReadonlySet<string>, executed?: ExecutedProcedures): CoverageReport {
  const ids = executed ? new Set(executed.ids ?? []) : undefined;
  const types = executed ? new Set(executed.types ?? []) : undefined;
  const ran = (p: ProcedureInfo): boolean | undefined => {
    if (!ids || !types) return undefined;
    if (p.id.value !== undefined && ids.has(p.id.value)) return true;
    return p.typeName !== 'function' && p.typeName !== 'object' && types.has(p.typeName);
  };
  const byKey = new Map(index.procedures.map((p) => [p.key, p]));
  const procedures: ProcedureCoverage[] = index.procedures.map((p) => {
    const c: ProcedureCoverage = {
      key: p.key,
      typeName: p.typeName,
      id: p.id.value ?? p.id.text,
      file: p.file,
      line: p.doRange.startLine,
      instrumented: !uninstrumented.has(p.key),
    };
    const e = ran(p);
    if (e !== undefined) c.executed = e;
    return c;
  });
  const cov = new Map(procedures.map((c) => [c.key, c]));
  const counts = (list: ProcedureCoverage[]): { found: number; instrumented: number; executed?: number } => {
    const out: { found: number; instrumented: number; executed?: number } = { found: list.length, instrumented: list.filter((c) => c.instrumented).length };
    if (executed) out.executed = list.filter((c) => c.executed).length;
    return out;
  };
  const plans: PlanCoverage[] = index.plans.map((plan) => {
    const reach = new Set<string>();
    const queue = [...plan.returns];
    while (queue.length) {
      const k = queue.pop()!;
      if (reach.has(k)) continue;
      const p = byKey.get(k);
      if (!p) continue;
      reach.add(k);
      queue.push(...p.returns);
    }
    const list = [...reach].map((k) => cov.get(k)!).filter(Boolean);
    return { key: plan.key, planName: plan.planName.value ?? plan.name ?? plan.planName.text, file: plan.file, procedures: [...reach], ...counts(list) };
  });
  return { workspace: counts(procedures), plans, procedures };
}
