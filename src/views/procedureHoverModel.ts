/**
 * What a procedure's hover says, computed without VS Code: which procedure a hovered line belongs
 * to (its declaration, its id string, its `do()`), its figures over *comparable* runs (same plan
 * and export, debugged runs left out upstream), and the calls it made per service and operation
 * in its last run with their usual count ("ELBv2 × 1, usually × 2").
 */
import { Attr } from '../protocol/attributes';
import type { RunSummary } from '../protocol/collectorTypes';
import type { SpanView } from '../protocol/spanView';
import type { ProcedureStatsLike } from './format';
import type { ScannedProcedure } from './planScan';
import { runKey } from './runIdentity';

const HOVER_LINE = /\bid\s*[:=]|\bdo\s*[(<]|\bprocedure\s*\(|\bclass\s/;

/** The procedure whose declaration, id string or `do()` is on `line` (0-based) of `lines`. */
export function procedureAtLine<P extends Pick<ScannedProcedure, 'line'>>(procedures: readonly P[], lines: readonly string[], line: number): P | undefined {
  const sorted = [...procedures].sort((a, b) => a.line - b.line);
  let owner: P | undefined;
  for (const p of sorted) if (p.line <= line) owner = p;
  if (!owner) return undefined;
  if (owner.line === line) return owner;
  // Inside the body (before the next class): only its id and do() lines answer.
  for (let i = owner.line + 1; i < line; i++) if (/^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s/.test(lines[i] ?? '')) return undefined;
  return HOVER_LINE.test(lines[line] ?? '') ? owner : undefined;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface ComparableFigures {
  /** The run the figures are compared with: the procedure's latest. */
  last: RunSummary | undefined;
  /** Trace ids of the comparable runs, newest first (the last one included). */
  traceIds: string[];
  p50Ms: number;
  p95Ms: number;
  errorRuns: number;
}

/** p50/p95 of the procedure's time per run, over the runs of the same plan and export as its latest. */
export function comparableFigures(stats: Pick<ProcedureStatsLike, 'recent'>, runsById: ReadonlyMap<string, RunSummary>): ComparableFigures {
  const withRuns = stats.recent.map((r) => ({ r, run: runsById.get(r.traceId) })).filter((x) => x.run);
  const last = withRuns[0]?.run;
  const key = last ? runKey(last) : undefined;
  const same = withRuns.filter((x) => runKey(x.run!) === key);
  const sorted = same.map((x) => x.r.durationMs).sort((a, b) => a - b);
  return {
    last,
    traceIds: same.map((x) => x.r.traceId),
    p50Ms: pct(sorted, 50),
    p95Ms: pct(sorted, 95),
    errorRuns: same.filter((x) => x.r.status === 'error').length,
  };
}

/** Calls (`kind: call` spans, any depth) below the steps of one procedure in one run, by name. */
export function callCounts(spans: readonly SpanView[], procedureId: string): Map<string, number> {
  const children = new Map<string, SpanView[]>();
  for (const s of spans) if (s.parentSpanId) (children.get(s.parentSpanId) ?? children.set(s.parentSpanId, []).get(s.parentSpanId)!).push(s);
  const out = new Map<string, number>();
  const walk = (id: string, depth: number): void => {
    if (depth > 50) return;
    for (const c of children.get(id) ?? []) {
      if (c.attributes[Attr.kind] === 'step') continue; // a returned step's calls are its own
      if (c.attributes[Attr.kind] === 'call') out.set(c.name, (out.get(c.name) ?? 0) + 1);
      walk(c.spanId, depth + 1);
    }
  };
  for (const s of spans) if (s.attributes[Attr.kind] === 'step' && s.attributes[Attr.procedureId] === procedureId) walk(s.spanId, 0);
  return out;
}

export interface CallLine {
  name: string;
  count: number;
  /** Median over the earlier comparable runs; undefined without any. */
  usual: number | undefined;
}

/**
 * Per service (first word of the call name) and per call: the count in the last run and the usual
 * count (median of the earlier runs). Services first, then their operations; changed ones first.
 */
export function callLines(last: ReadonlyMap<string, number>, earlier: readonly ReadonlyMap<string, number>[]): CallLine[] {
  const names = new Set<string>([...last.keys(), ...earlier.flatMap((m) => [...m.keys()])]);
  const service = (n: string) => n.split(/\s+/)[0] || n;
  const services = new Set([...names].map(service));
  const median = (xs: number[]): number | undefined => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : undefined);
  const sum = (m: ReadonlyMap<string, number>, svc: string) => [...m].filter(([n]) => service(n) === svc).reduce((a, [, c]) => a + c, 0);
  const out: CallLine[] = [];
  for (const svc of [...services].sort()) {
    out.push({ name: svc, count: sum(last, svc), usual: median(earlier.map((m) => sum(m, svc))) });
    for (const n of [...names].filter((x) => service(x) === svc && x !== svc).sort()) out.push({ name: n, count: last.get(n) ?? 0, usual: median(earlier.map((m) => m.get(n) ?? 0)) });
  }
  return out;
}

/** `ELBv2 × 1, usually × 2` or `ELBv2 × 2`. */
export function callLineText(l: CallLine): string {
  return l.usual !== undefined && l.usual !== l.count ? `${l.name} × ${l.count}, usually × ${l.usual}` : `${l.name} × ${l.count}`;
}
