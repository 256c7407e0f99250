/**
 * A run's log records as the timeline gets them (bounded in count and characters: a program can
 * log megabytes), and logs without trace context as the read-only text of one service. Pure.
 */
import type { LogView } from '../protocol/logView';
import { MAX_LOG_BODY, MAX_RUN_LOGS, type SignalLog } from '../protocol/signalMessages';
import type { AttrValue } from '../protocol/spanView';
import { cleanText, severityOf } from '../timelineModel/activity';
import { attrText } from '../timelineModel/rowFilter';

/** A record as the collector's log store answers (the read API's contract). */
export type StoredLog = LogView;

/** Characters of bodies and string attributes sent for one run at most; beyond, each is cut shorter. */
export const RUN_LOGS_CHARS = 4_000_000;
const CUT_SHORT = 2000;

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length.toLocaleString('en-US')} characters in all)`;
}

function cutAttrs(a: Record<string, AttrValue>, max: number): { attrs: Record<string, AttrValue>; chars: number } {
  let chars = 0;
  let out: Record<string, AttrValue> | undefined;
  for (const k of Object.keys(a)) {
    const v = a[k]!;
    if (typeof v === 'string') {
      chars += Math.min(v.length, max);
      if (v.length > max) (out ??= { ...a })[k] = cut(v, max);
    }
  }
  return { attrs: out ?? a, chars };
}

/**
 * The first {@link MAX_RUN_LOGS} records in time order, bodies and string attributes cut to
 * {@link MAX_LOG_BODY} characters, and to 2,000 once {@link RUN_LOGS_CHARS} are spent.
 */
export function toSignalLogs(logs: readonly StoredLog[], budget = RUN_LOGS_CHARS): SignalLog[] {
  const out: SignalLog[] = [];
  let spent = 0;
  for (const l of logs) {
    if (out.length >= MAX_RUN_LOGS) break;
    const max = spent > budget ? CUT_SHORT : MAX_LOG_BODY;
    const body = cut(l.body, max);
    const { attrs, chars } = cutAttrs(l.attributes, max);
    spent += body.length + chars;
    const s: SignalLog = { timeMs: l.timeMs, severityNumber: l.severityNumber, severityText: l.severityText.slice(0, 100), body, serviceName: l.serviceName, attributes: attrs };
    if (l.spanId) s.spanId = l.spanId;
    if (l.scopeName) s.scopeName = l.scopeName;
    out.push(s);
  }
  return out;
}

/** Logs without trace context grouped by service, services in name order. */
export function byService(logs: readonly StoredLog[]): Map<string, StoredLog[]> {
  const m = new Map<string, StoredLog[]>();
  for (const l of logs) {
    const list = m.get(l.serviceName);
    if (list) list.push(l);
    else m.set(l.serviceName, [l]);
  }
  return new Map([...m].sort((a, b) => a[0].localeCompare(b[0])));
}

/**
 * A service's logs without trace context as lines of text (a read-only document): ISO time,
 * severity, body, attributes; control characters shown as escapes, long bodies cut.
 */
export function serviceLogsText(service: string, logs: readonly StoredLog[]): string {
  const head = `Logs without a trace from ${cleanText(service || '(unknown service)')}: ${logs.length} record${logs.length === 1 ? '' : 's'}, oldest first.\n\n`;
  const lines = logs.map((l) => {
    const sev = (l.severityText || severityOf(l.severityNumber, '').toUpperCase()).padEnd(5);
    const attrs = Object.keys(l.attributes)
      .map((k) => `${k}=${attrText(l.attributes[k]!)}`)
      .join(' ');
    const d = new Date(l.timeMs);
    const time = Number.isNaN(d.getTime()) ? String(l.timeMs) : d.toISOString();
    return cleanText(`${time}  ${sev}  ${cut(l.body, 10_000)}${attrs ? `  ${cut(attrs, 10_000)}` : ''}${l.scopeName ? `  [${l.scopeName}]` : ''}`).replace(/\n/g, '\n    ');
  });
  return head + lines.join('\n') + '\n';
}
