/**
 * Presentation of a run comparison (the collector's `RunDiff`): a headline of what changed, in
 * words, and one row per added, removed or changed step with duration and call-count deltas.
 * Pure; the host computes it and the webview only lays it out.
 */
import type { CallCountDiff, RunDiff, RunSummary, StepDiff } from '../protocol/collectorTypes';
import type { CompareRow, CompareRunLabel, CompareView } from '../protocol/timelineMessages';
import { formatDuration } from '../text/duration';

export function runLabel(s: RunSummary): CompareRunLabel {
  const identity: Partial<CompareRunLabel> = {};
  if (s.exportName) identity.exportName = s.exportName;
  if (s.runKind) identity.runKind = s.runKind;
  return {
    ...identity,
    traceId: s.traceId,
    plan: s.plan,
    startMs: s.startMs,
    durationMs: s.durationMs,
    status: s.status,
    spanCount: s.spanCount,
    errorCount: s.errorCount,
  };
}

function row(change: CompareRow['change'], d: StepDiff): CompareRow {
  const r: CompareRow = {
    change,
    procedureId: d.procedureId,
    pass: d.pass,
    occurrence: d.occurrence,
    calls: d.calls.filter((c) => c.countA !== c.countB),
    services: serviceTotals(d),
    reasons: [...d.reasons],
  };
  if (d.procedureType !== undefined) r.procedureType = d.procedureType;
  if (d.spanIdA !== undefined) r.spanIdA = d.spanIdA;
  if (d.spanIdB !== undefined) r.spanIdB = d.spanIdB;
  if (d.durationMsA !== undefined) r.durationMsA = d.durationMsA;
  if (d.durationMsB !== undefined) r.durationMsB = d.durationMsB;
  if (d.statusA !== undefined) r.statusA = d.statusA;
  if (d.statusB !== undefined) r.statusB = d.statusB;
  if (change === 'added') r.calls = d.calls.filter((c) => c.countB > 0);
  if (change === 'removed') r.calls = d.calls.filter((c) => c.countA > 0);
  return r;
}

/** Call counts summed per service (first word of the call name) where a and b differ. */
export function serviceTotals(d: StepDiff): CallCountDiff[] {
  const m = new Map<string, CallCountDiff>();
  for (const c of d.calls) {
    const service = c.name.split(/\s+/)[0] || c.name;
    const t = m.get(service) ?? { name: service, countA: 0, countB: 0 };
    t.countA += c.countA;
    t.countB += c.countB;
    m.set(service, t);
  }
  return [...m.values()].filter((t) => t.countA !== t.countB);
}

const ORDER: Record<CompareRow['change'], number> = { added: 0, removed: 1, changed: 2 };

/** How much a row matters for sorting within a pass: structure first, then calls, status, time. */
function weight(r: CompareRow): number {
  if (r.change !== 'changed') return 3;
  if (r.calls.length > 0) return 2;
  if (r.statusA !== r.statusB) return 1;
  return 0;
}

/**
 * What a row's change means, for its colour: `worse` when B made fewer calls than A or newly
 * failed (the faulty run is often the *faster* one: it skipped work), `slower` when it only took
 * longer, `neutral` otherwise (faster is not better by itself).
 */
export function rowMeaning(r: CompareRow): 'worse' | 'slower' | 'neutral' {
  if (r.statusB === 'error' && r.statusA !== 'error') return 'worse';
  if (r.change === 'removed') return 'worse';
  if (r.calls.some((c) => c.countB < c.countA)) return 'worse';
  return rowDeltaMs(r) > 0 ? 'slower' : 'neutral';
}

export function rowDeltaMs(r: CompareRow): number {
  return (r.durationMsB ?? 0) - (r.durationMsA ?? 0);
}

function callText(r: CompareRow): string {
  return r.calls.map((c) => `${c.name} ${c.countA} → ${c.countB}`).join(', ');
}

function percent(a: number, b: number): string {
  if (!(a > 0)) return '';
  const p = ((b - a) / a) * 100;
  return ` (${p >= 0 ? '+' : ''}${Math.round(p)}%)`;
}

function signed(ms: number): string {
  return ms >= 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

export function presentDiff(diff: RunDiff): CompareView {
  const rows = [
    ...diff.added.map((d) => row('added', d)),
    ...diff.removed.map((d) => row('removed', d)),
    ...diff.changed.map((d) => row('changed', d)),
  ].sort(
    (x, y) =>
      x.pass - y.pass ||
      ORDER[x.change] - ORDER[y.change] ||
      weight(y) - weight(x) ||
      Math.abs(rowDeltaMs(y)) - Math.abs(rowDeltaMs(x)) ||
      (x.procedureId < y.procedureId ? -1 : x.procedureId > y.procedureId ? 1 : x.occurrence - y.occurrence),
  );
  const headline: string[] = [];
  const da = diff.a.durationMs;
  const db = diff.b.durationMs;
  headline.push(`B took ${formatDuration(db)} vs ${formatDuration(da)} in A: ${signed(db - da)}${percent(da, db)}.`);
  for (const r of rows) {
    const where = `${r.procedureId} (pass ${r.pass})`;
    if (r.change === 'added') headline.push(`New step in B: ${where}, ${formatDuration(r.durationMsB ?? 0)}${r.calls.length ? `, calls: ${r.calls.map((c) => `${c.name} ×${c.countB}`).join(', ')}` : ''}.`);
    else if (r.change === 'removed') headline.push(`Step missing in B: ${where}.`);
    else if (r.calls.length) {
      const svc = r.services.map((t) => `${t.name} calls ${t.countA} → ${t.countB}`).join(', ');
      headline.push(`${where}: ${svc ? `${svc} (${callText(r)})` : `calls changed: ${callText(r)}`}.`);
    }
    else if (r.statusA !== r.statusB) headline.push(`${where}: status ${r.statusA ?? '?'} → ${r.statusB ?? '?'}.`);
  }
  const timeOnly = rows.filter((r) => r.change === 'changed' && weight(r) === 0);
  if (timeOnly.length) {
    const top = timeOnly.reduce((m, r) => (Math.abs(rowDeltaMs(r)) > Math.abs(rowDeltaMs(m)) ? r : m));
    headline.push(`${timeOnly.length} step${timeOnly.length > 1 ? 's' : ''} changed only in duration; most: ${top.procedureId} ${signed(rowDeltaMs(top))}.`);
  }
  if (rows.length === 0) headline.push('Same steps, same calls: no structural difference.');
  return { a: runLabel(diff.a), b: runLabel(diff.b), durationDeltaMs: diff.durationDeltaMs, headline, rows, unchangedCount: diff.unchangedCount };
}
