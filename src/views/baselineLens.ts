/**
 * The editor's automatic baseline check, pure parts: what the plan's CodeLens says and where each
 * difference of a run against its baseline goes as a diagnostic. The extension side
 * (src/vscode/testing/autoBaselineCheck.ts) only renders what these return.
 */
import { isAbsolute, resolve, dirname, basename } from 'node:path';
import type { Baseline } from '../baseline/baseline';
import { compareShape, type Difference } from '../baseline/compare';
import type { PlanRunSummary } from '../summary/runSummary';
import { findDoFrom } from '../timelineModel/doLocator';

/**
 * One run against its baseline, shape only: steps, calls, statuses and pinned attributes. A single
 * run cannot judge durations robustly (the duration rule needs several runs), so none are compared.
 */
export function autoCheckDifferences(base: Baseline, run: PlanRunSummary): Difference[] {
  return compareShape(base, run);
}

/** `baseline ✓`, `baseline: 1 difference`, `baseline: 3 differences`. */
export function baselineLensText(differences: number): string {
  if (differences === 0) return 'baseline ✓';
  return `baseline: ${differences} difference${differences === 1 ? '' : 's'}`;
}

/** The lens tooltip: against which file, what was compared, and why durations were not. */
export function baselineLensTooltip(baselineFile: string, differences: readonly Difference[]): string {
  const lines = [
    `Latest run checked against ${basename(baselineFile)}: shape only (steps, calls, statuses, pinned attributes).`,
    'Durations are not judged on a single run; "Check against baseline" in the Test Explorer runs the plan several times and applies the duration rule.',
  ];
  if (differences.length) lines.push('', ...differences.slice(0, 10).map((d) => `• ${d.message}`), ...(differences.length > 10 ? [`… and ${differences.length - 10} more`] : []));
  lines.push('', 'Click to compare the run with the baseline.');
  return lines.join('\n');
}

/** A difference placed in a file: the step's `do()` line when known, else the plan's line. */
export interface DifferenceAt {
  /** Absolute path. */
  file: string;
  /** 0-based. */
  line: number;
  message: string;
  expected: string;
  actual: string;
  difference: Difference;
}

export interface PlaceOptions {
  baselineFile: string;
  /** Absolute plan file and the 0-based line of the plan's export, for plan-level differences. */
  planFile: string;
  planLine: number;
  /** The text of a source file, to find the step's `do()` line; undefined when unreadable. */
  textOf: (file: string) => string | undefined;
}

/**
 * Where each difference goes. A step's file is recorded relative to the baseline's folder (or
 * absolute, for steps seen only in the run); its line is the class's, moved to the class's `do()`.
 */
export function placeDifferences(differences: readonly Difference[], o: PlaceOptions): DifferenceAt[] {
  const texts = new Map<string, string | undefined>();
  const text = (f: string) => {
    if (!texts.has(f)) texts.set(f, o.textOf(f));
    return texts.get(f);
  };
  return differences.map((d) => {
    let file = o.planFile;
    let line = o.planLine;
    if (d.filepath) {
      file = isAbsolute(d.filepath) ? d.filepath : resolve(dirname(o.baselineFile), d.filepath);
      line = d.lineno && d.lineno > 0 ? d.lineno - 1 : 0;
      const t = text(file);
      const doLine = t === undefined ? undefined : findDoFrom(t, line);
      if (doLine !== undefined) line = doLine;
    }
    return { file, line, message: `baseline: ${d.message}`, expected: d.expected, actual: d.actual, difference: d };
  });
}
