// The waterfall: a header with the time axis, and a virtual list that keeps only the rows in view
// (plus a few) in the DOM. Row elements are pooled and recycled by row number, so scrolling by a
// row refills one element; a model change refills the visible ones.
import type { CriticalSegment } from '../timelineModel/criticalPath';
import type { RowModel } from '../timelineModel/rows';
import { nodeLabel, type SpanTree } from '../timelineModel/spanTree';
import { barGeometry, ticks, toUnit, type TimeWindow } from '../timelineModel/timeScale';
import { formatDuration } from '../text/duration';
import { h, setText } from './dom';

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;
const INDENT_PX = 12;

export interface WaterfallModel {
  tree: SpanTree;
  rows: RowModel;
  window: TimeWindow;
  selected: number;
  collapsed: ReadonlySet<string>;
  /** Critical-path segments by node, when the toggle is on. */
  critical?: ReadonlyMap<number, readonly CriticalSegment[]>;
}

export interface WaterfallEvents {
  select(node: number): void;
  toggle(node: number): void;
  open(node: number): void;
  key(e: KeyboardEvent): void;
}

/** What the waterfall reads from the layout: the track's width, the viewport's height and scroll. */
interface Geometry {
  width: number;
  height: number;
  top: number;
}

interface RowEl {
  root: HTMLDivElement;
  indent: HTMLSpanElement;
  twisty: HTMLSpanElement;
  err: HTMLSpanElement;
  label: HTMLSpanElement;
  total: HTMLDivElement;
  self: HTMLDivElement;
  bar: HTMLDivElement;
  crit: HTMLDivElement;
  row: number;
}

export class Waterfall {
  readonly element: HTMLDivElement;
  private readonly axis: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private pool: RowEl[] = [];
  private model: WaterfallModel | undefined;
  private frame = 0;
  private lastHeight = 0;

  constructor(private readonly events: WaterfallEvents) {
    this.element = h('div', 'waterfall');
    const header = h('div', 'wf-header');
    header.append(h('div', 'cell name', 'Span'), h('div', 'cell total', 'Total'), h('div', 'cell self', 'Self'));
    this.axis = h('div', 'cell track axis');
    header.append(this.axis);
    const body = h('div', 'wf-body');
    this.grid = h('div', 'grid');
    this.viewport = h('div', 'viewport');
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'tree');
    this.viewport.setAttribute('aria-label', 'Spans of the run');
    this.spacer = h('div', 'spacer');
    this.viewport.append(this.spacer);
    body.append(this.grid, this.viewport);
    this.element.append(header, body);

    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.viewport.addEventListener('click', (e) => this.onClick(e));
    this.viewport.addEventListener('dblclick', (e) => {
      const node = this.nodeAt(e.target);
      if (node !== -1) this.events.open(node);
    });
    this.viewport.addEventListener('keydown', (e) => this.events.key(e));
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  setModel(m: WaterfallModel): void {
    // Sizes are read once, before anything is written: one layout for a new model, not one per read.
    const g = this.geometry();
    const rowsChanged = this.model?.rows !== m.rows;
    this.model = m;
    if (rowsChanged && g.top > m.rows.rows.length * ROW_HEIGHT) this.viewport.scrollTop = g.top = 0;
    this.spacer.style.height = `${m.rows.rows.length * ROW_HEIGHT}px`;
    for (const r of this.pool) r.row = -1;
    this.renderAxis(g);
    this.render(g);
  }

  private geometry(): Geometry {
    return { width: this.axis.clientWidth, height: this.viewport.clientHeight, top: this.viewport.scrollTop };
  }

  /** Row in view; scrolls the least needed. */
  reveal(row: number): void {
    const top = row * ROW_HEIGHT;
    const vp = this.viewport;
    if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + ROW_HEIGHT > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + ROW_HEIGHT - vp.clientHeight;
    this.render();
  }

  /** Rows that fit in the viewport (for page up/down). */
  pageRows(): number {
    return Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
  }

