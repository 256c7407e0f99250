// The Activity list of the details pane and the rows of the run's log list: time offset, a
// severity badge (coloured by theme variables in the stylesheet), the body and the attributes.
// Everything from the program is set as text (h() sets textContent); a long body shows its first
// lines with a button for the rest.
import { displayText, type ActivityEntry, type RunLogRow } from '../timelineModel/activity';
import { button, h } from './dom';

/** Most entries drawn at once; the rest one click away (a span with 10,000 logs stays responsive). */
const PAGE = 200;

export function activityList(entries: readonly ActivityEntry[], onCopy: (text: string) => void): HTMLElement {
  const list = h('div', 'activity');
  list.setAttribute('role', 'list');
  let shown = 0;
  const more = button('', 'Show more entries', () => drawMore(), 'btn activity-more');
  const drawMore = (): void => {
    const end = Math.min(entries.length, shown + PAGE);
    for (let i = shown; i < end; i++) list.insertBefore(activityRow(entries[i]!, onCopy), more);
    shown = end;
    more.textContent = `Show ${Math.min(PAGE, entries.length - shown)} more of ${entries.length - shown}`;
    more.hidden = shown >= entries.length;
  };
  list.append(more);
  drawMore();
  return list;
}

export function activityRow(e: ActivityEntry, onCopy?: (text: string) => void, extra?: HTMLElement): HTMLElement {
  const row = h('div', `act act-${e.source} sev-${e.severity}`);
  row.setAttribute('role', 'listitem');
  const head = h('div', 'act-head');
  head.append(h('span', 'act-time', e.offset), h('span', 'act-sev', e.severityLabel));
  if (extra) head.append(extra);
  row.append(head);
  const body = h('div', 'act-body', e.text);
  row.append(body);
  if (e.raw !== undefined && e.fullLength !== undefined) {
    const raw = e.raw;
    const all = button(`Show all (${e.fullLength.toLocaleString('en-US')} characters)`, 'Show the whole text', () => {
      body.textContent = displayText(raw, true).text;
      all.remove();
    }, 'btn act-all');
    row.append(all);
  }
  if (e.attributes.length) {
    const attrs = h('div', 'act-attrs');
    for (const f of e.attributes) attrs.append(h('span', 'act-k', f.key), h('span', 'act-v', f.value));
    row.append(attrs);
  }
  if (onCopy) {
    const copy = button('copy', 'Copy this entry', () => onCopy(`${e.offset} ${e.severityLabel} ${e.raw ?? e.text}${e.attributes.map((f) => ` ${f.key}=${f.value}`).join('')}`), 'btn icon act-copy');
    head.append(copy);
  }
  return row;
}

/** A row of the run's log list: the entry, with the name of its span as a button that selects it. */
export function runLogRow(r: RunLogRow, select: (node: number) => void): HTMLElement {
  const span = r.node === -1 ? h('span', 'act-span muted', r.spanName) : button(r.spanName, 'Select this span in the waterfall', () => select(r.node), 'btn act-span');
  const row = activityRow(r, undefined, span);
  if (r.node !== -1) {
    row.classList.add('selectable');
    row.addEventListener('click', (ev) => {
      // A click on the row (not on a button inside it) selects the span too.
      if ((ev.target as HTMLElement).closest('button')) return;
      select(r.node);
    });
  }
  return row;
}
