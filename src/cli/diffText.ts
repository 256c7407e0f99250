import type { RunDiff, StepDiff } from '../protocol/collectorTypes';
import { formatDuration } from '../text/duration';
import { cleanForTerminal as clean } from '../text/terminalText';

function stepLabel(s: StepDiff): string {
  return `pass ${s.pass}  ${clean(s.procedureId)}${s.occurrence > 0 ? ` #${s.occurrence + 1}` : ''}`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : formatDuration(v);
}

/**
 * The diff of two runs as text (the `diff` command and the demo): steps added and removed, then
 * changed steps with the status and child-call counts that changed — what makes both sample
 * incidents stand out.
 */
export function formatDiff(d: RunDiff): string {
  const out: string[] = [];
  const delta = d.durationDeltaMs;
  out.push(`a: ${d.a.traceId}  ${clean(d.a.plan)}  ${d.a.status}  ${formatDuration(d.a.durationMs)}`);
  out.push(`b: ${d.b.traceId}  ${clean(d.b.plan)}  ${d.b.status}  ${formatDuration(d.b.durationMs)}  (${delta >= 0 ? '+' : '-'}${formatDuration(Math.abs(delta))})`);
  out.push('');
  if (d.added.length + d.removed.length + d.changed.length === 0) out.push(`no differences in ${d.unchangedCount} matched steps`);
  for (const s of d.added) out.push(`+ added    ${stepLabel(s)}  ${ms(s.durationMsB)}${s.statusB === 'error' ? '  ERROR' : ''}`);
  for (const s of d.removed) out.push(`- removed  ${stepLabel(s)}  ${ms(s.durationMsA)}`);
  for (const s of d.changed) {
    out.push(`~ changed  ${stepLabel(s)}  ${ms(s.durationMsA)} -> ${ms(s.durationMsB)}  [${s.reasons.join(', ')}]`);
    if (s.statusA !== s.statusB) out.push(`      status ${s.statusA} -> ${s.statusB}`);
    for (const c of s.calls) if (c.countA !== c.countB) out.push(`      calls  ${clean(c.name)}: ${c.countA} -> ${c.countB}`);
  }
  if (d.unchangedCount > 0 && out.length > 3) out.push(`  (${d.unchangedCount} matched steps unchanged)`);
  return out.join('\n') + '\n';
}
