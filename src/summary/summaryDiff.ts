import type { CallCountDiff, RunDiff, RunSummary, StepChangeReason, StepDiff } from '../protocol/collectorTypes';
import type { PlanRunSummary, StepSummary } from './runSummary';

/** A duration counts as changed when it moved by at least this factor and at least MIN_DELTA_MS. */
const DURATION_FACTOR = 1.5;
const MIN_DELTA_MS = 1;

function shownStatus(st: StepSummary): 'error' | 'ok' | 'unset' {
  return st.failed ? 'error' : st.status;
}

/** Steps keyed by pass, procedure id and occurrence (n-th step with that id in that pass), in run order. */
function keyed(summary: PlanRunSummary): Map<string, StepSummary> {
  const out = new Map<string, StepSummary>();
  for (const p of summary.passes) {
    const seen = new Map<string, number>();
    for (const st of p.steps) {
      const occurrence = seen.get(st.procedureId) ?? 0;
      seen.set(st.procedureId, occurrence + 1);
      out.set(`${p.pass}\u0000${st.procedureId}\u0000${occurrence}`, st);
    }
  }
  return out;
}

function callDiff(a: StepSummary | undefined, b: StepSummary | undefined): CallCountDiff[] {
  const counts = (st: StepSummary | undefined) => new Map((st?.calls ?? []).map((c) => [c.label, c.count]));
  const ca = counts(a);
  const cb = counts(b);
  const names = new Set([...ca.keys(), ...cb.keys()]);
  const out = [...names].map((name) => ({ name, countA: ca.get(name) ?? 0, countB: cb.get(name) ?? 0 }));
  return out.sort((x, y) => Number(y.countA !== y.countB) - Number(x.countA !== x.countB) || x.name.localeCompare(y.name));
}

function stepDiff(key: string, a: StepSummary | undefined, b: StepSummary | undefined): StepDiff {
  const s = (b ?? a)!;
  const occurrence = Number(key.slice(key.lastIndexOf('\u0000') + 1));
  const d: StepDiff = { procedureId: s.procedureId, pass: s.pass, occurrence, calls: callDiff(a, b), reasons: [] };
  if (s.procedureType) d.procedureType = s.procedureType;
  if (a) {
    d.spanIdA = a.spanId;
    d.durationMsA = a.durationMs;
    d.statusA = shownStatus(a);
  }
  if (b) {
    d.spanIdB = b.spanId;
    d.durationMsB = b.durationMs;
    d.statusB = shownStatus(b);
  }
  return d;
}

/**
 * Compares two runs from their summaries, step by step: steps matched by pass, procedure id and
 * occurrence; calls by `service operation`; a step changed when its call counts or status differ
 * or its duration moved by half or more. What the compare view draws.
 */
export function diffSummaries(a: PlanRunSummary, b: PlanRunSummary, runA: RunSummary, runB: RunSummary): RunDiff {
  const sa = keyed(a);
  const sb = keyed(b);
  const added: StepDiff[] = [];
  const removed: StepDiff[] = [];
  const changed: StepDiff[] = [];
  let unchangedCount = 0;
  for (const [key, x] of sb) {
    const y = sa.get(key);
    if (!y) {
      added.push(stepDiff(key, undefined, x));
      continue;
    }
    const d = stepDiff(key, y, x);
    const reasons: StepChangeReason[] = d.reasons;
    if (d.calls.some((c) => c.countA !== c.countB)) reasons.push('calls');
    if (shownStatus(y) !== shownStatus(x)) reasons.push('status');
    const da = y.durationMs;
    const db = x.durationMs;
    if (Math.abs(db - da) >= MIN_DELTA_MS && (db >= da * DURATION_FACTOR || da >= db * DURATION_FACTOR)) reasons.push('duration');
    if (reasons.length > 0) changed.push(d);
    else unchangedCount++;
  }
  for (const [key, y] of sa) if (!sb.has(key)) removed.push(stepDiff(key, y, undefined));
  // Call-count and status changes are the telling ones; pure timing changes come last.
  const weight = (d: StepDiff): number => (d.reasons.includes('status') ? 0 : d.reasons.includes('calls') ? 1 : 2);
  changed.sort((x, y) => weight(x) - weight(y));
  return { a: runA, b: runB, durationDeltaMs: runB.durationMs - runA.durationMs, added, removed, changed, unchangedCount };
}
