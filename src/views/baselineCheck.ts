import { isAbsolute, resolve } from 'node:path';

/** One difference of a plan's check, placed at the step's code when the run said where. */
export interface BaselineCheckMessage {
  message: string;
  expected: string;
  actual: string;
  /** Absolute file and 0-based line; the plan file (line 0) when the step's code is unknown. */
  file: string;
  line: number;
}

export interface BaselineCheckResult {
  passed: boolean;
  plan: string;
  messages: BaselineCheckMessage[];
  traceIds: string[];
}

interface JsonDifference {
  message?: unknown;
  expected?: unknown;
  actual?: unknown;
  filepath?: unknown;
  lineno?: unknown;
  seenIn?: unknown;
}

/**
 * Reads `instrument-first check --format json` output (paths relative to `cwd`) for one plan.
 * Throws with the CLI's own words when the output is not a report.
 */
export function parseCheckReport(stdout: string, cwd: string, planFile: string): BaselineCheckResult {
  let report: { plans?: Array<{ plan?: unknown; traceIds?: unknown; outcome?: { passed?: unknown; runs?: unknown; differences?: unknown } }> };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    throw new Error(stdout.trim().slice(0, 500) || 'the check printed nothing');
  }
  const p = report.plans?.[0];
  if (!p || !p.outcome || !Array.isArray(p.outcome.differences)) throw new Error('the check report has no plan in it');
  const runs = typeof p.outcome.runs === 'number' ? p.outcome.runs : 0;
  const messages = (p.outcome.differences as JsonDifference[]).map((d) => {
    const seen = typeof d.seenIn === 'number' && d.seenIn < runs ? ` (in ${d.seenIn} of ${runs} runs)` : '';
    const file = typeof d.filepath === 'string' && d.filepath ? (isAbsolute(d.filepath) ? d.filepath : resolve(cwd, d.filepath)) : planFile;
    return {
      message: String(d.message ?? '') + seen,
      expected: String(d.expected ?? ''),
      actual: String(d.actual ?? ''),
      file,
      line: typeof d.lineno === 'number' && d.lineno > 0 ? d.lineno - 1 : 0,
    };
  });
  return {
    passed: p.outcome.passed === true,
    plan: String(p.plan ?? ''),
    messages,
    traceIds: Array.isArray(p.traceIds) ? p.traceIds.filter((t): t is string => typeof t === 'string') : [],
  };
}

/** What a baseline file says about its plan, enough to list it as a test. */
export interface BaselineEntry {
  plan: string;
  /** Absolute plan file. */
  planFile: string;
  exportName: string;
}

export function readBaselineEntry(text: string, baselineFile: string): BaselineEntry | undefined {
  try {
    const b = JSON.parse(text) as { format?: unknown; plan?: unknown; planFile?: unknown; export?: unknown };
    if (typeof b.format !== 'string' || !b.format.startsWith('instrument-first-baseline@') || typeof b.plan !== 'string' || typeof b.planFile !== 'string') return undefined;
    return { plan: b.plan, planFile: resolve(baselineFile, '..', b.planFile), exportName: typeof b.export === 'string' ? b.export : 'default' };
  } catch {
    return undefined;
  }
}
