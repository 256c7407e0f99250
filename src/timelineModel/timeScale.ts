/**
 * Time on the waterfall: a window [startMs, endMs] of the trace mapped to [0, 1], bars placed in
 * that unit space (the view multiplies by its width), and "nice" ticks (1, 2, 5 × 10^k).
 */
import { formatDuration } from '../text/duration';

export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** Position of `t` in the window, 0 at its start and 1 at its end (not clamped). */
export function toUnit(t: number, w: TimeWindow): number {
  const span = w.endMs - w.startMs;
  return span > 0 ? (t - w.startMs) / span : 0;
}

export function fromUnit(u: number, w: TimeWindow): number {
  return w.startMs + u * (w.endMs - w.startMs);
}

export interface BarGeometry {
  /** In [0, 1]. */
  left: number;
  /** In [0, 1 - left]; 0 when the span lies outside the window. */
  width: number;
  /** True when the span lies (partly) inside the window. */
  visible: boolean;
}

/** A bar clamped to the window. */
export function barGeometry(startMs: number, endMs: number, w: TimeWindow): BarGeometry {
  const a = toUnit(startMs, w);
  const b = toUnit(Math.max(startMs, endMs), w);
  if (b < 0 || a > 1) return { left: Math.min(1, Math.max(0, a)), width: 0, visible: false };
  const left = Math.max(0, a);
  const right = Math.min(1, b);
  return { left, width: Math.max(0, right - left), visible: true };
}

/** A sub-window of `w`, from unit positions (e.g. a brush on the minimap), at least `minMs` wide. */
export function zoomWindow(w: TimeWindow, u0: number, u1: number, minMs = 0.001): TimeWindow {
  let a = Math.min(u0, u1);
  let b = Math.max(u0, u1);
  a = Math.max(0, Math.min(1, a));
  b = Math.max(0, Math.min(1, b));
  let startMs = fromUnit(a, w);
  let endMs = fromUnit(b, w);
  if (endMs - startMs < minMs) {
    const mid = (startMs + endMs) / 2;
    startMs = mid - minMs / 2;
    endMs = mid + minMs / 2;
  }
  return { startMs, endMs };
}

export interface Tick {
  /** Unit position in [0, 1]. */
  at: number;
  /** Time since the trace start, formatted. */
  label: string;
}

/** The smallest 1/2/5 × 10^k step that gives at most `maxTicks` intervals over `rangeMs`. */
export function niceStep(rangeMs: number, maxTicks: number): number {
  if (!(rangeMs > 0) || maxTicks < 1) return 1;
  const raw = rangeMs / maxTicks;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Ticks for the window; labels are offsets from `originMs` (the trace start), so zooming in
 * keeps them meaningful.
 */
export function ticks(w: TimeWindow, originMs: number, maxTicks: number): Tick[] {
  const range = w.endMs - w.startMs;
  if (!(range > 0)) return [{ at: 0, label: formatDuration(w.startMs - originMs) }];
  const step = niceStep(range, maxTicks);
  const first = Math.ceil((w.startMs - originMs) / step - 1e-9) * step;
  const out: Tick[] = [];
  for (let rel = first; originMs + rel <= w.endMs + step * 1e-9; rel += step) {
    out.push({ at: toUnit(originMs + rel, w), label: formatDuration(rel, step) });
    if (out.length > maxTicks + 2) break;
  }
  return out;
}