  focus(): void {
    this.viewport.focus({ preventScroll: true });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const g = this.geometry();
      if (g.height !== this.lastHeight) this.renderAxis(g);
      this.render(g);
    });
  }

  private renderAxis(g: Geometry): void {
    const m = this.model;
    this.axis.replaceChildren();
    this.grid.replaceChildren();
    if (!m) return;
    this.lastHeight = g.height;
    const width = g.width || 600;
    // A label that would touch the one before it is left out (its grid line stays): the last
    // labels are right-aligned, so they reach back towards their neighbours.
    let previousRight = -Infinity;
    for (const t of ticks(m.window, m.tree.startMs, Math.max(2, Math.floor(width / 90)))) {
      const pct = `${t.at * 100}%`;
      const label = h('span', 'tick', t.label);
      label.style.left = pct;
      if (t.at > 0.92) label.classList.add('end');
      this.axis.append(label);
      const box = label.getBoundingClientRect();
      if (box.width > 0 && box.left < previousRight + 4) label.remove();
      else previousRight = box.right;
      const line = h('div', 'gridline');
      line.style.left = pct;
      this.grid.append(line);
    }
  }

  render(g: Geometry = this.geometry()): void {
    const m = this.model;
    if (!m) return;
    const count = m.rows.rows.length;
    const height = g.height || 600;
    const first = Math.max(0, Math.floor(g.top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.ceil((g.top + height) / ROW_HEIGHT) + OVERSCAN);
    const need = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN + 1;
    while (this.pool.length < need) {
      const r = this.makeRow();
      this.pool.push(r);
      this.spacer.append(r.root);
      for (const p of this.pool) p.row = -1; // pool size changed: slots move
    }
    const size = this.pool.length;
    const used = new Uint8Array(size);
    for (let r = first; r < last; r++) {
      const slot = r % size;
      used[slot] = 1;
      const el = this.pool[slot]!;
      if (el.row !== r) this.fill(el, r, m);
    }
    for (let s = 0; s < size; s++) {
      const el = this.pool[s]!;
      if (!used[s] && el.row !== -2) {
        el.root.style.display = 'none';
        el.row = -2;
      }
    }
  }

  private makeRow(): RowEl {
    const root = h('div', 'row');
    root.setAttribute('role', 'treeitem');
    const name = h('div', 'cell name');
    const indent = h('span', 'indent');
    const twisty = h('span', 'twisty');
    const err = h('span', 'err-mark', '✖');
    err.title = 'error';
    const label = h('span', 'label');
    name.append(indent, twisty, err, label);
    const total = h('div', 'cell total');
    const self = h('div', 'cell self');
    const track = h('div', 'cell track');
    const bar = h('div', 'bar');
    const crit = h('div', 'crit-layer');
    track.append(bar, crit);
    root.append(name, total, self, track);
    return { root, indent, twisty, err, label, total, self, bar, crit, row: -1 };
  }

  private fill(el: RowEl, r: number, m: WaterfallModel): void {
    el.row = r;
    const index = m.rows.rows[r]!;
    const t = m.tree;
    const root = el.root;
    root.style.display = '';
    root.style.transform = `translateY(${r * ROW_HEIGHT}px)`;
    root.dataset.node = String(index);
    const selected = index === m.selected;
    const onPath = m.critical?.has(index) ?? false;
    const error = t.error(index);
    root.className =
      `row kind-${t.kind(index)}` +
      (selected ? ' selected' : '') +
      (error ? ' error' : '') +
      (m.rows.match[index] ? '' : ' context') +
      (t.converged(index) ? ' converged' : '') +
      (t.truncated(index) ? ' truncated' : '') +
      (onPath ? ' critical' : '');
    root.setAttribute('aria-level', String(t.depth[index]! + 1));
    root.setAttribute('aria-selected', selected ? 'true' : 'false');
    const hasKids = t.hasChildren(index);
    const collapsed = hasKids && m.collapsed.size > 0 && m.collapsed.has(t.spanId(index));
    if (hasKids) root.setAttribute('aria-expanded', collapsed ? 'false' : 'true');
    else root.removeAttribute('aria-expanded');
    el.indent.style.width = `${t.depth[index]! * INDENT_PX}px`;
    setText(el.twisty, hasKids ? (collapsed ? '▸' : '▾') : '');
    const label = nodeLabel(t, index);
    setText(el.label, label);
    const total = formatDuration(t.totalMs(index));
    const self = formatDuration(t.selfMs[index]!);
    setText(el.total, total);
    setText(el.self, self);
    const message = error ? t.statusMessage(index) : undefined;
    root.title = `${label}\ntotal ${total} · self ${self}${error ? '\nerror' + (message ? `: ${message}` : '') : ''}${t.truncated(index) ? "\nsome values cut to the collector's caps" : ''}`;
    const g = barGeometry(t.spanStartMs[index]!, t.spanEndMs[index]!, m.window);
    const bar = el.bar;
    bar.style.display = g.visible ? '' : 'none';
    bar.style.left = `${g.left * 100}%`;
    bar.style.width = `max(1px, ${g.width * 100}%)`;
    const segs = onPath ? m.critical!.get(index)! : undefined;
    if (segs || el.crit.childElementCount) {
      el.crit.replaceChildren();
      if (segs) {
        for (const s of segs) {
          const a = Math.max(0, toUnit(s.startMs, m.window));
          const b = Math.min(1, toUnit(s.endMs, m.window));
          if (b <= a) continue;
          const d = h('div', 'crit');
          d.style.left = `${a * 100}%`;
          d.style.width = `max(1px, ${(b - a) * 100}%)`;
          el.crit.append(d);
        }
      }
    }
  }

  private nodeAt(target: EventTarget | null): number {
    const row = target instanceof Element ? target.closest<HTMLElement>('.row') : null;
    return row?.dataset.node ? Number(row.dataset.node) : -1;
  }

  private onClick(e: MouseEvent): void {
    const node = this.nodeAt(e.target);
    if (node === -1) return;
    if (e.target instanceof Element && e.target.classList.contains('twisty')) this.events.toggle(node);
    else this.events.select(node);
  }
}
