/**
 * A span's Activity: its events (the step logger's log lines among them) and the OTLP log records
 * joined to it by trace and span id, in time order, as plain strings. Also the run's log list
 * (every record of the trace with its span's name) and its severity filter. Pure: the webview only
 * lays the text out.
 */
import { Attr } from '../protocol/attributes';
import type { SignalLog } from '../protocol/signalMessages';
import type { AttrValue, SpanView } from '../protocol/spanView';
import { attrText } from './rowFilter';
import { attrType, type DetailField } from './spanDetails';
import { isLogEvent, type SpanTree } from './spanTree';
import { formatDuration } from '../text/duration';

export type SeverityClass = 'none' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface ActivityEntry {
  timeMs: number;
  /** `+1.2 ms` from the span's start (activity) or the run's start (run log list). */
  offset: string;
  /** `event`: a span event; `log`: an OTLP log record; `span-log`: a log line the runtime recorded as a span event. */
  source: 'event' | 'log' | 'span-log';
  severity: SeverityClass;
  /** What the severity column shows (`INFO`, `WARN`, `event` …). */
  severityLabel: string;
  /** The log body or the event's name, cleaned for display (see {@link displayText}). */
  text: string;
  /** The body's full length when `text` was cut. */
  fullLength?: number;
  /** The text as received, when `text` was cut ("Show all" cleans it whole). */
  raw?: string;
  attributes: DetailField[];
}

/** A row of the run's log list: a log record and where it was emitted. */
export interface RunLogRow extends ActivityEntry {
  spanId: string;
  /** The span's name, `(no span)` without a span id, or the id when the span is not (yet) in the trace. */
  spanName: string;
  /** The node of the span in the tree, -1 when it is not there. */
  node: number;
}

/** OTLP severity numbers to the six ranges of the log data model (0: unspecified). */
export function severityOf(number: number, text: string): SeverityClass {
  if (number >= 21) return 'fatal';
  if (number >= 17) return 'error';
  if (number >= 13) return 'warn';
  if (number >= 9) return 'info';
  if (number >= 5) return 'debug';
  if (number >= 1) return 'trace';
  // No number: the text may still say it (some bridges only set severityText).
  const t = text.trim().toLowerCase();
  if (t.startsWith('fatal') || t === 'critical') return 'fatal';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('info') || t === 'notice') return 'info';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'none';
}

const SEVERITY_RANK: Record<SeverityClass, number> = { none: 0, trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 };

export type SeverityFilter = 'all' | 'debug' | 'info' | 'warn' | 'error';

