import { Attr } from '../../../protocol/attributes';
import type { CallCountDiff, RunDiff, StepChangeReason, StepDiff } from '../../../protocol/collectorTypes';
import { attrNumber, attrString, isErrorRecord, statusName, type SpanRecord } from '../spanRecord';
import type { TraceEntry } from '../traceEntry';
import { isStep } from './procedureStats';

/** A duration counts as changed when it moved by at least this factor and at least MIN_DELTA_MS. */
const DURATION_FACTOR = 1.5;
const MIN_DELTA_MS = 1;

interface Step {
  key: string;
  id: string;
  type: string | undefined;
  pass: number;
  occurrence: number;
  rec: SpanRecord;
  calls: Map<string, number>;
}

/**
 * Compares two runs step by step. Steps are matched by procedure id, pass and occurrence (n-th
 * step with that id in that pass); calls are the non-step spans below a step, counted by name.
 */
export function diffRuns(a: TraceEntry, b: TraceEntry): RunDiff {
  const sa = steps(a);
  const sb = steps(b);
  const added: StepDiff[] = [];
  const removed: StepDiff[] = [];
  const changed: StepDiff[] = [];
  let unchangedCount = 0;
  for (const [key, x] of sb) {
    const y = sa.get(key);
    if (!y) {
      added.push(stepDiff(undefined, x, []));
      continue;
    }
    const reasons: StepChangeReason[] = [];
    const d = stepDiff(y, x, reasons);
    if (d.calls.some((c) => c.countA !== c.countB)) reasons.push('calls');
    if (shownStatus(y.rec) !== shownStatus(x.rec)) reasons.push('status');
    const da = d.durationMsA ?? 0;
    const db = d.durationMsB ?? 0;
    if (Math.abs(db - da) >= MIN_DELTA_MS && (db >= da * DURATION_FACTOR || da >= db * DURATION_FACTOR)) reasons.push('duration');
    if (reasons.length > 0) changed.push(d);
    else unchangedCount++;
  }
  for (const [key, y] of sa) if (!sb.has(key)) removed.push(stepDiff(y, undefined, []));
  // Call-count and status changes are the telling ones; pure timing changes come last.
  const weight = (d: StepDiff): number => (d.reasons.includes('status') ? 0 : d.reasons.includes('calls') ? 1 : 2);
  changed.sort((x, y) => weight(x) - weight(y));
  const sa1 = a.summary();
  const sb1 = b.summary();
  return { a: sa1, b: sb1, durationDeltaMs: sb1.durationMs - sa1.durationMs, added, removed, changed, unchangedCount };
}

function stepDiff(a: Step | undefined, b: Step | undefined, reasons: StepChangeReason[]): StepDiff {
  const s = (b ?? a)!;
  const d: StepDiff = { procedureId: s.id, pass: s.pass, occurrence: s.occurrence, calls: callDiff(a?.calls, b?.calls), reasons };
  if (s.type) d.procedureType = s.type;
  if (a) {
    d.spanIdA = a.rec.spanId;
    d.durationMsA = a.rec.endMs - a.rec.startMs;
    d.statusA = shownStatus(a.rec);
  }
  if (b) {
    d.spanIdB = b.rec.spanId;
    d.durationMsB = b.rec.endMs - b.rec.startMs;
    d.statusB = shownStatus(b.rec);
  }
  return d;
}

function callDiff(a: Map<string, number> | undefined, b: Map<string, number> | undefined): CallCountDiff[] {
  const names = new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  const out = [...names].map((name) => ({ name, countA: a?.get(name) ?? 0, countB: b?.get(name) ?? 0 }));
  return out.sort((x, y) => Number(y.countA !== y.countB) - Number(x.countA !== x.countB) || x.name.localeCompare(y.name));
}

/** Steps of a trace keyed by pass/id/occurrence, in start order. Non-plan traces: every non-root span. */
function steps(entry: TraceEntry): Map<string, Step> {
  const all = [...entry.spans.values()].sort((x, y) => x.startMs - y.startMs);
  let chosen = all.filter(isStep);
  const planLike = chosen.length > 0;
  if (!planLike) chosen = all.filter((r) => r.parentSpanId !== '');
  const children = new Map<string, SpanRecord[]>();
  for (const r of all) {
    if (!r.parentSpanId) continue;
    const list = children.get(r.parentSpanId);
    if (list) list.push(r);
    else children.set(r.parentSpanId, [r]);
  }
  const out = new Map<string, Step>();
  const seen = new Map<string, number>();
  for (const rec of chosen) {
    const id = (planLike ? attrString(rec, Attr.procedureId) : undefined) ?? rec.name;
    const pass = attrNumber(rec, Attr.planPass) ?? 0;
    const base = `${pass}\u0000${id}`;
    const occurrence = seen.get(base) ?? 0;
    seen.set(base, occurrence + 1);
    const key = `${base}\u0000${occurrence}`;
    out.set(key, { key, id, type: attrString(rec, Attr.procedureType), pass, occurrence, rec, calls: planLike ? callsUnder(rec, children) : directCalls(rec, children) });
  }
  return out;
}

/** Non-step spans below a step, not descending into nested steps. */
function callsUnder(step: SpanRecord, children: Map<string, SpanRecord[]>): Map<string, number> {
  const counts = new Map<string, number>();
  const stack = [...(children.get(step.spanId) ?? [])];
  const seen = new Set<SpanRecord>();
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (seen.has(r) || isStep(r)) continue;
    seen.add(r);
    counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    for (const c of children.get(r.spanId) ?? []) stack.push(c);
  }
  return counts;
}

function directCalls(span: SpanRecord, children: Map<string, SpanRecord[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of children.get(span.spanId) ?? []) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return counts;
}

/** An exception event makes a step an error in the comparison too (one notion of error). */
function shownStatus(rec: SpanRecord): ReturnType<typeof statusName> {
  return isErrorRecord(rec) ? 'error' : statusName(rec.status);
}
