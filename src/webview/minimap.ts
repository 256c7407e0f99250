// The minimap: the whole run drawn small (one line per span, by kind) with a brush. Dragging on it
// zooms the waterfall to that time range; a double-click (or "Reset zoom") shows everything again.
import type { NodeKind, SpanTree } from '../timelineModel/spanTree';
import { toUnit, type TimeWindow } from '../timelineModel/timeScale';
import { h } from './dom';

const HEIGHT = 44;
const KIND_VARS: Record<NodeKind, string> = {
  plan: '--tl-plan',
  pass: '--tl-pass',
  step: '--tl-step',
  call: '--tl-call',
  span: '--tl-span',
};

export class Minimap {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly brush: HTMLDivElement;
  private readonly selection: HTMLDivElement;
  private tree: SpanTree | undefined;
  private full: TimeWindow = { startMs: 0, endMs: 1 };
  private dragFrom: number | undefined;
  private drawn = '';
  private pendingFrame = 0;
  private pendingTimer = 0;

  constructor(private readonly onZoom: (u0: number, u1: number) => void, private readonly onReset: () => void) {
    this.element = h('div', 'minimap');
    this.element.title = 'Drag to zoom into a time range; double-click to show all';
    this.canvas = h('canvas', 'minimap-canvas');
    this.brush = h('div', 'brush');
    this.selection = h('div', 'brush drag');
    this.selection.style.display = 'none';
    this.element.append(this.canvas, this.brush, this.selection);
    this.element.addEventListener('mousedown', (e) => {
      e.preventDefault();
      this.dragFrom = this.unitAt(e.clientX);
      this.showDrag(this.dragFrom, this.dragFrom);
    });
    window.addEventListener('mousemove', (e) => {
      if (this.dragFrom !== undefined) this.showDrag(this.dragFrom, this.unitAt(e.clientX));
    });
    window.addEventListener('mouseup', (e) => {
      if (this.dragFrom === undefined) return;
      const a = this.dragFrom;
      const b = this.unitAt(e.clientX);
      this.dragFrom = undefined;
      this.selection.style.display = 'none';
      if (Math.abs(b - a) * this.element.clientWidth >= 3) this.onZoom(a, b);
    });
    this.element.addEventListener('dblclick', () => this.onReset());
    new ResizeObserver(() => this.drawAfterPaint()).observe(this.element);
  }

  private unitAt(clientX: number): number {
    const r = this.element.getBoundingClientRect();
    return r.width > 0 ? Math.max(0, Math.min(1, (clientX - r.left) / r.width)) : 0;
  }

  private showDrag(a: number, b: number): void {
    this.selection.style.display = '';
    this.selection.style.left = `${Math.min(a, b) * 100}%`;
    this.selection.style.width = `${Math.abs(b - a) * 100}%`;
  }

  setTree(tree: SpanTree): void {
    this.tree = tree;
    this.full = { startMs: tree.startMs, endMs: tree.endMs };
    this.drawAfterPaint();
  }

  /** Draws once the next frame is painted: the waterfall's rows come first. */
  private drawAfterPaint(): void {
    cancelAnimationFrame(this.pendingFrame);
    clearTimeout(this.pendingTimer);
    // A timer set in a frame callback runs after that frame's paint.
    this.pendingFrame = requestAnimationFrame(() => (this.pendingTimer = window.setTimeout(() => this.draw(), 0)));
  }

  /** Where the waterfall's window lies in the whole run. */
  setWindow(w: TimeWindow): void {
    const a = Math.max(0, toUnit(w.startMs, this.full));
    const b = Math.min(1, toUnit(w.endMs, this.full));
    const all = a <= 0 && b >= 1;
    this.brush.style.display = all ? 'none' : '';
    this.brush.style.left = `${a * 100}%`;
    this.brush.style.width = `${Math.max(0, b - a) * 100}%`;
  }

  /** Redraws the canvas when the tree, the size or the theme changed. */
  draw(): void {
    const tree = this.tree;
    const width = Math.max(1, this.element.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    const style = getComputedStyle(this.element);
    const key = `${width}|${dpr}|${style.getPropertyValue('--tl-step')}|${document.body.className}`;
    if (!tree || (this.drawn === key && this.canvas.dataset.tree === String(tree.size) + ':' + tree.endMs)) return;
    this.drawn = key;
    this.canvas.dataset.tree = String(tree.size) + ':' + tree.endMs;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    this.canvas.style.height = `${HEIGHT}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, HEIGHT);
    const n = tree.size;
    if (n === 0) return;
    const rowH = Math.max(1, HEIGHT / n);
    const paths = new Map<string, Path2D>();
    const range = tree.endMs - tree.startMs || 1;
    // Beyond ~20k spans a row of the minimap holds hundreds of spans: draw every k-th one (and
    // every error), which looks the same and keeps a 100k-span trace cheap.
    const stride = Math.max(1, Math.ceil(n / 20_000));
    for (let i = 0; i < n; i++) {
      const error = tree.error(i);
      if (stride > 1 && i % stride !== 0 && !error) continue;
      const cls = error ? '--tl-error' : KIND_VARS[tree.kind(i)];
      let p = paths.get(cls);
      if (!p) paths.set(cls, (p = new Path2D()));
      const x = ((tree.spanStartMs[i]! - tree.startMs) / range) * width;
      const w = Math.max(1, ((tree.spanEndMs[i]! - tree.spanStartMs[i]!) / range) * width);
      p.rect(x, (i / n) * HEIGHT, w, rowH);
    }
    for (const [cls, p] of paths) {
      if (cls === '--tl-error') continue;
      ctx.fillStyle = style.getPropertyValue(cls).trim() || '#888';
      ctx.fill(p);
    }
    const errors = paths.get('--tl-error');
    if (errors) {
      ctx.fillStyle = style.getPropertyValue('--tl-error').trim() || '#e51400';
      ctx.fill(errors);
    }
  }
}
