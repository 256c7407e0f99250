/**
 * The logs and metrics part of the extension ⇄ timeline webview protocol. Spans travel in their own
 * messages (`showRun`/`updateRun`); a run's log records and metric series follow in these, so the
 * span path stays as it is. Everything here is structured-clone safe JSON, validated on arrival.
 */
import { isAttrValue, type AttrValue } from './spanView';

/** One OTLP log record of the run shown (or of a service, without trace context). */
export interface SignalLog {
  timeMs: number;
  /** OTLP severity number (0 unspecified, 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal). */
  severityNumber: number;
  severityText: string;
  /** The body as text (structured bodies as JSON text); the host cuts it to {@link MAX_LOG_BODY} characters. */
  body: string;
  /** The span the record was emitted in ('' or absent: none). */
  spanId?: string;
  serviceName: string;
  scopeName?: string;
  attributes: Record<string, AttrValue>;
}

/** One metric series of the run's program: one value per point, oldest first. */
export interface SignalMetricSeries {
  name: string;
  unit: string;
  /** gauge, sum, histogram, exponentialHistogram or summary. */
  kind: string;
  /** What `value` is: the point's value, or for histograms and summaries the mean of the recorded values. */
  valueIs: 'value' | 'mean';
  attributes: Record<string, AttrValue>;
  points: { timeMs: number; value: number }[];
}

/** Longest body text sent to the webview; longer ones end with a note of their full length. */
export const MAX_LOG_BODY = 64 * 1024;
/** Most records sent for one run (the earliest ones); `total` says how many there are. */
export const MAX_RUN_LOGS = 5000;
export const MAX_SERIES = 200;
export const MAX_POINTS = 1000;

export type SignalHostToWebview =
  /** All log records of the run shown, in time order (replaces what was sent before). */
  | { type: 'runLogs'; traceId: string; logs: SignalLog[]; total: number }
  /** The metric series the run's program sent while the run lasted (replaces what was sent before). */
  | { type: 'runMetrics'; traceId: string; service: string; series: SignalMetricSeries[] };

/**
 * What the webview drew of logs and metrics, as text: the selected span's Activity rows, the number
 * of rows of the run's log list and the titles of the metric charts (host tests read it; the
 * extension logs it).
 */
export type SignalWebviewToHost = { type: 'signalsRendered'; traceId: string; spanId: string; activity: string[]; logRows: number; charts: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isAttributes(v: unknown): v is Record<string, AttrValue> {
  if (!isObj(v)) return false;
  for (const k in v) if (!isAttrValue(v[k])) return false;
  return true;
}

export function isSignalLog(v: unknown): v is SignalLog {
  return (
    isObj(v) && isNum(v.timeMs) && isNum(v.severityNumber) && isStr(v.severityText) && v.severityText.length <= 200 &&
    isStr(v.body) && v.body.length <= MAX_LOG_BODY + 200 && (v.spanId === undefined || isStr(v.spanId)) && isStr(v.serviceName) &&
    (v.scopeName === undefined || isStr(v.scopeName)) && isAttributes(v.attributes)
  );
}

function isPoint(v: unknown): boolean {
  return isObj(v) && isNum(v.timeMs) && isNum(v.value);
}

export function isSignalMetricSeries(v: unknown): v is SignalMetricSeries {
  return (
    isObj(v) && isStr(v.name) && isStr(v.unit) && isStr(v.kind) && (v.valueIs === 'value' || v.valueIs === 'mean') && isAttributes(v.attributes) &&
    Array.isArray(v.points) && v.points.length <= MAX_POINTS && v.points.every(isPoint)
  );
}

/** The logs and metrics messages the webview accepts; `undefined` for anything else. */
export function parseSignalHostToWebview(v: Obj): SignalHostToWebview | undefined {
  switch (v.type) {
    case 'runLogs':
      return isStr(v.traceId) && isNum(v.total) && Array.isArray(v.logs) && v.logs.length <= MAX_RUN_LOGS && v.logs.every(isSignalLog) ? (v as SignalHostToWebview) : undefined;
    case 'runMetrics':
      return isStr(v.traceId) && isStr(v.service) && Array.isArray(v.series) && v.series.length <= MAX_SERIES && v.series.every(isSignalMetricSeries)
        ? (v as SignalHostToWebview)
        : undefined;
    default:
      return undefined;
  }
}

/** The logs and metrics messages the extension accepts from the webview; `undefined` for anything else. */
export function parseSignalWebviewToHost(v: Obj): SignalWebviewToHost | undefined {
  if (v.type !== 'signalsRendered') return undefined;
  const texts = (x: unknown): x is string[] => Array.isArray(x) && x.length <= 200 && x.every((s) => isStr(s) && s.length <= 2000);
  if (!isStr(v.traceId) || !isStr(v.spanId) || !texts(v.activity) || !isNum(v.logRows) || !texts(v.charts)) return undefined;
  return { type: 'signalsRendered', traceId: v.traceId, spanId: v.spanId, activity: v.activity, logRows: v.logRows, charts: v.charts };
}
