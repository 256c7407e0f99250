import type { SpanView } from '../protocol/spanView';
import { Attr } from '../protocol/attributes';
import { cleanForTerminal as clean } from './terminalText';
import { formatDuration } from './duration';

export interface WaterfallOptions {
  /** Total width in columns (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
  /** Rows printed at most; the rest are summarised (default 80). */
  maxRows?: number;
}

interface Node {
  span: SpanView;
  children: Node[];
  depth: number;
  /** Why a span that names a parent is shown as a root. */
  note?: 'parent missing' | 'own parent' | 'parent cycle';
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', cyan: '\x1b[36m', yellow: '\x1b[33m', reset: '\x1b[0m' };

/**
 * Builds the span forest: children sorted by start; spans whose parent is missing, is themselves or
 * lies on a cycle become roots (with a note). Iterative throughout: a 100,000-deep chain is fine.
 */
export function buildForest(spans: SpanView[]): Node[] {
  const nodes = new Map<string, Node>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [], depth: 0 });
  const roots: Node[] = [];
  const parentOf = new Map<Node, Node>();
  for (const node of nodes.values()) {
    const pid = node.span.parentSpanId;
    const parent = pid ? nodes.get(pid) : undefined;
    if (parent && parent !== node) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else {
      if (pid) node.note = parent === node ? 'own parent' : 'parent missing';
      roots.push(node);
    }
  }
  const byStart = (a: Node, b: Node) => a.span.startMs - b.span.startMs;
  const seen = new Set<Node>();
  const place = (from: Node[]): void => {
    const stack = [...from];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      n.children.sort(byStart);
      for (const c of n.children) {
        c.depth = n.depth + 1;
        stack.push(c);
      }
    }
  };
  place(roots);
  if (seen.size < nodes.size) {
    for (const node of nodes.values()) {
      if (seen.has(node)) continue;
      const path = new Set<Node>();
      let n = node;
      while (!path.has(n)) {
        path.add(n);
        n = parentOf.get(n)!;
      }
      const p = parentOf.get(n)!;
      p.children = p.children.filter((c) => c !== n);
      n.note = 'parent cycle';
      n.depth = 0;
      roots.push(n);
      place([n]);
    }
  }
  roots.sort(byStart);
  return roots;
}

function label(n: Node): string {
  const span = n.span;
  const kind = span.attributes[Attr.kind];
  const note = n.note ? ` (${n.note})` : '';
  if (kind === 'pass' && span.attributes[Attr.passConverged] === true) return `${clean(span.name)} · converged${note}`;
  return clean(span.name) + note;
}

/**
 * Renders spans as a terminal waterfall: one row per span, indented by depth, with its duration
 * and a bar placed on a shared time axis. Errors are marked ✗.
 */
export function renderWaterfall(spans: SpanView[], options: WaterfallOptions = {}): string {
  if (spans.length === 0) return '(no spans)\n';
  const width = Math.max(60, options.width ?? 100);
  const maxRows = options.maxRows ?? 80;
  const c = (code: keyof typeof ANSI, s: string) => (options.color ? ANSI[code] + s + ANSI.reset : s);
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of spans) {
    if (s.startMs < t0) t0 = s.startMs;
    if (s.endMs > t1) t1 = s.endMs;
  }
  const total = Math.max(t1 - t0, 1e-6);
  const labelWidth = Math.min(44, Math.floor(width * 0.4));
  const durWidth = 10;
  const barWidth = width - labelWidth - durWidth - 4;
  const rows: string[] = [];
  let hidden = 0;
  const hiddenErrors: string[] = [];
  // Pre-order with an explicit stack (children pushed last first): deep chains do not recurse.
  const visitAll = (roots: Node[]) => {
    const stack = roots.slice().reverse();
    while (stack.length) {
      const n = stack.pop()!;
      if (rows.length >= maxRows) {
        hidden++;
        if (n.span.status === 'error' && hiddenErrors.length < 5) hiddenErrors.push(clean(n.span.name));
      } else {
        rows.push(row(n));
      }
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  };
  const row = (n: Node) => {
    const s = n.span;
    const err = s.status === 'error';
    const kind = s.attributes[Attr.kind];
    // Indentation is capped: a 100,000-deep chain must not make rows of 200,000 spaces.
    const indent = n.depth <= labelWidth / 4 ? '  '.repeat(n.depth) : `${'  '.repeat(Math.floor(labelWidth / 8))}[${n.depth}] `;
    let name = indent + (err ? '✗ ' : '') + label(n);
    if (name.length > labelWidth) name = name.slice(0, labelWidth - 1) + '…';
    const from = Math.min(barWidth - 1, Math.floor(((s.startMs - t0) / total) * barWidth));
    const len = Math.max(1, Math.min(barWidth - from, Math.round(((s.endMs - s.startMs) / total) * barWidth)));
    const ch = kind === 'call' ? '▪' : kind === 'pass' || kind === 'plan' ? '━' : '█';
    const bar = ' '.repeat(from) + ch.repeat(len);
    const colour: keyof typeof ANSI = err ? 'red' : kind === 'call' ? 'cyan' : kind === 'plan' || kind === 'pass' ? 'dim' : 'green';
    return `${(err ? c('red', name) : name).padEnd(labelWidth + (err && options.color ? ANSI.red.length + ANSI.reset.length : 0))}  ${formatDuration(s.endMs - s.startMs).padStart(durWidth)}  ${c(colour, bar)}`;
  };
  visitAll(buildForest(spans));
  const axis = `${''.padEnd(labelWidth)}  ${''.padStart(durWidth)}  0${formatDuration(total).padStart(barWidth - 1)}`;
  let out = c('dim', axis) + '\n' + rows.join('\n') + '\n';
  if (hidden > 0) {
    out += c('dim', `… ${hidden.toLocaleString('en-US')} more span${hidden === 1 ? '' : 's'} not shown`) + '\n';
    if (hiddenErrors.length) out += c('red', `  errors among them: ${hiddenErrors.join(', ')}`) + '\n';
  }
  return out;
}
