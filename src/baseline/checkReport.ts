import { relative, resolve } from 'node:path';
import type { CheckOutcome, Difference } from './compare';

/** The check of one plan file against its baseline. */
export interface PlanCheckResult {
  /** As given on the command line (relative to the working directory). */
  planFile: string;
  exportName: string;
  baselineFile: string;
  plan: string;
  outcome: CheckOutcome;
  traceIds: string[];
}

export type ReportFormat = 'text' | 'json' | 'junit' | 'sarif';

const ms = (x: number | undefined) => (x === undefined ? '—' : x < 1000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(2)} s`);

function seenIn(d: Difference, runs: number): string {
  return d.seenIn !== undefined && d.seenIn < runs ? ` (in ${d.seenIn} of ${runs} runs)` : '';
}

/** Text: the verdict per plan, each difference on one line, then the step-by-step compare. */
export function textReport(results: readonly PlanCheckResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const o = r.outcome;
    const title = `${r.plan} · ${r.planFile}${r.exportName !== 'default' ? ` (${r.exportName})` : ''} against ${r.baselineFile}`;
    if (o.passed) {
      out.push(`✔ ${title}: matches (${o.runs} run${o.runs === 1 ? '' : 's'}, median ${ms(o.duration.seenMs)}, baseline ${ms(o.duration.baselineMs)})`);
      continue;
    }
    out.push(`✗ ${title}: ${o.differences.length} difference${o.differences.length === 1 ? '' : 's'} (${o.runs} run${o.runs === 1 ? '' : 's'})`);
    for (const d of o.differences) out.push(`  ${d.message}${seenIn(d, o.runs)}`);
    out.push('', `  compare with the baseline (median ms, baseline → this check):`);
    let pass = -1;
    const w = Math.min(40, Math.max(...o.compare.map((c) => c.step.length), 8));
    for (const row of o.compare) {
      if (row.pass !== pass) {
        pass = row.pass;
        out.push(`  pass ${pass}`);
      }
      const mark = row.change === 'added' ? '+' : row.change === 'missing' ? '-' : row.change === 'changed' ? '~' : ' ';
      const calls = row.calls.map((c) => (c.expected === c.actual ? `${c.name} ${c.actual}` : `${c.name} ${c.expected}→${c.actual}`)).join(', ');
      out.push(`   ${mark} ${row.step.padEnd(w)}  ${ms(row.baselineMs).padStart(8)} → ${ms(row.seenMs).padEnd(8)}  ${calls}`);
    }
    out.push(`    ${'plan'.padEnd(w)}  ${ms(o.duration.baselineMs).padStart(8)} → ${ms(o.duration.seenMs).padEnd(8)}  limit ${ms(o.duration.limitMs)}`);
    if (r.traceIds.length) out.push(`  traces: ${r.traceIds.join(' ')}`);
    out.push('');
  }
  const failed = results.filter((r) => !r.outcome.passed).length;
  out.push(failed === 0 ? (results.length === 1 ? '1 plan matches its baseline' : `${results.length} plans match their baselines`) : `${failed} of ${results.length} plan${results.length === 1 ? '' : 's'} ${failed === 1 ? 'differs from its baseline' : 'differ from their baselines'}`);
  return out.join('\n') + '\n';
}

export function jsonReport(results: readonly PlanCheckResult[]): string {
  return JSON.stringify({ passed: results.every((r) => r.outcome.passed), plans: results }, null, 2) + '\n';
}

function xml(s: string): string {
  // Drop characters XML 1.0 cannot carry at all, then escape markup.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** JUnit XML: one suite per plan, one test case per step compared (and one for the plan). */
export function junitReport(results: readonly PlanCheckResult[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const r of results) {
    const cases: string[] = [];
    const byStep = new Map<string, Difference[]>();
    for (const d of r.outcome.differences) {
      const k = d.step === undefined ? 'plan' : `pass ${d.pass} · ${d.step}`;
      const list = byStep.get(k);
      if (list) list.push(d);
      else byStep.set(k, [d]);
    }
    const names = ['plan', ...r.outcome.compare.map((c) => `pass ${c.pass} · ${c.step}`)];
    for (const k of byStep.keys()) if (!names.includes(k)) names.push(k);
    let suiteFailures = 0;
    for (const name of names) {
      const diffs = byStep.get(name) ?? [];
      if (diffs.length > 0) suiteFailures++;
      const body = diffs.length ? `<failure message="${xml(diffs[0]!.message)}" type="${xml(diffs[0]!.kind)}">${xml(diffs.map((d) => d.message).join('\n'))}</failure>` : '';
      cases.push(`    <testcase classname="${xml(r.planFile)}" name="${xml(name)}">${body}</testcase>`);
    }
    tests += names.length;
    failures += suiteFailures;
    suites.push(`  <testsuite name="${xml(`${r.plan} (${r.planFile}${r.exportName !== 'default' ? ` ${r.exportName}` : ''})`)}" tests="${names.length}" failures="${suiteFailures}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="instrument-first check" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** SARIF 2.1.0: one result per difference, located at the step's code when the spans said where. */
export function sarifReport(results: readonly PlanCheckResult[], baseDir: string): string {
  const toUri = (file: string) => relative(baseDir, resolve(baseDir, file)).split('\\').join('/').split('/').map(encodeURIComponent).join('/');
  const rules = ['outcome', 'passes', 'step-added', 'step-missing', 'order', 'calls', 'call-errors', 'status', 'pinned', 'duration'];
  const sarifResults = results.flatMap((r) =>
    r.outcome.differences.map((d) => ({
      ruleId: `baseline/${d.kind}`,
      level: 'error',
      message: { text: `${r.plan}: ${d.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: toUri(d.filepath ?? r.planFile), uriBaseId: '%SRCROOT%' },
            ...(d.lineno ? { region: { startLine: d.lineno } } : {}),
          },
        },
      ],
      properties: { expected: d.expected, actual: d.actual, baseline: r.baselineFile, ...(d.step ? { step: d.step, pass: d.pass } : {}) },
    })),
  );
  const log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'instrument-first check', informationUri: 'https://example.invalid/instrument-first', rules: rules.map((id) => ({ id: `baseline/${id}`, shortDescription: { text: `The run differs from its baseline: ${id}` } })) } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${baseDir.split('\\').join('/').replace(/\/?$/, '/')}` } },
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
