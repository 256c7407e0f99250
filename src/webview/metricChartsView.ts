// Small charts of a run's metrics, drawn with SVG elements made by DOM calls (no markup strings):
// name, unit and last value as text above a line per series. Colours are classes the stylesheet
// maps to the theme's chart colours; the SVG scales to the pane's width (400 px stays readable).
import { MAX_LINES, metricCharts, polylinePoints, formatMetricValue, type MetricChart } from '../timelineModel/metricCharts';
import type { SignalMetricSeries } from '../protocol/signalMessages';
import { formatDuration } from '../text/duration';
import { h } from './dom';

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 60;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** The charts of these series, or a line saying there are none and why that can be. */
export function renderMetricCharts(series: readonly SignalMetricSeries[], service: string): HTMLElement {
  const root = h('div', 'metrics');
  const charts = metricCharts(series);
  if (charts.length === 0) {
    root.append(
      h(
        'p',
        'empty',
        service
          ? `No metric points from ${service} while this run lasted. Programs send metrics with an OpenTelemetry MeterProvider and an OTLP metric exporter (the SDK exports every 60 s by default, and when it shuts down).`
          : 'No metrics: the run has no service.name to match metric points with.',
      ),
    );
    return root;
  }
  root.append(h('p', 'muted metrics-note', `${charts.length} metric${charts.length === 1 ? '' : 's'} from ${service} while this run lasted`));
  const grid = h('div', 'metric-grid');
  for (const c of charts) grid.append(chartCard(c));
  root.append(grid);
  return root;
}

function chartCard(c: MetricChart): HTMLElement {
  const card = h('figure', 'metric-card');
  const head = h('figcaption', 'metric-head');
  head.append(h('span', 'metric-name', c.name), h('span', 'metric-unit', c.unit ? `(${c.unit})` : ''));
  const last = h('div', 'metric-last', c.lastText);
  last.title = c.valueIs === 'mean' ? 'last value (mean of the recorded values)' : 'last value';
  const box = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'metric-svg', role: 'img' });
  box.setAttribute('aria-label', `${c.name}: ${c.lastText}`);
  // Baseline and top guides.
  box.append(svg('line', { x1: '0', y1: String(H - 0.5), x2: String(W), y2: String(H - 0.5), class: 'metric-axis' }));
  c.lines.slice(0, MAX_LINES).forEach((l, i) => {
    const pts = polylinePoints(l, c, W, H - 4);
    if (l.points.length > 1) box.append(svg('polyline', { points: pts, class: `metric-line line-${i}`, fill: 'none' }));
    // The last point as a dot (a zero-length line with round caps: stays round when the SVG is
    // stretched to the pane's width), so a series with one point is seen too.
    const [x, y] = pts.split(' ').pop()!.split(',') as [string, string];
    box.append(svg('line', { x1: x, y1: y, x2: x, y2: y, class: `metric-dot line-${i}` }));
  });
  const scale = h('div', 'metric-scale');
  const points = c.lines.reduce((n, l) => n + l.points.length, 0);
  scale.append(
    h('span', undefined, `min ${formatMetricValue(c.min, c.unit)}`),
    h('span', undefined, `max ${formatMetricValue(c.max, c.unit)}`),
    h('span', undefined, `${points} point${points === 1 ? '' : 's'}${c.t1 > c.t0 ? ` over ${formatDuration(c.t1 - c.t0)}` : ''}`),
  );
  if (c.valueIs === 'mean') scale.append(h('span', undefined, `${c.kind === 'summary' ? 'summary' : 'histogram'}: mean per point`));
  card.append(head, last, box, scale);
  if (c.lines.length > 1) {
    const legend = h('div', 'metric-legend');
    c.lines.slice(0, MAX_LINES).forEach((l, i) => {
      const item = h('span', 'legend-item');
      item.append(h('span', `legend-swatch line-${i}`), l.label || '(no attributes)');
      legend.append(item);
    });
    if (c.lines.length > MAX_LINES) legend.append(h('span', 'muted', `+${c.lines.length - MAX_LINES} more series not drawn`));
    card.append(legend);
  }
  return card;
}
