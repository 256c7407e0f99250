import type { AttrValue } from '../protocol/spanView';
import type { PlanRunSummary, StepSummary } from '../summary/runSummary';

/** Format tag of a baseline file; bumped when the layout changes incompatibly. */
export const BASELINE_FORMAT = 'instrument-first-baseline@1';

/** Durations of one step (or the plan) over the recorded runs, in ms (0.1 ms resolution). */
export interface Envelope {
  minMs: number;
  medianMs: number;
  maxMs: number;
}

/** The noise rule: a duration regresses when the median of the checked runs exceeds maxMs × (1 + tolerance) + slackMs. */
export interface DurationRule {
  tolerance: number;
  slackMs: number;
}

export const DEFAULT_RULE: DurationRule = { tolerance: 0.5, slackMs: 25 };

export interface BaselineStep {
  /** `path#occurrence` within the pass (see StepSummary.key). */
  key: string;
  status: 'error' | 'ok' | 'unset';
  /** Calls by `service operation`, with their counts. */
  calls: Record<string, number>;
  /** Calls that failed, by `service operation` (only when some did). */
  callErrors?: Record<string, number>;
  pinned?: Record<string, AttrValue>;
  duration: Envelope;
  /** Where the step's code is, when the runs knew (for editors and SARIF). */
  filepath?: string;
  lineno?: number;
}

export interface BaselinePass {
  pass: number;
  steps: BaselineStep[];
}

/** A recorded baseline: a plan's shape, pinned attributes and duration envelopes over N runs. */
export interface Baseline {
  format: typeof BASELINE_FORMAT;
  plan: string;
  /** The plan file, relative to the baseline file. */
  planFile: string;
  export: string;
  runs: number;
  outcome: string;
  rule: DurationRule;
  pin: string[];
  duration: Envelope;
  passes: BaselinePass[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function envelope(xs: readonly number[]): Envelope {
  return { minMs: r1(Math.min(...xs)), medianMs: r1(median(xs)), maxMs: r1(Math.max(...xs)) };
}

function callCounts(step: StepSummary): { calls: Record<string, number>; errors: Record<string, number> | undefined } {
  const calls: Record<string, number> = {};
  let errors: Record<string, number> | undefined;
  for (const c of step.calls) {
    calls[c.label] = c.count;
    if (c.errors > 0) (errors ??= {})[c.label] = c.errors;
  }
  return { calls, errors };
}

/**
 * Builds a baseline from the summaries of N runs of one plan. The runs must agree on the shape
 * (call `compareShape` on each first); durations become envelopes over the runs.
 */
export function buildBaseline(summaries: readonly PlanRunSummary[], meta: { planFile: string; exportName: string; pin: readonly string[]; rule?: DurationRule }): Baseline {
  const first = summaries[0];
  if (!first) throw new Error('a baseline needs at least one run');
  const stepDurations = new Map<string, number[]>();
  for (const s of summaries) for (const p of s.passes) for (const st of p.steps) {
    const k = `${p.pass}\u0000${st.key}`;
    const list = stepDurations.get(k);
    if (list) list.push(st.durationMs);
    else stepDurations.set(k, [st.durationMs]);
  }
  return {
    format: BASELINE_FORMAT,
    plan: first.plan,
    planFile: meta.planFile,
    export: meta.exportName,
    runs: summaries.length,
    outcome: first.outcome,
    rule: meta.rule ?? { ...DEFAULT_RULE },
    pin: [...meta.pin],
    duration: envelope(summaries.map((s) => s.durationMs)),
    passes: first.passes.map((p) => ({
      pass: p.pass,
      steps: p.steps.map((st) => {
        const { calls, errors } = callCounts(st);
        const step: BaselineStep = { key: st.key, status: st.status, calls, duration: envelope(stepDurations.get(`${p.pass}\u0000${st.key}`) ?? [st.durationMs]) };
        if (errors) step.callErrors = errors;
        if (st.pinned) step.pinned = { ...st.pinned };
        if (st.filepath) step.filepath = st.filepath;
        if (st.lineno) step.lineno = st.lineno;
        return step;
      }),
    })),
  };
}

/** The baseline as committed: two-space JSON, one key per line, stable key order, final newline. */
export function serializeBaseline(b: Baseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}

/** Parses and validates a baseline file's text; throws an Error naming what is wrong. */
export function parseBaseline(text: string, where = 'baseline'): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!isObject(raw)) return bad('expected a JSON object');
  if (raw.format !== BASELINE_FORMAT) bad(`format is ${JSON.stringify(raw.format)}, expected "${BASELINE_FORMAT}"`);
  if (typeof raw.plan !== 'string') bad('"plan" must be a string');
  if (typeof raw.runs !== 'number' || raw.runs < 1) bad('"runs" must be a positive number');
  if (typeof raw.outcome !== 'string') bad('"outcome" must be a string');
  if (!isEnvelope(raw.duration)) bad('"duration" must have minMs, medianMs and maxMs');
  const rule = raw.rule ?? DEFAULT_RULE;
  if (!isObject(rule) || typeof rule.tolerance !== 'number' || typeof rule.slackMs !== 'number' || rule.tolerance < 0 || rule.slackMs < 0) bad('"rule" must have a non-negative tolerance and slackMs');
  if (raw.pin !== undefined && (!Array.isArray(raw.pin) || !raw.pin.every((k) => typeof k === 'string'))) bad('"pin" must be a list of attribute keys');
  if (!Array.isArray(raw.passes)) return bad('"passes" must be a list');
  raw.passes.forEach((p, i) => {
    if (!isObject(p) || typeof p.pass !== 'number' || !Array.isArray(p.steps)) bad(`passes[${i}] must have a pass number and a list of steps`);
    (p as { steps: unknown[] }).steps.forEach((st, j) => {
      const at = `passes[${i}].steps[${j}]`;
      if (!isObject(st) || typeof st.key !== 'string') bad(`${at} must have a key`);
      const s = st as Record<string, unknown>;
      if (!['ok', 'error', 'unset'].includes(s.status as string)) bad(`${at}.status must be ok, error or unset`);
      if (!isCounts(s.calls)) bad(`${at}.calls must map call names to counts`);
      if (s.callErrors !== undefined && !isCounts(s.callErrors)) bad(`${at}.callErrors must map call names to counts`);
      if (!isEnvelope(s.duration)) bad(`${at}.duration must have minMs, medianMs and maxMs`);
    });
  });
  return { ...(raw as unknown as Baseline), rule: rule as DurationRule, pin: (raw.pin as string[] | undefined) ?? [], export: typeof raw.export === 'string' ? raw.export : 'default', planFile: typeof raw.planFile === 'string' ? raw.planFile : '' };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isEnvelope(x: unknown): x is Envelope {
  return isObject(x) && [x.minMs, x.medianMs, x.maxMs].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
}

function isCounts(x: unknown): boolean {
  return isObject(x) && Object.values(x).every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
}
