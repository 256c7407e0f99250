import type { AttrValue } from '../protocol/spanView';
import type { PlanRunSummary } from '../summary/runSummary';
import { buildBaseline, median, type Baseline, type BaselineStep } from './baseline';
import { formatDuration } from '../text/duration';

export type DifferenceKind = 'outcome' | 'passes' | 'step-added' | 'step-missing' | 'order' | 'calls' | 'call-errors' | 'status' | 'pinned' | 'duration';

/** One way a run differs from its baseline. */
export interface Difference {
  kind: DifferenceKind;
  /** Absent for plan-level differences. */
  pass?: number;
  /** The step's procedure path (with `#n` for a repeated one), absent for plan-level differences. */
  step?: string;
  /** What differs: a call name, an attribute key, `status`, `duration`… */
  subject: string;
  expected: string;
  actual: string;
  /** One line: `pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0`. */
  message: string;
  /** In how many of the checked runs this was seen (shape differences). */
  seenIn?: number;
  filepath?: string;
  lineno?: number;
}

/** One row of the step-by-step comparison printed after the differences. */
export interface CompareRow {
  pass: number;
  step: string;
  change: 'same' | 'added' | 'missing' | 'changed';
  baselineMs?: number;
  seenMs?: number;
  calls: Array<{ name: string; expected: number; actual: number }>;
}

export interface CheckOutcome {
  passed: boolean;
  differences: Difference[];
  compare: CompareRow[];
  /** Plan duration: baseline median, the checked runs' median and fastest, and the limit the fastest is held to. */
  duration: { baselineMs: number; seenMs: number; fastestMs: number; limitMs: number };
  runs: number;
}

