import { Attr } from '../../../protocol/attributes';
import type { ProcedureRun, ProcedureStats, ProcedureStatsQuery } from '../../../protocol/collectorTypes';
import { attr, attrString, isErrorRecord, type SpanRecord } from '../spanRecord';
import type { TraceEntry, TraceSource } from '../traceEntry';
import { percentile } from './percentiles';

interface Acc {
  procedureId: string;
  procedureType: string;
  filepath: string | undefined;
  codeFunction: string | undefined;
  durations: number[];
  errors: number;
  lastMs: number;
  lastRunCount: number;
  recent: ProcedureRun[];
}

export function isStep(rec: SpanRecord): boolean {
  return attr(rec, Attr.kind) === 'step' || (attr(rec, Attr.procedureId) !== undefined && attr(rec, Attr.kind) === undefined);
}

/** Per-procedure statistics over the newest `lastRuns` plan runs (completed or running). */
export function procedureStats(store: TraceSource, query: ProcedureStatsQuery): ProcedureStats[] {
  const lastRuns = Math.max(1, Math.min(query.lastRuns ?? 20, 10_000));
  const runs = store
    .runs()
    .filter((r) => r.kind === 'plan' && (!query.plan || r.plan === query.plan) && !(query.excludeDebug && r.runKind === 'debug'))
    .slice(0, lastRuns);
  const byId = new Map<string, Acc>();
  // Newest run first: the first run a procedure is seen in gives its "last" figures.
  for (const run of runs) {
    const entry = store.entry(run.traceId);
    if (!entry) continue;
    const inRun = collect(entry);
    for (const [id, spans] of inRun) {
      let acc = byId.get(id);
      const first = spans[0]!;
      if (!acc) {
        const latest = spans.reduce((a, b) => (b.startMs > a.startMs ? b : a));
        acc = {
          procedureId: id,
          procedureType: attrString(first, Attr.procedureType) ?? '',
          filepath: attrString(first, Attr.codeFilepath),
          codeFunction: attrString(first, Attr.codeFunction),
          durations: [],
          errors: 0,
          lastMs: latest.endMs - latest.startMs,
          lastRunCount: spans.length,
          recent: [],
        };
        byId.set(id, acc);
      }
      let total = 0;
      let failed = false;
      for (const s of spans) {
        const d = s.endMs - s.startMs;
        acc.durations.push(d);
        total += d;
        if (isErrorRecord(s)) {
          acc.errors++;
          failed = true;
        }
      }
      acc.recent.push({ traceId: run.traceId, durationMs: total, status: failed ? 'error' : 'ok', startMs: run.startMs });
    }
  }
  const out: ProcedureStats[] = [];
  for (const acc of byId.values()) {
    const sorted = acc.durations.sort((a, b) => a - b);
    const stats: ProcedureStats = {
      procedureId: acc.procedureId,
      procedureType: acc.procedureType,
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
    if (acc.filepath) stats.filepath = acc.filepath;
    if (acc.codeFunction) stats.codeFunction = acc.codeFunction;
    out.push(stats);
  }
  return out.sort((a, b) => a.procedureId.localeCompare(b.procedureId));
}

function collect(entry: TraceEntry): Map<string, SpanRecord[]> {
  const m = new Map<string, SpanRecord[]>();
  for (const rec of entry.spans.values()) {
    if (!isStep(rec)) continue;
    const id = attrString(rec, Attr.procedureId) ?? rec.name;
    const list = m.get(id);
    if (list) list.push(rec);
    else m.set(id, [rec]);
  }
  return m;
}
