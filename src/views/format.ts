/**
 * Text shown next to code: durations, CodeLens titles, run labels. Pure, so it is tested in
 * plain Node; the shapes below are the fields of the collector's summaries that are read here.
 */

import type { ProcedureStats, RunSummary } from '../protocol/collectorTypes';
import { runTitle } from './runIdentity';
import { formatDuration } from '../text/duration';

export type { RunStatus } from '../protocol/collectorTypes';

export type RunLike = Pick<RunSummary, 'traceId' | 'plan' | 'startMs' | 'durationMs' | 'passes' | 'status' | 'spanCount' | 'errorCount'> &
  Partial<Pick<RunSummary, 'planFile' | 'exportName' | 'runKind'>>;

export type ProcedureStatsLike = Pick<
  ProcedureStats,
  'procedureId' | 'procedureType' | 'filepath' | 'count' | 'errors' | 'lastMs' | 'lastRunCount' | 'p50Ms' | 'p95Ms' | 'runs' | 'recent'
>;

function trim(n: string): string {
  return n.endsWith('.0') ? n.slice(0, -2) : n;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `412 ms · ×2 last run · p95 530 ms over 12 runs · 1 error` */
export function procedureLensText(s: ProcedureStatsLike): string {
  const parts: string[] = [];
  if (s.lastRunCount > 0) {
    parts.push(formatDuration(s.lastMs));
    if (s.lastRunCount > 1) parts.push(`×${s.lastRunCount} last run`);
  } else {
    parts.push('not in last run');
  }
  if (s.runs > 1) parts.push(`p95 ${formatDuration(s.p95Ms)} over ${plural(s.runs, 'run')}`);
  if (s.errors > 0) parts.push(plural(s.errors, 'error'));
  return parts.join(' · ');
}

/** `converged in 2 passes · 3.1 s`, `failed in pass 1 · 40 ms · 1 error`, `running… pass 2`. */
export function runOutcomeText(r: RunLike): string {
  const dur = formatDuration(r.durationMs);
  const errors = r.errorCount > 0 ? ` · ${plural(r.errorCount, 'error')}` : '';
  switch (r.status) {
    case 'converged':
      return `converged in ${plural(r.passes, 'pass', 'passes')} · ${dur}${errors}`;
    case 'failed':
      return `failed in pass ${r.passes} · ${dur}${errors}`;
    case 'not_converged':
      return `did not converge after ${plural(r.passes, 'pass', 'passes')} · ${dur}`;
    case 'cancelled':
      return `cancelled in pass ${r.passes} · ${dur}`;
    case 'running':
      return r.passes > 0 ? `running… pass ${r.passes}` : 'running…';
    case 'incomplete':
      return `incomplete: no root span arrived · ${dur}${errors}`;
  }
}

/**
 * Label of a run in the Runs view and pickers: `create-cluster · createClusterFaulty` and
 * `debug · converged in 2 passes · 3.1 s` (a debugged run's durations include its pauses).
 */
export function runLabel(r: RunLike): { label: string; description: string } {
  return { label: runTitle(r), description: `${r.runKind === 'debug' ? 'debug · ' : ''}${runOutcomeText(r)}` };
}

/** `12:04:31` local time of a run start, for descriptions and hovers. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Status bar text and tooltip lines. */
export function collectorStatusText(s: { running: boolean; spans: number; runs: number; evictedTraces: number; refusedSpans?: number }): string {
  if (!s.running) return '$(pulse) Instrument First';
  const ev = s.evictedTraces > 0 ? ` · ${formatCount(s.evictedTraces)} evicted` : '';
  const rf = s.refusedSpans ? ` · ${formatCount(s.refusedSpans)} refused` : '';
  return `$(pulse) ${formatCount(s.spans)} spans · ${plural(s.runs, 'run')}${ev}${rf}`;
}

/** `950`, `12.3k`, `1.2M`. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trim((n / 1000).toFixed(n < 10_000 ? 1 : 0))}k`;
  return `${trim((n / 1_000_000).toFixed(1))}M`;
}
