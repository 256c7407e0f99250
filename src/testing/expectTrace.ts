import { AssertionError } from 'node:assert';
import type { SpanView } from '../protocol/spanView';
import { formatDuration } from '../text/duration';
import type { RunOutcome } from '../runtime/types';
import type { PlanRun } from './runPlan';
import type { RunTrace } from './runTrace';
import { parseSelector } from './selector';

/** A failed trace expectation; `actual` and `expected` are what test runners diff. */
export class TraceAssertionError extends AssertionError {
  constructor(message: string, actual: unknown, expected: unknown, operator: string) {
    super({ message, actual, expected, operator });
    this.name = 'TraceAssertionError';
  }
}

/** Assertions on a run's trace, chainable; each failure shows expected vs actual and a waterfall. */
export interface TraceExpectation {
  /** The run converged. */
  toConverge(): TraceExpectation;
  toHaveOutcome(outcome: RunOutcome): TraceExpectation;
  /** Exactly `count` spans match (at least one when `count` is left out). */
  toHave(selector: string, count?: number): TraceExpectation;
  /** No span matches. */
  toHaveNo(selector: string): TraceExpectation;
  /** Every matching span (at least one) lasted at most `ms` milliseconds. */
  toTakeAtMost(selector: string, ms: number): TraceExpectation;
  /** Every matching span (at least one) carries the attribute with this value. */
  toHaveAttribute(selector: string, key: string, value: unknown): TraceExpectation;
}

/** Starts assertions on a run (or on its trace alone). */
export function expectTrace(run: PlanRun | RunTrace): TraceExpectation {
  const trace = 'trace' in run ? run.trace : run;
  const outcome = 'outcome' in run ? run.outcome : undefined;
  const error = 'error' in run ? run.error : undefined;
  const self: TraceExpectation = {
    toConverge: () => self.toHaveOutcome('converged'),
    toHaveOutcome(expected) {
      if (outcome !== expected) {
        const why = error ? `\n${error.message}` : '';
        throw new TraceAssertionError(`expected the run to end ${expected}, it ended ${outcome ?? 'unknown'}${why}\n\n${trace.waterfall()}`, outcome, expected, 'outcome');
      }
      return self;
    },
    toHave(selector, count) {
      const found = trace.find(selector);
      const ok = count === undefined ? found.length > 0 : found.length === count;
      if (!ok) {
        const want = count === undefined ? 'at least 1 span' : `${count} span${count === 1 ? '' : 's'}`;
        fail(trace, selector, found, `expected ${want} matching\n  ${selector}\ngot ${found.length}`, found.length, count ?? '≥ 1', 'count');
      }
      return self;
    },
    toHaveNo(selector) {
      const found = trace.find(selector);
      if (found.length > 0) fail(trace, selector, found, `expected no span matching\n  ${selector}\ngot ${found.length}`, found.length, 0, 'count');
      return self;
    },
    toTakeAtMost(selector, ms) {
      const found = trace.find(selector);
      if (found.length === 0) fail(trace, selector, found, `expected spans matching\n  ${selector}\ngot none`, 0, '≥ 1', 'count');
      const slow = found.filter((s) => s.endMs - s.startMs > ms);
      if (slow.length > 0) {
        const worst = Math.max(...slow.map((s) => s.endMs - s.startMs));
        fail(trace, selector, slow, `expected every span matching\n  ${selector}\nto take at most ${formatDuration(ms)}; ${slow.length} took longer (up to ${formatDuration(worst)})`, worst, ms, '<=');
      }
      return self;
    },
    toHaveAttribute(selector, key, value) {
      const found = trace.find(selector);
      if (found.length === 0) fail(trace, selector, found, `expected spans matching\n  ${selector}\ngot none`, 0, '≥ 1', 'count');
      const wrong = found.filter((s) => s.attributes[key] !== value);
      if (wrong.length > 0) {
        const seen = wrong[0]!.attributes[key];
        fail(trace, selector, wrong, `expected ${key} = ${JSON.stringify(value)} on every span matching\n  ${selector}\ngot ${seen === undefined ? 'no such attribute' : JSON.stringify(seen)} on ${wrong.length}`, seen, value, '===');
      }
      return self;
    },
  };
  return self;
}

function fail(trace: RunTrace, selector: string, found: readonly SpanView[], head: string, actual: unknown, expected: unknown, operator: string): never {
  const listed = found.slice(0, 8).map((s) => `  ${s.name} (${formatDuration(s.endMs - s.startMs)})`);
  if (found.length > 8) listed.push(`  … and ${found.length - 8} more`);
  const steps = contextSteps(trace, selector, found);
  const where =
    steps.length > 0
      ? `\n\nin ${steps.map((s) => `step ${String(s.attributes['procedure.id'] ?? s.name)} (pass ${String(s.attributes['plan.pass'] ?? '?')})`).join(', ')}:\n${trace.waterfall(steps.slice(0, 3), { maxRows: 30 })}`
      : `\n\nthe run:\n${trace.waterfall(undefined, { maxRows: 30 })}`;
  throw new TraceAssertionError(`${head}${listed.length ? ':\n' + listed.join('\n') : ''}${where}`, actual, expected, operator);
}

/**
 * The steps a failure is about: those the selector's last `step` part selects
 * (`step[procedure.id=x] > span[…]` → the steps x), else the steps enclosing what was found.
 */
function contextSteps(trace: RunTrace, selector: string, found: readonly SpanView[]): SpanView[] {
  const parsed = parseSelector(selector);
  let last = -1;
  parsed.compounds.forEach((c, i) => {
    if (c.kind === 'step') last = i;
  });
  if (last >= 0) {
    const steps = trace.find(selector.slice(0, parsed.compounds[last]!.end));
    if (steps.length > 0) return steps;
  }
  return trace.enclosingSteps(found);
}

