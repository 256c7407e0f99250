/**
 * Metrics of a run: which series (and points) belong to it — the program's service, points taken
 * while it ran — and how each metric is drawn as a small chart: one line per attribute set, the
 * value range, the last value as text with its unit. Pure, shared by the extension (selection) and
 * the webview (charts).
 */
import type { SignalMetricSeries } from '../protocol/signalMessages';
import { MAX_POINTS, MAX_SERIES } from '../protocol/signalMessages';
import type { AttrValue } from '../protocol/spanView';
import { attrText } from './rowFilter';
import { formatDuration } from '../text/duration';

/** A series as the collector's metric store answers (structurally: no import of the collector). */
export interface StoredSeries {
  serviceName: string;
  name: string;
  unit: string;
  kind: string;
  attributes: Record<string, AttrValue>;
  points: readonly { timeMs: number; value?: number; count?: number; sum?: number }[];
}

/**
 * After the run's last span: a program's SDK exports its last metric points when it shuts down,
 * after the root span ended (and periodic readers take their point up to an interval later).
 */
export const METRICS_GRACE_MS = 10_000;

/**
 * The series a run's program sent while the run lasted: those of its service with the points
 * taken from its start to `METRICS_GRACE_MS` after its end, one value per point (histograms and
 * summaries: the mean, sum / count). Series without such points are left out.
 */
export function runMetricSeries(all: readonly StoredSeries[], service: string, startMs: number, endMs: number): SignalMetricSeries[] {
  const out: SignalMetricSeries[] = [];
  for (const s of all) {
    if (s.serviceName !== service) continue;
    const mean = s.kind === 'histogram' || s.kind === 'exponentialHistogram' || s.kind === 'summary';
    const points: { timeMs: number; value: number }[] = [];
    for (const p of s.points) {
      if (p.timeMs < startMs || p.timeMs > endMs + METRICS_GRACE_MS) continue;
      const value = mean ? (p.count ? (p.sum ?? 0) / p.count : undefined) : p.value;
      if (value !== undefined && Number.isFinite(value)) points.push({ timeMs: p.timeMs, value });
    }
    if (points.length === 0) continue;
    out.push({ name: s.name, unit: s.unit, kind: s.kind, valueIs: mean ? 'mean' : 'value', attributes: s.attributes, points: points.slice(-MAX_POINTS) });
    if (out.length >= MAX_SERIES) break;
  }
  return out;
}

export interface ChartLine {
  /** What tells this series from the metric's others: the differing attribute's value, or `k=v, …` ('' for a lone series). */
  label: string;
  points: { timeMs: number; value: number }[];
  last: number;
}

export interface MetricChart {
  name: string;
  unit: string;
  kind: string;
  valueIs: 'value' | 'mean';
  lines: ChartLine[];
  t0: number;
  t1: number;
  min: number;
  max: number;
  /** The last value of each line as text with its unit (`48.2 MiB`), the first line first. */
  lastText: string;
}

/** Lines drawn per chart at most; the others are named in the legend as left out. */
export const MAX_LINES = 6;

/** One chart per metric name (its series are its lines), in name order. */
export function metricCharts(series: readonly SignalMetricSeries[]): MetricChart[] {
  const byName = new Map<string, SignalMetricSeries[]>();
  for (const s of series) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const charts: MetricChart[] = [];
  for (const [name, list] of [...byName].sort((a, b) => a[0].localeCompare(b[0]))) {
    const withPoints = list.filter((s) => s.points.length > 0);
    const varying = varyingKeys(withPoints.map((s) => s.attributes));
    const lines = withPoints
      .map((s) => ({ label: attrLabel(s.attributes, varying), points: [...s.points].sort((a, b) => a.timeMs - b.timeMs), last: 0 }))
      .sort((a, b) => a.label.localeCompare(b.label));
    if (lines.length === 0) continue;
    let t0 = Infinity;
    let t1 = -Infinity;
    let min = Infinity;
    let max = -Infinity;
    for (const l of lines) {
      l.last = l.points[l.points.length - 1]!.value;
      for (const p of l.points) {
        t0 = Math.min(t0, p.timeMs);
        t1 = Math.max(t1, p.timeMs);
        min = Math.min(min, p.value);
        max = Math.max(max, p.value);
      }
    }
    const unit = list[0]!.unit;
    const shown = lines.slice(0, MAX_LINES);
    const lastText = shown.length === 1 ? formatMetricValue(shown[0]!.last, unit) : shown.map((l) => `${l.label || '—'}: ${formatMetricValue(l.last, unit)}`).join(' · ');
    charts.push({ name, unit, kind: list[0]!.kind, valueIs: list[0]!.valueIs, lines, t0, t1, min, max, lastText });
  }
  return charts;
}

/** A chart as one line of text: name, unit and last value. */
export function chartTitle(c: MetricChart): string {
  return `${c.name}${c.unit ? ` (${c.unit})` : ''}: ${c.lastText}`;
}

/** The attribute keys whose values differ between the series of one metric (what tells their lines apart). */
function varyingKeys(sets: readonly Record<string, AttrValue>[]): string[] {
  const keys = new Set(sets.flatMap((a) => Object.keys(a)));
  return [...keys].filter((k) => new Set(sets.map((a) => (a[k] === undefined ? '\u0000' : attrText(a[k])))).size > 1).sort();
}

/** A line's label: the value of the one attribute that differs (`user`), else `k=v` of those that do. */
function attrLabel(a: Record<string, AttrValue>, keys: readonly string[]): string {
  if (keys.length === 1) return a[keys[0]!] === undefined ? '' : attrText(a[keys[0]!]!);
  return keys
    .filter((k) => a[k] !== undefined)
    .map((k) => `${k}=${attrText(a[k]!)}`)
    .join(', ');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A value with its UCUM unit as people read it: bytes in KiB/MiB, seconds as durations, ratios (`1`) as percent. */
export function formatMetricValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  const u = unit.trim();
  if (u === 'By' || u === 'bytes' || u === 'By/s') {
    let x = Math.abs(v);
    let i = 0;
    while (x >= 1024 && i < BYTE_UNITS.length - 1) {
      x /= 1024;
      i++;
    }
    return `${v < 0 ? '-' : ''}${num(x)} ${BYTE_UNITS[i]}${u === 'By/s' ? '/s' : ''}`;
  }
  if (u === 's') return formatDuration(v * 1000) || '0 s';
  if (u === 'ms') return formatDuration(v) || '0 ms';
  if (u === '1' && Math.abs(v) <= 1) return `${num(v * 100)} %`;
  if (u === '%') return `${num(v)} %`;
  // Annotations in braces ({requests}) are names for counts: shown without the braces.
  const shownUnit = u.replace(/^\{(.*)\}$/, '$1');
  return shownUnit && shownUnit !== '1' ? `${num(v)} ${shownUnit}` : num(v);
}

function num(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-3)) return x.toExponential(2);
  return Number(x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)).toLocaleString('en-US');
}

/**
 * An SVG polyline's `points` in a `width`×`height` box for one line of a chart (time left to right,
 * value bottom to top over [min, max]; a flat chart draws mid-height).
 */
export function polylinePoints(line: ChartLine, c: Pick<MetricChart, 't0' | 't1' | 'min' | 'max'>, width: number, height: number): string {
  const span = c.t1 - c.t0;
  const range = c.max - c.min;
  return line.points
    .map((p) => {
      const x = span > 0 ? ((p.timeMs - c.t0) / span) * width : width / 2;
      const y = range > 0 ? height - ((p.value - c.min) / range) * height : height / 2;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