/** True when a row of this severity passes the "at least" filter (unspecified severities only pass `all`). */
export function passesSeverity(s: SeverityClass, min: SeverityFilter): boolean {
  return min === 'all' || SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** Characters shown of a body before "Show all"; the rest stays one click away. */
export const SHOWN_CHARS = 800;
/** Lines shown of a body before "Show all". */
export const SHOWN_LINES = 12;

/**
 * Text from a program, made safe to look at: C0/C1 control characters (but tab and newline),
 * bidirectional overrides and isolates, and other invisible format characters become visible
 * `\u{…}` escapes, so a body cannot clear lines, reorder what follows it or hide text.
 */
export function cleanText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** The first {@link SHOWN_CHARS} characters and {@link SHOWN_LINES} lines of a cleaned text, and whether that is all of it. */
export function displayText(s: string, all = false): { text: string; cut: boolean } {
  const clean = cleanText(s);
  if (all) return { text: clean, cut: false };
  let end = Math.min(clean.length, SHOWN_CHARS);
  let lines = 0;
  for (let i = 0; i < end; i++) {
    if (clean.charCodeAt(i) === 10 && ++lines >= SHOWN_LINES) {
      end = i;
      break;
    }
  }
  return end < clean.length ? { text: clean.slice(0, end), cut: true } : { text: clean, cut: false };
}

function fields(attrs: Record<string, AttrValue> | undefined, skip?: ReadonlySet<string>): DetailField[] {
  if (!attrs) return [];
  const out: DetailField[] = [];
  for (const k of Object.keys(attrs).sort()) if (!skip?.has(k)) out.push({ key: cleanText(k), value: cleanText(attrText(attrs[k]!)), type: attrType(attrs[k]!) });
  return out;
}

const LOG_KEYS: ReadonlySet<string> = new Set([Attr.logSeverity, Attr.logMessage]);
/** A logger line sent as a span event and as a log record gets two clocks readings this close. */
const SAME_LINE_MS = 5;

function logEntry(l: SignalLog, offsetFrom: number): ActivityEntry {
  const severity = severityOf(l.severityNumber, l.severityText);
  const shown = displayText(l.body);
  const e: ActivityEntry = {
    timeMs: l.timeMs,
    offset: offsetText(l.timeMs - offsetFrom),
    source: 'log',
    severity,
    severityLabel: cleanText(l.severityText.trim() || (severity === 'none' ? 'LOG' : severity.toUpperCase())).slice(0, 12),
    text: shown.text,
    attributes: fields(l.attributes),
  };
  if (shown.cut) {
    e.fullLength = l.body.length;
    e.raw = l.body;
  }
  return e;
}

function offsetText(ms: number): string {
  return ms < 0 ? `−${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
}

/**
 * The span's events (exceptions excepted: the details show them with their stack) and the log
 * records with its span id, in time order (events first at equal times). `span`: the whole span,
 * when the tree's batch is a summary (the host sent it; see SpanBatch.summary).
 */
export function spanActivity(tree: SpanTree, index: number, logs: readonly SignalLog[], span?: SpanView): ActivityEntry[] {
  if (!(index >= 0 && index < tree.size)) return [];
  const s = span ?? tree.span(index);
  const out: ActivityEntry[] = [];
  for (const e of s.events) {
    if (e.name === 'exception') continue;
    const a = e.attributes ?? {};
    if (isLogEvent(e.name)) {
      const sev = a[Attr.logSeverity];
      const sevText = sev === undefined ? 'info' : attrText(sev);
      const severity = severityOf(0, sevText);
      const msg = a[Attr.logMessage];
      const message = msg === undefined ? '' : attrText(msg);
      const shown = displayText(message);
      out.push({ timeMs: e.timeMs, offset: offsetText(e.timeMs - s.startMs), source: 'span-log', severity, severityLabel: cleanText(sevText.toUpperCase()).slice(0, 12), text: shown.text, ...(shown.cut ? { fullLength: message.length, raw: message } : {}), attributes: fields(a, LOG_KEYS) });
    } else {
      const shown = displayText(e.name);
      out.push({ timeMs: e.timeMs, offset: offsetText(e.timeMs - s.startMs), source: 'event', severity: 'none', severityLabel: 'event', text: shown.text, attributes: fields(a) });
    }
  }
  const records: ActivityEntry[] = [];
  for (const l of logs) if (l.spanId === s.spanId) records.push(logEntry(l, s.startMs));
  // The runtime's logger can send a line both ways (INSTRUMENT_FIRST_LOG_RECORDS=both): the record
  // stands for it, the span event of the same text within a few ms is left out.
  const kept = records.length ? out.filter((e) => e.source !== 'span-log' || !records.some((r) => r.text === e.text && Math.abs(r.timeMs - e.timeMs) <= SAME_LINE_MS)) : out;
  kept.push(...records);
  // Stable: events (recorded first) stay before logs of the same millisecond.
  return kept.map((e, i) => [e, i] as const).sort((x, y) => x[0].timeMs - y[0].timeMs || x[1] - y[1]).map((x) => x[0]);
}

/** The run's log list: every record of the trace in time order, with the name of its span. */
export function runLogRows(tree: SpanTree | undefined, logs: readonly SignalLog[]): RunLogRow[] {
  const t0 = tree && tree.size ? tree.startMs : (logs[0]?.timeMs ?? 0);
  const rows: RunLogRow[] = logs.map((l) => {
    const spanId = l.spanId ?? '';
    const node = spanId && tree ? (tree.byId.get(spanId) ?? -1) : -1;
    const spanName = !spanId ? '(no span)' : node === -1 ? `span ${spanId}` : cleanText(tree!.name(node));
    return { ...logEntry(l, t0), spanId, spanName, node };
  });
  return rows.sort((a, b) => a.timeMs - b.timeMs);
}

/** One line of text per entry (copy, host-test reports): offset, severity, text, attributes. */
export function activityLine(e: ActivityEntry): string {
  const attrs = e.attributes.map((f) => `${f.key}=${f.value}`).join(' ');
  return `${e.offset} ${e.severityLabel} ${e.text}${attrs ? ` ${attrs}` : ''}`;
}
