/**
 * What the status bar and the Runs view say about the collector's bounds: how full the memory
 * budget is and what was evicted, refused or truncated to stay within it. Pure, tested in plain
 * Node; the VS Code side only places the text.
 */
import type { StoreStats } from '../protocol/collectorTypes';
import { formatCount } from './format';

/** `12.3 MiB`, `640 KiB`, `512 B`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${trim((n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0))} MiB`;
  return `${trim((n / (1024 * 1024 * 1024)).toFixed(1))} GiB`;
}

function trim(n: string): string {
  return n.endsWith('.0') ? n.slice(0, -2) : n;
}

type BoundsStats = Pick<
  StoreStats,
  | 'spans'
  | 'traces'
  | 'runs'
  | 'bytes'
  | 'maxBytes'
  | 'maxTraceBytes'
  | 'maxSpans'
  | 'maxTraces'
  | 'rejectedSpans'
  | 'rejectedRequests'
  | 'refusedSpans'
  | 'truncatedSpans'
  | 'evictedTraces'
  | 'evictedSpans'
  | 'evictedUnfinished'
  | 'budget'
>;

/**
 * One line per kind of loss, empty when nothing was lost: `3 traces (1.2k spans) evicted …`,
 * `40 spans refused …`, `2 spans stored truncated …`, `5 invalid spans rejected`.
 */
export function lossLines(s: BoundsStats): string[] {
  const lines: string[] = [];
  if (s.evictedTraces > 0) {
    const unfinished = s.evictedUnfinished > 0 ? `, ${s.evictedUnfinished} of them unfinished` : '';
    lines.push(`${formatCount(s.evictedTraces)} trace${s.evictedTraces === 1 ? '' : 's'} (${formatCount(s.evictedSpans)} spans) evicted to stay within the memory budget${unfinished}`);
  }
  if (s.refusedSpans > 0) lines.push(`${formatCount(s.refusedSpans)} span${s.refusedSpans === 1 ? '' : 's'} refused: their trace reached its share (${formatBytes(s.maxTraceBytes)}) or was evicted`);
  if (s.truncatedSpans > 0) lines.push(`${formatCount(s.truncatedSpans)} span${s.truncatedSpans === 1 ? '' : 's'} stored with values truncated to the caps`);
  if (s.rejectedSpans > 0 || s.rejectedRequests > 0) lines.push(`${formatCount(s.rejectedSpans)} invalid spans and ${formatCount(s.rejectedRequests)} requests rejected`);
  const other = otherSignalsEvicted(s);
  if (other) lines.push(`${other} evicted (least recently updated first) to stay within the memory budget`);
  if (s.budget?.busyRequests) lines.push(`${formatCount(s.budget.busyRequests)} requests asked to retry later (503): ${formatBytes(s.budget.maxInFlightBytes)} of bodies were in flight`);
  return lines;
}

/** `120 log records and 3 metric series`, or '' when the budget took nothing from logs or metrics. */
function otherSignalsEvicted(s: BoundsStats): string {
  const logs = s.budget?.signals.logs.evictedUnits ?? 0;
  const series = s.budget?.signals.metrics.evictedUnits ?? 0;
  const parts: string[] = [];
  if (logs > 0) parts.push(`${formatCount(logs)} log record${logs === 1 ? '' : 's'}`);
  if (series > 0) parts.push(`${formatCount(series)} metric series`);
  return parts.join(' and ');
}

/**
 * `38 MiB of 256 MiB (15%) · 12.3k spans in 40 traces (3 plan runs)`, and what logs and metrics hold
 * of the same budget when they hold anything (` · logs 2 MiB (8.1k records) · metrics 40 KiB (12 series)`).
 */
export function usageLine(s: BoundsStats): string {
  const used = s.budget?.usedBytes ?? s.bytes;
  const pct = s.maxBytes > 0 ? Math.min(100, Math.round((100 * used) / s.maxBytes)) : 0;
  let line = `${formatBytes(used)} of ${formatBytes(s.maxBytes)} (${pct}%) · ${formatCount(s.spans)} spans in ${formatCount(s.traces)} traces (${formatCount(s.runs)} plan runs)`;
  const logs = s.budget?.signals.logs;
  const metrics = s.budget?.signals.metrics;
  if (logs?.units) line += ` · logs ${formatBytes(logs.bytes)} (${formatCount(logs.units)} records)`;
  if (metrics?.units) line += ` · metrics ${formatBytes(metrics.bytes)} (${formatCount(metrics.units)} series)`;
  return line;
}

/** The status bar tooltip of a running collector. */
export function collectorTooltip(s: BoundsStats & Pick<StoreStats, 'forwardFailures' | 'forwardDropped' | 'persistErrors'>, endpoint: string, grpcEndpoint?: string): string {
  const lines = [
    `Instrument First collector — OTLP/HTTP at ${endpoint}/v1/traces`,
    ...(grpcEndpoint ? [`OTLP/gRPC at ${grpcEndpoint}`] : []),
    usageLine(s),
    `limits: ${formatBytes(s.maxBytes)}, one trace ${formatBytes(s.maxTraceBytes)}; ${formatCount(s.maxSpans)} spans, ${formatCount(s.maxTraces)} traces`,
    ...lossLines(s),
  ];
  if (s.forwardFailures || s.forwardDropped) lines.push(`forwarding: ${s.forwardFailures} failures, ${s.forwardDropped} batches dropped`);
  if (s.persistErrors) lines.push(`${s.persistErrors} traces could not be saved`);
  lines.push('', 'Click to show the runs.');
  return lines.join('\n');
}

/** The Runs view's message: empty while nothing was lost, else what was and why. */
export function runsViewMessage(s: BoundsStats): string {
  const lost: string[] = [];
  if (s.evictedTraces > 0) lost.push(`${formatCount(s.evictedTraces)} evicted`);
  if (s.refusedSpans > 0) lost.push(`${formatCount(s.refusedSpans)} spans refused`);
  if (s.truncatedSpans > 0) lost.push(`${formatCount(s.truncatedSpans)} spans truncated`);
  const other = otherSignalsEvicted(s);
  if (other) lost.push(`${other} evicted`);
  return lost.length === 0 ? '' : `Memory budget ${formatBytes(s.maxBytes)}: ${lost.join(', ')} (hover the status bar for details)`;
}

/** Description suffix of a run whose spans were refused: ` · 120 spans refused`. */
export function runLossText(r: { refusedSpans?: number }): string {
  return r.refusedSpans ? ` · ${formatCount(r.refusedSpans)} spans refused (trace over its share of the budget)` : '';
}
