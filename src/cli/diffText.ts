import type { RunDiff, StepDiff } from '../protocol/collectorTypes';
import { formatDuration } from './waterfall';

function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function stepLabel(s: StepDiff): string {
  return `${clean(s.procedureId)} (pass ${s.pass}${s.occurrence > 0 ? `, #${s.occurrence + 1}` : ''})`;
}

function delta(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return '';
  const d = b - a;
  return `${formatDuration(a)} → ${formatDuration(b)} (${d >= 0 ? '+' : '−'}${formatDuration(Math.abs(d))})`;
}

/**
 * The diff of two runs as text: steps added and removed, then changed steps with the call counts
 * and durations that changed — what makes both sample incidents stand out.
 */
export function renderRunDiff(diff: RunDiff, options: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  lines.push(`a: ${clean(diff.a.plan)} ${diff.a.traceId} · ${diff.a.status} · ${formatDuration(diff.a.durationMs)}`);
  lines.push(`b: ${clean(diff.b.plan)} ${diff.b.traceId} · ${diff.b.status} · ${formatDuration(diff.b.durationMs)}`);
  lines.push(`total: ${delta(diff.a.durationMs, diff.b.durationMs)}`);
  for (const s of diff.added) lines.push(paint('32', `+ step ${stepLabel(s)} added · ${formatDuration(s.durationMsB ?? 0)}`));
  for (const s of diff.removed) lines.push(paint('31', `- step ${stepLabel(s)} removed · was ${formatDuration(s.durationMsA ?? 0)}`));
  for (const s of diff.changed) {
    lines.push(paint('33', `~ step ${stepLabel(s)}: ${delta(s.durationMsA, s.durationMsB)}`));
    if (s.statusA !== s.statusB) lines.push(`    status ${s.statusA ?? '-'} → ${s.statusB ?? '-'}`);
    for (const c of s.calls) if (c.countA !== c.countB) lines.push(`    ${clean(c.name)}: ${c.countA} call${c.countA === 1 ? '' : 's'} → ${c.countB}`);
  }
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) lines.push('no step added, removed or changed');
  lines.push(paint('2', `${diff.unchangedCount} step${diff.unchangedCount === 1 ? '' : 's'} unchanged`));
  return lines.join('\n') + '\n';
}
