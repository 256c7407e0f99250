/**
 * The linter's index (ts-morph, in its worker) as the extension's static procedure list: more
 * precise than the text scan (structural classes, object literals), with instrumentation coverage.
 */
import type { CoverageReport, IndexSnapshot } from '../protocol/lintMessages';

type ProcedureInfo = IndexSnapshot['procedures'][number];
import type { ScannedProcedure } from './planScan';

export interface IndexedProcedure {
  procedure: ScannedProcedure;
  file: string;
  /** From coverage: false when the procedure records nothing on its span. */
  instrumented?: boolean;
}

export function toScannedProcedure(p: ProcedureInfo): ScannedProcedure {
  const id = p.id.value;
  if (p.typeName === 'function' || p.typeName === 'object') {
    return { kind: 'function', key: id ?? p.name ?? p.typeName, line: p.declaration.startLine, ...(id ? { id } : {}) };
  }
  return { kind: 'class', key: p.typeName, line: p.declaration.startLine, ...(id ? { id } : {}) };
}

export function proceduresFromIndex(index: IndexSnapshot, coverage?: CoverageReport): IndexedProcedure[] {
  const instrumented = new Map<string, boolean>();
  for (const c of coverage?.procedures ?? []) instrumented.set(c.key, c.instrumented);
  return index.procedures.map((p) => {
    const out: IndexedProcedure = { procedure: toScannedProcedure(p), file: p.file };
    const inst = instrumented.get(p.key);
    if (inst !== undefined) out.instrumented = inst;
    return out;
  });
}

/** Procedures of the index in `file` that the text scan did not find (merged into a document's lenses). */
export function missingFromScan(indexed: readonly IndexedProcedure[], scanned: readonly ScannedProcedure[]): ScannedProcedure[] {
  const seen = new Set(scanned.map((s) => `${s.kind}:${s.key}:${s.line}`));
  return indexed.map((i) => i.procedure).filter((p) => !seen.has(`${p.kind}:${p.key}:${p.line}`) && !scanned.some((s) => s.key === p.key));
}
