// Details of the selected span: identity and times, typed attributes, exceptions with their
// stack, its Activity (events, log lines and the OTLP log records joined to it, in time order),
// the resource. Copy buttons go through the host
// (the clipboard is the extension's), "Go to code" asks the host to reveal the span's code.
// Links list the spans this one links to; "Open" selects one in this run, or asks the host to
// open its trace.
import { activityLine, type ActivityEntry } from '../timelineModel/activity';
import type { DetailField, DetailLink, SpanDetails } from '../timelineModel/spanDetails';
import { activityList } from './activityList';
import { append, button, h } from './dom';

export interface DetailsEvents {
  copy(text: string): void;
  openCode(): void;
  openLink(link: DetailLink): void;
}

export class DetailsPane {
  readonly element: HTMLDivElement;
  private readonly notice: HTMLDivElement;

  constructor(private readonly events: DetailsEvents) {
    this.element = h('div', 'details');
    this.element.setAttribute('aria-label', 'Span details');
    this.notice = h('div', 'notice');
    this.show(undefined);
  }

  /** `activity`: the span's events and log records in time order (see spanActivity). */
  show(d: SpanDetails | undefined, activity: readonly ActivityEntry[] = []): void {
    this.element.replaceChildren();
    this.notice.textContent = '';
    if (!d) {
      this.element.append(h('p', 'empty', 'Select a span to see its details. ↑↓ move, ←→ collapse/expand, Enter goes to code.'));
      return;
    }
    const head = h('div', 'details-head');
    const title = h('h2', `details-title kind-${d.kind}`, d.title);
    head.append(title);
    const actions = h('div', 'actions');
    if (d.hasCode) actions.append(button('Go to code', 'Open the code that produced this span (Enter)', () => this.events.openCode(), 'btn primary go-to-code'));
    const id = d.fields.find((f) => f.key === 'span id')?.value ?? '';
    const traceId = d.fields.find((f) => f.key === 'trace id')?.value ?? '';
    actions.append(
      button('Copy span id', 'Copy the span id', () => this.events.copy(id)),
      button('Copy trace id', 'Copy the trace id', () => this.events.copy(traceId)),
      button('Copy as JSON', 'Copy fields and attributes as JSON', () => this.events.copy(asJson(d))),
    );
    head.append(actions, this.notice);
    this.element.append(head);
    this.section('Span', d.fields, false);
    if (d.pending !== undefined) {
      // The whole span is on its way (or gone): say so where its attributes go.
      this.sectionShell('Attributes').append(h('p', 'muted details-pending', d.pending));
    } else this.section('Attributes', d.attributes, true);
    if (d.exceptions.length) {
      const sec = this.sectionShell(`Exceptions (${d.exceptions.length})`);
      for (const x of d.exceptions) {
        const box = h('div', 'exception');
        append(box, h('div', 'exc-head', `${x.type || 'Error'}: ${x.message}`), h('span', 'muted', ` at ${x.atMs}`));
        if (x.stack) {
          box.append(h('pre', 'stack', x.stack));
          box.append(button('Copy stack', 'Copy the stack trace', () => this.events.copy(x.stack)));
        }
        sec.append(box);
      }
    }
    if (activity.length) {
      const logs = activity.filter((e) => e.source !== 'event').length;
      const sec = this.sectionShell(`Activity (${activity.length}${logs && logs < activity.length ? `: ${logs} log${logs === 1 ? '' : 's'}, ${activity.length - logs} event${activity.length - logs === 1 ? '' : 's'}` : ''})`);
      sec.classList.add('activity-section');
      sec.append(
        activityList(activity, (text) => this.events.copy(text)),
        button('Copy activity', 'Copy the events and log records as lines', () => this.events.copy(activity.map(activityLine).join('\n'))),
      );
    }
    if (d.links.length) {
      const sec = this.sectionShell(`Links (${d.links.length})`);
      for (const l of d.links) {
        const box = h('div', 'link');
        const head = h('div', 'link-head');
        append(head, h('span', 'link-ids', `${l.traceId} / ${l.spanId}`), h('span', 'muted', l.inThisRun ? ' in this run' : ' another trace'));
        const open = button('Open', l.inThisRun ? 'Select the linked span' : 'Open the linked trace with this span selected, if the collector has it', () => this.events.openLink(l), 'btn open-link');
        head.append(open);
        box.append(head);
        const fields: DetailField[] = [];
        if (l.traceState) fields.push({ key: 'trace state', value: l.traceState });
        if (l.flags) fields.push({ key: 'flags', value: l.flags });
        if (fields.length) box.append(this.table(fields, false));
        if (l.attributes.length) box.append(this.table(l.attributes, true));
        sec.append(box);
      }
    }
    if (d.resource.length) this.section('Resource', d.resource, true);
  }

  /** Feedback from the host, e.g. "no code found for this span". */
  setNotice(text: string): void {
    this.notice.textContent = text;
  }

  private sectionShell(title: string): HTMLElement {
    const sec = h('section', 'details-section');
    sec.append(h('h3', undefined, title));
    this.element.append(sec);
    return sec;
  }

  private section(title: string, fields: DetailField[], typed: boolean): void {
    const sec = this.sectionShell(`${title}${typed ? ` (${fields.length})` : ''}`);
    if (fields.length) sec.append(this.table(fields, typed));
    else sec.append(h('p', 'muted', 'none'));
  }

  private table(fields: DetailField[], typed: boolean): HTMLTableElement {
    const t = h('table', 'kv');
    for (const f of fields) {
      const tr = h('tr');
      const k = h('td', 'k', f.key);
      const v = h('td', 'v');
      v.append(h('span', 'value', f.value));
      if (typed && f.type) v.append(h('span', 'type', f.type));
      const c = h('td', 'c');
      c.append(button('copy', `Copy ${f.key}`, () => this.events.copy(f.value), 'btn icon'));
      tr.append(k, v, c);
      t.append(tr);
    }
    return t;
  }
}

function asJson(d: SpanDetails): string {
  const o: Record<string, unknown> = {};
  for (const f of d.fields) o[f.key] = f.value;
  o.attributes = Object.fromEntries(d.attributes.map((a) => [a.key, a.value]));
  if (d.logs.length) o.logs = d.logs;
  if (d.exceptions.length) o.exceptions = d.exceptions;
  return JSON.stringify(o, null, 2);
}
