import { Attr } from '../protocol/attributes';
import type { AttrValue } from '../protocol/spanView';
import { callKey, callLabel, type CallKey } from './callKey';
import type { SpanSource } from './spanSource';

/** Calls of one step to one service operation. */
export interface CallSummary {
  service: string;
  operation: string;
  /** `service operation`, as shown and as baselines key calls. */
  label: string;
  count: number;
  /** Calls with status ERROR or an exception event. */
  errors: number;
  /** Summed duration of these calls. */
  durationMs: number;
}

/** One step of a pass, matched across runs by {@link StepSummary.key} (never by span id). */
export interface StepSummary {
  procedureId: string;
  /** `procedure.type` of the step's span ('' when absent). */
  procedureType: string;
  /** `code.function` of the step's span, when present. */
  codeFunction?: string;
  /** Procedure ids from the pass down to this step, `/`-separated (`create_instances/wait_for_instances`). */
  path: string;
  /** 0-based among the steps with the same path in the same pass. */
  occurrence: number;
  /** `path#occurrence`: what identifies the step within its pass in every run. */
  key: string;
  depth: number;
  pass: number;
  /** For navigation only; differs in every run. */
  spanId: string;
  startMs: number;
  durationMs: number;
  /** Duration not covered by the step's direct children (its calls and nested steps). */
  selfMs: number;
  status: 'error' | 'ok' | 'unset';
  /** Spans of the step and its calls with status ERROR or an exception event. */
  errors: number;
  /** The step's own span has status ERROR or an exception event (one notion of error). */
  failed: boolean;
  /** Grouped by service and operation, sorted by label. */
  calls: CallSummary[];
  filepath?: string;
  lineno?: number;
  /** Values of the pinned attributes present on the step's span. */
  pinned?: Record<string, AttrValue>;
}

export interface PassSummary {
  pass: number;
  startMs: number;
  durationMs: number;
  status: 'error' | 'ok' | 'unset';
  /** Steps in the order they ran (depth-first, as the scheduler runs them). */
  steps: StepSummary[];
}

/** The shape and timings of one completed run, computed once from its spans. */
export interface PlanRunSummary {
  traceId: string;
  plan: string;
  /** `plan.outcome` of the root span ('converged' | 'failed' | 'not_converged' | 'cancelled'), else 'unknown'. */
  outcome: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  passes: PassSummary[];
}

export interface SummaryOptions {
  /** Step attributes to copy into {@link StepSummary.pinned}. */
  pin?: readonly string[];
}

const NO_CHILDREN: number[] = [];
const PLAN = 1;
const PASS = 2;
const STEP = 3;
const CALL = 4;
const KIND_CODES: Record<string, number> = { plan: PLAN, pass: PASS, step: STEP, call: CALL };

/**
 * Computes a run's summary in one pass over its spans plus a walk of the tree: passes, steps per
 * pass in run order, per step its calls grouped by service/operation, status, errors, duration and
 * self time. Pure: same spans, same summary. Traces not made by the scheduler (no pass spans) are
 * summarised as one pass 0 whose steps are the root's children.
 */
