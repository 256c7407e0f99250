/**
 * A run as plain text: the read-only document "Open Trace" shows until the timeline webview is
 * wired, and the text of "Compare with Previous Run". Everything from spans is printed as text.
 */
import type { RunDiff, SpanNode, TraceTree } from '../protocol/collectorTypes';
import { Attr } from '../protocol/attributes';
import { runOutcomeText } from './format';
import { formatDuration } from '../text/duration';

const BAR = 30;

function clean(s: string, max = 200): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

export function traceToText(tree: TraceTree, maxRows = 5000): string {
  const s = tree.summary;
  const out: string[] = [
    `${s.kind === 'plan' ? 'plan' : 'trace'} ${clean(s.plan)} · ${runOutcomeText(s)}`,
    `trace ${tree.traceId} · ${tree.spanCount} spans · service ${clean(s.serviceName || '?')}`,
    '',
  ];
  const t0 = Math.min(...tree.roots.map((r) => r.startMs));
  const t1 = Math.max(...tree.roots.map((r) => endOf(r)));
  const span = Math.max(t1 - t0, 1e-6);
  let rows = 0;
  const errors: string[] = [];
  const walk = (n: SpanNode, depth: number) => {
    if (n.status === 'error') errors.push(`  ${clean(n.name)}: ${clean(n.statusMessage ?? 'error', 400)}${where(n)}`);
    if (rows++ >= maxRows) return;
    const from = Math.floor(((n.startMs - t0) / span) * BAR);
    const width = Math.max(1, Math.round(((n.endMs - n.startMs) / span) * BAR));
    const bar = ' '.repeat(Math.min(from, BAR - 1)) + '█'.repeat(Math.min(width, BAR - Math.min(from, BAR - 1)));
    const mark = n.status === 'error' ? ' ✗' : '';
    const label = `${'  '.repeat(depth)}${clean(n.name, 80)}`;
    out.push(`${label.padEnd(48)} ${formatDuration(n.endMs - n.startMs).padStart(9)} |${bar.padEnd(BAR)}|${mark}${calls(n)}`);
    for (const c of n.children) walk(c, depth + 1);
  };
  for (const r of tree.roots) walk(r, 0);
  if (rows > maxRows) out.push(`… ${rows - maxRows} more spans`);
  if (errors.length) out.push('', 'errors:', ...errors.slice(0, 50));
  return out.join('\n') + '\n';
}

function endOf(n: SpanNode): number {
  let e = n.endMs;
  for (const c of n.children) e = Math.max(e, endOf(c));
  return e;
}

function where(n: SpanNode): string {
  const f = n.attributes[Attr.codeFilepath];
  return typeof f === 'string' ? ` (${clean(f)})` : '';
}

function calls(n: SpanNode): string {
  if (n.attributes[Attr.kind] !== 'step') return '';
  const k = n.children.filter((c) => c.attributes[Attr.kind] === 'call').length;
  return k ? `  ${k} call${k === 1 ? '' : 's'}` : '';
}

export function diffToText(d: RunDiff): string {
  const delta = d.durationDeltaMs;
  const out = [
    `compare ${clean(d.a.plan)} ${d.a.traceId.slice(0, 8)} → ${d.b.traceId.slice(0, 8)}`,
    `a: ${d.a.traceId} · ${runOutcomeText(d.a)}`,
    `b: ${d.b.traceId} · ${runOutcomeText(d.b)}`,
    `duration ${delta >= 0 ? '+' : '−'}${formatDuration(Math.abs(delta))}`,
    '',
  ];
  const step = (s: RunDiff['added'][number]) => `${clean(s.procedureId)} (pass ${s.pass}${s.occurrence ? `, #${s.occurrence + 1}` : ''})`;
  const dur = (ms: number | undefined) => (ms === undefined ? '–' : formatDuration(ms));
  if (d.added.length) out.push('added in b:', ...d.added.map((s) => `  + ${step(s)} ${dur(s.durationMsB)}`), '');
  if (d.removed.length) out.push('removed in b:', ...d.removed.map((s) => `  − ${step(s)} ${dur(s.durationMsA)}`), '');
  if (d.changed.length) {
    out.push('changed:');
    for (const s of d.changed) {
      out.push(`  ~ ${step(s)} ${dur(s.durationMsA)} → ${dur(s.durationMsB)} [${s.reasons.join(', ')}]`);
      for (const c of s.calls.filter((c) => c.countA !== c.countB)) out.push(`      ${clean(c.name)}: ${c.countA} call(s) → ${c.countB}`);
      if (s.statusA !== s.statusB) out.push(`      status: ${s.statusA ?? '–'} → ${s.statusB ?? '–'}`);
    }
    out.push('');
  }
  out.push(`${d.unchangedCount} step(s) unchanged`);
  return out.join('\n') + '\n';
}
