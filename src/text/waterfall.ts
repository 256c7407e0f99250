import type { SpanNode } from '../protocol/collectorTypes';
import type { SpanView } from '../protocol/spanView';
import { spanForest } from '../trace/spanForest';
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

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', cyan: '\x1b[36m', yellow: '\x1b[33m', reset: '\x1b[0m' };

function label(span: SpanNode): string {
  const kind = span.attributes[Attr.kind];
  const note = span.rootNote ? ` (${span.rootNote})` : '';
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
  const visitAll = (roots: SpanNode[]) => {
    const stack = roots.slice().reverse();
    const depths = roots.map(() => 0);
    while (stack.length) {
      const s = stack.pop()!;
      const depth = depths.pop()!;
      if (rows.length >= maxRows) {
        hidden++;
        if (s.status === 'error' && hiddenErrors.length < 5) hiddenErrors.push(clean(s.name));
      } else {
        rows.push(row(s, depth));
      }
      for (let i = s.children.length - 1; i >= 0; i--) {
        stack.push(s.children[i]!);
        depths.push(depth + 1);
      }
    }
  };
  const row = (s: SpanNode, depth: number) => {
    const err = s.status === 'error';
    const kind = s.attributes[Attr.kind];
    // Indentation is capped: a 100,000-deep chain must not make rows of 200,000 spaces.
    const indent = depth <= labelWidth / 4 ? '  '.repeat(depth) : `${'  '.repeat(Math.floor(labelWidth / 8))}[${depth}] `;
    let name = indent + (err ? '✗ ' : '') + label(s);
    if (name.length > labelWidth) name = name.slice(0, labelWidth - 1) + '…';
    const from = Math.min(barWidth - 1, Math.floor(((s.startMs - t0) / total) * barWidth));
    const len = Math.max(1, Math.min(barWidth - from, Math.round(((s.endMs - s.startMs) / total) * barWidth)));
    const ch = kind === 'call' ? '▪' : kind === 'pass' || kind === 'plan' ? '━' : '█';
    const bar = ' '.repeat(from) + ch.repeat(len);
    const colour: keyof typeof ANSI = err ? 'red' : kind === 'call' ? 'cyan' : kind === 'plan' || kind === 'pass' ? 'dim' : 'green';
    return `${(err ? c('red', name) : name).padEnd(labelWidth + (err && options.color ? ANSI.red.length + ANSI.reset.length : 0))}  ${formatDuration(s.endMs - s.startMs).padStart(durWidth)}  ${c(colour, bar)}`;
  };
  visitAll(spanForest(spans));
  const axis = `${''.padEnd(labelWidth)}  ${''.padStart(durWidth)}  0${formatDuration(total).padStart(barWidth - 1)}`;
  let out = c('dim', axis) + '\n' + rows.join('\n') + '\n';
  if (hidden > 0) {
    out += c('dim', `… ${hidden.toLocaleString('en-US')} more span${hidden === 1 ? '' : 's'} not shown`) + '\n';
    if (hiddenErrors.length) out += c('red', `  errors among them: ${hiddenErrors.join(', ')}`) + '\n';
  }
  return out;
}