export function summarizeRun(src: SpanSource, options: SummaryOptions = {}): PlanRunSummary {
  const n = src.count;
  const indexById = new Map<string, number>();
  // Times and kinds read once per span: the walk below compares and classifies spans many times.
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const kinds = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    indexById.set(src.spanId(i), i);
    starts[i] = src.startMs(i);
    ends[i] = src.endMs(i);
    const k = src.attr(i, Attr.kind);
    kinds[i] = typeof k === 'string' ? (KIND_CODES[k] ?? CALL) : src.attr(i, Attr.procedureId) !== undefined ? STEP : CALL;
  }
  const children: number[][] = new Array<number[]>(n);
  const roots: number[] = [];
  let errorCount = 0;
  for (let i = 0; i < n; i++) {
    if (src.failed(i)) errorCount++;
    const p = src.parentSpanId(i);
    const pi = p ? indexById.get(p) : undefined;
    if (pi === undefined || pi === i) roots.push(i);
    else (children[pi] ??= []).push(i);
  }
  const byStart = (a: number, b: number) => starts[a]! - starts[b]!;
  const kids = (i: number): number[] => {
    const c = children[i];
    if (!c) return NO_CHILDREN;
    if (c.length > 1) c.sort(byStart);
    return c;
  };
  const kindOf = (i: number): number => kinds[i]!;

  let root = roots.find((i) => kindOf(i) === PLAN) ?? roots[0];
  if (roots.length > 1 && root !== undefined) roots.sort(byStart);
  root ??= -1;
  const pin = options.pin ?? [];
  const passes: PassSummary[] = [];

  // Scratch stack shared by the steps (emptied by each), and call labels interned per run: a run
  // repeats the same few service operations thousands of times.
  const scratch: number[] = [];
  const labels = new Map<string, Map<string, string>>();
  const labelOf = (k: CallKey): string => {
    let ops = labels.get(k.service);
    if (!ops) labels.set(k.service, (ops = new Map()));
    let label = ops.get(k.operation);
    if (label === undefined) ops.set(k.operation, (label = callLabel(k)));
    return label;
  };

  /** Summarises one step; returns its nested steps (in start order) with its path. */
  const summarizeOne = (i: number, pass: number, parentPath: string, depth: number, seen: Map<string, number>, out: StepSummary[]): { nested: number[]; path: string } => {
    const id = String(src.attr(i, Attr.procedureId) ?? src.name(i));
    const type = src.attr(i, Attr.procedureType);
    const failed = src.failed(i);
    const path = parentPath ? `${parentPath}/${id}` : id;
    const occurrence = seen.get(path) ?? 0;
    seen.set(path, occurrence + 1);
    const start = starts[i]!;
    const end = ends[i]!;
    const step: StepSummary = {
      procedureId: id,
      procedureType: typeof type === 'string' ? type : '',
      path,
      occurrence,
      key: `${path}#${occurrence}`,
      depth,
      pass,
      spanId: src.spanId(i),
      startMs: start,
      durationMs: Math.max(0, end - start),
      selfMs: 0,
      status: src.status(i),
      errors: failed ? 1 : 0,
      failed,
      calls: [],
    };
    const fn = src.attr(i, Attr.codeFunction);
    if (typeof fn === 'string') step.codeFunction = fn;
    const fp = src.attr(i, Attr.codeFilepath);
    if (typeof fp === 'string') step.filepath = fp;
    const ln = src.attr(i, Attr.codeLineno);
    if (typeof ln === 'number') step.lineno = ln;
    if (pin.length > 0) {
      let pinned: Record<string, AttrValue> | undefined;
      for (const key of pin) {
        const v = src.attr(i, key);
        if (v !== undefined) (pinned ??= {})[key] = v;
      }
      if (pinned) step.pinned = pinned;
    }
    out.push(step);
    const direct = kids(i);
    step.selfMs = selfTime(starts, ends, start, end, direct);
    if (direct.length === 0) return { nested: NO_CHILDREN, path };
    // Allocated on first use: most steps of a large run have no calls or no nested steps.
    let groups: Map<string, CallSummary> | undefined;
    let nested: number[] = NO_CHILDREN;
    const stack = scratch;
    for (let k = direct.length - 1; k >= 0; k--) stack.push(direct[k]!);
    while (stack.length > 0) {
      const c = stack.pop()!;
      const kind = kindOf(c);
      if (kind === STEP) {
        if (nested === NO_CHILDREN) nested = [];
        nested.push(c);
        continue;
      }
      const key = callKey(src, c);
      const label = labelOf(key);
      groups ??= new Map();
      let g = groups.get(label);
      if (!g) groups.set(label, (g = { service: key.service, operation: key.operation, label, count: 0, errors: 0, durationMs: 0 }));
      g.count++;
      g.durationMs += Math.max(0, ends[c]! - starts[c]!);
      if (src.failed(c)) {
        g.errors++;
        step.errors++;
      }
      const ck = children[c];
      if (ck) for (let k = ck.length - 1; k >= 0; k--) stack.push(ck[k]!);
    }
    if (groups) step.calls = groups.size === 1 ? [...groups.values()] : [...groups.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    if (nested.length > 1) nested.sort(byStart);
    return { nested, path };
  };

  /** A step and its nested steps, depth-first in start order (as the scheduler runs them), without recursion. */
  const summarizeStep = (first: number, pass: number, seen: Map<string, number>, out: StepSummary[]) => {
    const work: Array<{ i: number; parentPath: string; depth: number }> = [{ i: first, parentPath: '', depth: 0 }];
    while (work.length > 0) {
      const w = work.pop()!;
      const { nested, path } = summarizeOne(w.i, pass, w.parentPath, w.depth, seen, out);
      for (let k = nested.length - 1; k >= 0; k--) work.push({ i: nested[k]!, parentPath: path, depth: w.depth + 1 });
    }
  };

  const passSpans = root >= 0 ? kids(root).filter((i) => kindOf(i) === PASS) : [];
  if (root >= 0 && kindOf(root) !== PLAN && roots.some((i) => kindOf(i) === PASS || kindOf(i) === STEP)) {
    // A plan run still in flight: its root (and the running pass) end last, so finished passes and
    // the running pass's finished steps arrive as several roots. Steps go to the pass they name.
    const byPass = new Map<number, { start: number; end: number; status: PassSummary['status']; steps: StepSummary[]; seen: Map<string, number> }>();
    const passOf = (no: number, i: number) => {
      let p = byPass.get(no);
      if (!p) byPass.set(no, (p = { start: starts[i]!, end: ends[i]!, status: 'unset', steps: [], seen: new Map() }));
      return p;
    };
    for (const r of roots) {
      const kind = kindOf(r);
      if (kind === PASS) {
        const p = passOf(Number(src.attr(r, Attr.planPass) ?? 0), r);
        p.start = Math.min(p.start, starts[r]!);
        p.end = Math.max(p.end, ends[r]!);
        p.status = src.status(r);
        for (const c of kids(r)) if (kindOf(c) === STEP) summarizeStep(c, Number(src.attr(r, Attr.planPass) ?? 0), p.seen, p.steps);
      } else if (kind === STEP) {
        const no = Number(src.attr(r, Attr.planPass) ?? 0);
        const p = passOf(no, r);
        p.end = Math.max(p.end, ends[r]!);
        summarizeStep(r, no, p.seen, p.steps);
      }
    }
    for (const no of [...byPass.keys()].sort((a, b) => a - b)) {
      const p = byPass.get(no)!;
      passes.push({ pass: no, startMs: p.start, durationMs: Math.max(0, p.end - p.start), status: p.status, steps: p.steps });
    }
  } else if (passSpans.length > 0) {
    for (const p of passSpans) {
      const passNo = Number(src.attr(p, Attr.planPass) ?? passes.length + 1);
      const steps: StepSummary[] = [];
      const seen = new Map<string, number>();
      for (const c of kids(p)) if (kindOf(c) === STEP) summarizeStep(c, passNo, seen, steps);
      passes.push({ pass: passNo, startMs: src.startMs(p), durationMs: Math.max(0, src.endMs(p) - src.startMs(p)), status: src.status(p), steps });
    }
  } else if (root >= 0) {
    const steps: StepSummary[] = [];
    const seen = new Map<string, number>();
    for (const c of kids(root)) summarizeStep(c, 0, seen, steps);
    passes.push({ pass: 0, startMs: src.startMs(root), durationMs: Math.max(0, src.endMs(root) - src.startMs(root)), status: src.status(root), steps });
  }

  const outcome = root >= 0 ? src.attr(root, Attr.planOutcome) : undefined;
  const plan = root >= 0 ? (src.attr(root, Attr.planName) ?? src.name(root).replace(/^plan /, '')) : '';
  return {
    traceId: traceIdOf(src, root),
    plan: String(plan),
    outcome: typeof outcome === 'string' ? outcome : 'unknown',
    startMs: root >= 0 ? src.startMs(root) : 0,
    durationMs: root >= 0 ? Math.max(0, src.endMs(root) - src.startMs(root)) : 0,
    spanCount: n,
    errorCount,
    passes,
  };
}

function traceIdOf(src: SpanSource, root: number): string {
  const t = src.traceId?.(root >= 0 ? root : 0);
  return t ?? '';
}

/** Length of [start, end] not covered by the children's intervals (children sorted by start). */
function selfTime(starts: Float64Array, ends: Float64Array, start: number, end: number, sortedChildren: readonly number[]): number {
  let covered = 0;
  let reach = start;
  for (const c of sortedChildren) {
    const s = Math.max(starts[c]!, reach);
    const e = Math.min(ends[c]!, end);
    if (e > s) {
      covered += e - s;
      reach = e;
    }
  }
  return Math.max(0, end - start - covered);
}

/** Every step of a summary, pass by pass, in run order. */
export function allSteps(summary: PlanRunSummary): StepSummary[] {
  const out: StepSummary[] = [];
  for (const p of summary.passes) for (const s of p.steps) out.push(s);
  return out;
}
