import type { AttrValue } from '../protocol/spanView';
import type { LogRecord } from './logs/logRecord';
import type { MetricSeries } from './metrics/metricStore';
import { anyValueJson, msToNanos } from './store/otlpJsonEncoder';

/**
 * Log records and metric series as OTLP/JSON (ExportLogsServiceRequest, ExportMetricsServiceRequest)
 * for the persist folder: what the stores keep, written so that the collector's own decoders (and
 * any OTLP tool) read it back. A log record keeps its time (ms), severity, ids, service, scope,
 * body (as the text the store keeps) and attributes; a series its latest points (gauges and sums
 * their values, histograms and summaries their count and sum, as the store keeps them).
 */

const q = (s: string): string => JSON.stringify(s);

function attributesJson(keys: readonly string[], values: readonly AttrValue[]): string {
  let out = '[';
  for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}{"key":${q(keys[i]!)},"value":${anyValueJson(values[i]!)}}`;
  return out + ']';
}

const resourceJson = (service: string): string => `{"attributes":[{"key":"service.name","value":{"stringValue":${q(service)}}}]}`;

function logRecordJson(r: LogRecord): string {
  const { body, keys, values } = r.decoded();
  let out = `{"timeUnixNano":"${msToNanos(r.timeMs)}","severityNumber":${r.severity.number}`;
  if (r.severity.text) out += `,"severityText":${q(r.severity.text)}`;
  out += `,"body":{"stringValue":${q(body)}},"attributes":${attributesJson(keys, values)}`;
  if (r.traceId) out += `,"traceId":"${r.traceId}"`;
  if (r.spanId) out += `,"spanId":"${r.spanId}"`;
  return out + '}';
}

/**
 * Log records as one ExportLogsServiceRequest, in pieces of about `perPiece` records (one
 * resource/scope group per run of records of the same origin, order kept).
 */
export function* logsJsonPieces(records: readonly LogRecord[], perPiece = 500): Generator<string> {
  yield '{"resourceLogs":[';
  let i = 0;
  let first = true;
  while (i < records.length) {
    const origin = records[i]!.origin;
    let piece = `${first ? '' : ','}{"resource":${resourceJson(origin.serviceName)},"scopeLogs":[{"scope":{"name":${q(origin.scopeName)}},"logRecords":[`;
    first = false;
    let n = 0;
    while (i < records.length && records[i]!.origin === origin) {
      piece += (n ? ',' : '') + logRecordJson(records[i]!);
      i++;
      if (++n % perPiece === 0) {
        yield piece;
        piece = '';
      }
    }
    yield piece + ']}]}';
  }
  yield ']}';
}

function pointJson(s: MetricSeries, p: MetricSeries['points'][number], attrs: string): string {
  let out = `{"attributes":${attrs},"timeUnixNano":"${msToNanos(p.timeMs)}"`;
  if (p.value !== undefined && Number.isFinite(p.value)) out += `,"asDouble":${p.value}`;
  if (s.kind !== 'gauge' && s.kind !== 'sum') {
    if (p.count !== undefined && Number.isFinite(p.count)) out += `,"count":"${p.count}"`;
    if (p.sum !== undefined && Number.isFinite(p.sum)) out += `,"sum":${p.sum}`;
  }
  return out + '}';
}

/** Metric series as one ExportMetricsServiceRequest, a piece per series. */
export function* metricsJsonPieces(series: readonly MetricSeries[]): Generator<string> {
  yield '{"resourceMetrics":[';
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const keys = Object.keys(s.attributes);
    const attrs = attributesJson(keys, keys.map((k) => s.attributes[k]!));
    const points = s.points.map((p) => pointJson(s, p, attrs)).join(',');
    yield `${i ? ',' : ''}{"resource":${resourceJson(s.serviceName)},"scopeMetrics":[{"metrics":[{"name":${q(s.name)},"unit":${q(s.unit)},${q(s.kind)}:{"dataPoints":[${points}]}}]}]}`;
  }
  yield ']}';
}