const stepName = (key: string) => {
  const hash = key.lastIndexOf('#');
  const occ = Number(key.slice(hash + 1));
  return occ > 0 ? `${key.slice(0, hash)} #${occ + 1}` : key.slice(0, hash);
};
const where = (pass: number | undefined, step: string | undefined) => (step === undefined ? 'plan' : `pass ${pass} · ${step}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
const show = (v: AttrValue | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v));

function diff(kind: DifferenceKind, pass: number | undefined, step: BaselineStep | undefined, key: string | undefined, subject: string, expected: string, actual: string, text: string): Difference {
  const name = key === undefined ? undefined : stepName(key);
  const d: Difference = { kind, subject, expected, actual, message: `${where(pass, name)}: ${text}` };
  if (pass !== undefined) d.pass = pass;
  if (name !== undefined) d.step = name;
  if (step?.filepath) d.filepath = step.filepath;
  if (step?.lineno) d.lineno = step.lineno;
  return d;
}

/**
 * The shape differences of one run against a baseline: outcome, passes, steps added, missing or
 * reordered, call counts and call errors per service/operation, step status, pinned attributes.
 */
export function compareShape(base: Baseline, run: PlanRunSummary): Difference[] {
  return compareShapes(base, buildBaseline([run], { planFile: base.planFile, exportName: base.export, pin: base.pin }));
}

/** The shape differences between two baselines (an old one and a new one, or a baseline and a run). */
export function compareShapes(base: Baseline, seen: Baseline): Difference[] {
  const out: Difference[] = [];
  if (seen.outcome !== base.outcome) out.push(diff('outcome', undefined, undefined, undefined, 'outcome', base.outcome, seen.outcome, `outcome: expected ${base.outcome}, got ${seen.outcome}`));
  if (seen.passes.length !== base.passes.length) {
    out.push(diff('passes', undefined, undefined, undefined, 'passes', String(base.passes.length), String(seen.passes.length), `expected ${plural(base.passes.length, 'pass')}, got ${seen.passes.length}`));
  }
  const passNos = [...new Set([...base.passes.map((p) => p.pass), ...seen.passes.map((p) => p.pass)])].sort((a, b) => a - b);
  for (const pass of passNos) {
    const bSteps = base.passes.find((p) => p.pass === pass)?.steps ?? [];
    const sSteps = seen.passes.find((p) => p.pass === pass)?.steps ?? [];
    const bByKey = new Map(bSteps.map((s) => [s.key, s]));
    const sByKey = new Map(sSteps.map((s) => [s.key, s]));
    for (const b of bSteps) if (!sByKey.has(b.key)) out.push(diff('step-missing', pass, b, b.key, 'step', 'run', 'not run', 'expected this step, it did not run'));
    for (const s of sSteps) if (!bByKey.has(s.key)) out.push(diff('step-added', pass, s, s.key, 'step', 'not run', 'run', `new step (not in the baseline)${callList(s.calls)}`));
    const bOrder = bSteps.filter((s) => sByKey.has(s.key)).map((s) => s.key);
    const sOrder = sSteps.filter((s) => bByKey.has(s.key)).map((s) => s.key);
    if (bOrder.join('\n') !== sOrder.join('\n')) {
      out.push(diff('order', pass, undefined, undefined, 'order', bOrder.map(stepName).join(', '), sOrder.map(stepName).join(', '), `steps ran in another order: expected ${bOrder.map(stepName).join(', ')}; got ${sOrder.map(stepName).join(', ')}`));
      out[out.length - 1]!.pass = pass;
      out[out.length - 1]!.message = `pass ${pass}: ${out[out.length - 1]!.message.replace(/^plan: /, '')}`;
    }
    for (const b of bSteps) {
      const s = sByKey.get(b.key);
      if (!s) continue;
      if (!sameCounts(b.calls, s.calls)) for (const name of unionKeys(b.calls, s.calls)) {
        const e = b.calls[name] ?? 0;
        const a = s.calls[name] ?? 0;
        if (e !== a) out.push(diff('calls', pass, b, b.key, name, String(e), String(a), `${name}: expected ${plural(e, 'call')}, got ${a}`));
      }
      if (b.callErrors || s.callErrors) for (const name of unionKeys(b.callErrors ?? {}, s.callErrors ?? {})) {
        const e = b.callErrors?.[name] ?? 0;
        const a = s.callErrors?.[name] ?? 0;
        if (e !== a) out.push(diff('call-errors', pass, b, b.key, name, String(e), String(a), `${name}: expected ${plural(e, 'failed call')}, got ${a}`));
      }
      if (b.status !== s.status) out.push(diff('status', pass, b, b.key, 'status', b.status, s.status, `status: expected ${b.status}, got ${s.status}`));
      for (const key of base.pin) {
        const e = b.pinned?.[key];
        const a = s.pinned?.[key];
        if (JSON.stringify(e) !== JSON.stringify(a)) out.push(diff('pinned', pass, b, b.key, key, show(e), show(a), `${key}: expected ${show(e)}, got ${show(a)}`));
      }
    }
  }
  return out;
}

/** Same names with the same counts (the usual case, checked without building key sets). */
function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function callList(calls: Record<string, number>): string {
  const names = Object.entries(calls);
  return names.length ? `, calling ${names.map(([n, c]) => (c === 1 ? n : `${n} ×${c}`)).join(', ')}` : '';
}

/** The duration limit of the rule: maxMs × (1 + tolerance) + slackMs. */
export function durationLimit(base: Baseline, maxMs: number): number {
  return maxMs * (1 + base.rule.tolerance) + base.rule.slackMs;
}

/**
 * Checks runs against a baseline. Shape differences are reported with the number of runs they
 * were seen in. A duration (per step and for the plan) regresses when even the fastest of the
 * checked runs is above the baseline's maximum × (1 + tolerance) + slack: timing noise (a busy
 * CPU, a GC pause) only ever adds time, so slow runs cannot fail a check while one run is fast,
 * and a real slowdown moves every run.
 */
export function checkAgainst(base: Baseline, runs: readonly PlanRunSummary[]): CheckOutcome {
  const byMessage = new Map<string, Difference>();
  const shapes = runs.map((run) => buildBaseline([run], { planFile: base.planFile, exportName: base.export, pin: base.pin }));
  for (const shape of shapes) {
    for (const d of compareShapes(base, shape)) {
      const had = byMessage.get(d.message);
      if (had) had.seenIn = (had.seenIn ?? 1) + 1;
      else byMessage.set(d.message, { ...d, seenIn: 1 });
    }
  }
  const differences = [...byMessage.values()];
  const ms = formatDuration;
  const stepTimes = new Map<string, number[]>();
  for (const run of runs) for (const p of run.passes) for (const s of p.steps) {
    const k = `${p.pass}\u0000${s.key}`;
    const list = stepTimes.get(k);
    if (list) list.push(s.durationMs);
    else stepTimes.set(k, [s.durationMs]);
  }
  for (const p of base.passes) {
    for (const b of p.steps) {
      const times = stepTimes.get(`${p.pass}\u0000${b.key}`);
      if (!times || times.length * 2 <= runs.length) continue;
      const fastest = Math.min(...times);
      const limit = durationLimit(base, b.duration.maxMs);
      if (fastest > limit) {
        differences.push(diff('duration', p.pass, b, b.key, 'duration', `≤ ${ms(limit)}`, ms(fastest), `duration: the fastest of ${plural(times.length, 'run')} took ${ms(fastest)}, above the limit ${ms(limit)} (baseline median ${ms(b.duration.medianMs)}, max ${ms(b.duration.maxMs)})`));
      }
    }
  }
  const planTimes = runs.map((r) => r.durationMs);
  const planFastest = planTimes.length ? Math.min(...planTimes) : 0;
  const planLimit = durationLimit(base, base.duration.maxMs);
  if (runs.length > 0 && planFastest > planLimit) {
    differences.push(
      diff('duration', undefined, undefined, undefined, 'duration', `≤ ${ms(planLimit)}`, ms(planFastest), `duration of ${base.plan}: the fastest of ${plural(runs.length, 'run')} took ${ms(planFastest)}, above the limit ${ms(planLimit)} (baseline median ${ms(base.duration.medianMs)}, max ${ms(base.duration.maxMs)})`),
    );
  }
  const outcome = {
    passed: differences.length === 0,
    differences,
    duration: { baselineMs: base.duration.medianMs, seenMs: median(planTimes), fastestMs: planFastest, limitMs: planLimit },
    runs: runs.length,
  } as CheckOutcome;
  // The step-by-step rows are only printed for a plan that differs (and in JSON/JUnit): made on
  // first read, then kept; enumerable, so JSON.stringify includes them.
  let rows: CompareRow[] | undefined;
  Object.defineProperty(outcome, 'compare', { enumerable: true, get: () => (rows ??= compareRows(base, shapes[0], stepTimes)) });
  return outcome;
}

function compareRows(base: Baseline, first: Baseline | undefined, stepTimes: Map<string, number[]>): CompareRow[] {
  const rows: CompareRow[] = [];
  const passNos = [...new Set([...base.passes.map((p) => p.pass), ...(first?.passes ?? []).map((p) => p.pass)])].sort((a, b) => a - b);
  for (const pass of passNos) {
    const bSteps = base.passes.find((p) => p.pass === pass)?.steps ?? [];
    const sSteps = first?.passes.find((p) => p.pass === pass)?.steps ?? [];
    const sByKey = new Map(sSteps.map((s) => [s.key, s]));
    const bByKey = new Map(bSteps.map((s) => [s.key, s]));
    // Baseline order, each new step placed after the step it followed in the run.
    const followers = new Map<string | undefined, string[]>();
    sSteps.forEach((s, i) => {
      if (bByKey.has(s.key)) return;
      const prev = sSteps[i - 1]?.key;
      const list = followers.get(prev);
      if (list) list.push(s.key);
      else followers.set(prev, [s.key]);
    });
    const order: string[] = [];
    const emit = (start: readonly string[]) => {
      const work = [...start].reverse();
      while (work.length > 0) {
        const k = work.pop()!;
        order.push(k);
        const next = followers.get(k);
        if (next) for (let j = next.length - 1; j >= 0; j--) work.push(next[j]!);
      }
    };
    emit(followers.get(undefined) ?? []);
    for (const b of bSteps) emit([b.key]);
    for (const key of order) {
      const b = bByKey.get(key);
      const s = sByKey.get(key);
      const times = stepTimes.get(`${pass}\u0000${key}`);
      const calls =
        b && s && sameCounts(b.calls, s.calls)
          ? Object.keys(b.calls).map((name) => ({ name, expected: b.calls[name]!, actual: b.calls[name]! }))
          : unionKeys(b?.calls ?? {}, s?.calls ?? {}).map((name) => ({ name, expected: b?.calls[name] ?? 0, actual: s?.calls[name] ?? 0 }));
      const change: CompareRow['change'] = !s ? 'missing' : !b ? 'added' : calls.some((c) => c.expected !== c.actual) || b.status !== s.status ? 'changed' : 'same';
      const row: CompareRow = { pass, step: stepName(key), change, calls };
      if (b) row.baselineMs = b.duration.medianMs;
      if (times) row.seenMs = median(times);
      rows.push(row);
    }
  }
  return rows;
}
