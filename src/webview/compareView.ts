// Comparison of two runs: the headline in words (what changed, most telling first), then one row
// per added, removed or changed step: pass, step, durations in A and B drawn side by side, the
// delta, and the calls whose count changed. A row opens the step's code (from run B, else A).
import type { CompareRow, CompareRunLabel, CompareView } from '../protocol/timelineMessages';
import { rowDeltaMs, rowMeaning } from '../timelineModel/compareModel';
import { formatDuration } from '../text/duration';
import { append, button, h } from './dom';

export interface CompareEvents {
  openCode(traceId: string, spanId: string): void;
  openRun(traceId: string): void;
}

function runText(r: CompareRunLabel): string {
  const title = r.exportName && r.exportName !== 'default' ? `${r.plan} · ${r.exportName}` : r.plan;
  return `${title}${r.runKind === 'debug' ? ' (debug)' : ''} · ${new Date(r.startMs).toLocaleString()} · ${formatDuration(r.durationMs)} · ${r.status} · ${r.spanCount} spans${r.errorCount ? ` · ${r.errorCount} errors` : ''}`;
}

function signed(ms: number): string {
  return ms > 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

export function renderCompare(v: CompareView, events: CompareEvents): HTMLElement {
  const root = h('div', 'compare');
  const head = h('div', 'compare-head');
  for (const [tag, run] of [
    ['A', v.a],
    ['B', v.b],
  ] as const) {
    const line = h('div', `run-line run-${tag.toLowerCase()}`);
    append(line, h('span', 'run-tag', tag), h('span', 'run-text', runText(run)), button(`Open ${tag}`, `Open run ${tag} in the waterfall`, () => events.openRun(run.traceId)));
    head.append(line);
  }
  root.append(head);

  const headline = h('ul', 'headline');
  v.headline.forEach((t, i) => headline.append(h('li', i === 0 ? 'total' : 'finding', t)));
  root.append(headline);

  const max = Math.max(1, ...v.rows.map((r) => Math.max(r.durationMsA ?? 0, r.durationMsB ?? 0)));
  const table = h('table', 'compare-table');
  const hr = h('tr');
  // The calls column (the one that shows a swallowed error) comes right after the step and Δ; the
  // duration columns come last and are the first to go when the panel is narrow (see timeline.css).
  for (const [cls, c] of [
    ['badge', ''],
    ['pass', 'Pass'],
    ['step', 'Step'],
    ['num delta', 'Δ'],
    ['calls', 'Calls changed (A → B)'],
    ['num col-a', 'A'],
    ['num col-b', 'B'],
    ['bars', 'Durations'],
  ] as const)
    hr.append(h('th', cls, c));
  const thead = h('thead');
  thead.append(hr);
  const tbody = h('tbody');
  for (const r of v.rows) tbody.append(rowEl(r, max, v, events));
  table.append(thead, tbody);
  root.append(table);
  root.append(h('p', 'muted', `${v.unchangedCount} step${v.unchangedCount === 1 ? '' : 's'} unchanged (same procedure, pass, calls and status; duration within noise).`));
  return root;
}

function rowEl(r: CompareRow, max: number, v: CompareView, events: CompareEvents): HTMLTableRowElement {
  const meaning = rowMeaning(r);
  const tr = h('tr', `cmp-row change-${r.change}${r.calls.length ? ' calls-changed' : ''} meaning-${meaning}`);
  tr.tabIndex = 0;
  const badge = r.change === 'added' ? '+ added' : r.change === 'removed' ? '− removed' : '~ changed';
  tr.append(h('td', 'badge', badge), h('td', 'pass', String(r.pass)));
  const step = h('td', 'step');
  append(step, h('span', 'step-id', r.procedureId), r.occurrence > 0 && h('span', 'muted', ` #${r.occurrence + 1}`), r.procedureType && h('span', 'muted type', ` ${r.procedureType}`));
  tr.append(step);
  const delta = rowDeltaMs(r);
  // Coloured by meaning, not by sign: fewer calls or a new error is red even when it was faster.
  tr.append(h('td', `num delta ${meaning}`, signed(delta)));
  const calls = h('td', 'calls');
  for (const t of r.services) {
    // A service with one call name says nothing its call line does not.
    const same = r.calls.filter((c) => c.name.split(/\s+/)[0] === t.name);
    if (same.length === 1 && same[0]!.countA === t.countA && same[0]!.countB === t.countB) continue;
    const d = h('div', `service ${t.countB < t.countA ? 'fewer' : 'more'}`);
    append(d, h('span', 'call-name', `${t.name} calls`), h('span', 'call-count', ` ${t.countA} → ${t.countB}`));
    calls.append(d);
  }
  for (const c of r.calls) {
    const d = h('div', `call ${c.countB < c.countA ? 'fewer' : 'more'}`);
    append(d, h('span', 'call-name', c.name), h('span', 'call-count', ` ${c.countA} → ${c.countB}`));
    calls.append(d);
  }
  if (r.statusA !== r.statusB && r.change === 'changed') calls.append(h('div', 'status-change', `status ${r.statusA ?? '?'} → ${r.statusB ?? '?'}`));
  tr.append(calls);
  tr.append(h('td', 'num col-a', r.durationMsA === undefined ? '—' : formatDuration(r.durationMsA)));
  tr.append(h('td', 'num col-b', r.durationMsB === undefined ? '—' : formatDuration(r.durationMsB)));
  const bars = h('td', 'bars');
  for (const [cls, ms] of [
    ['a', r.durationMsA],
    ['b', r.durationMsB],
  ] as const) {
    const b = h('div', `dbar dbar-${cls}`);
    b.style.width = ms === undefined ? '0' : `max(1px, ${(ms / max) * 100}%)`;
    bars.append(b);
  }
  tr.append(bars);
  const open = () => {
    if (r.spanIdB) events.openCode(v.b.traceId, r.spanIdB);
    else if (r.spanIdA) events.openCode(v.a.traceId, r.spanIdA);
  };
  tr.title = 'Double-click or Enter: go to the step’s code';
  tr.addEventListener('dblclick', open);
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open();
  });
  return tr;
}
