import type { LogView } from '../collector/logs/logRecord';
import type { SpanView } from '../protocol/spanView';
import { cleanForTerminal as clean } from '../text/terminalText';

/** A trace's log records as lines under its waterfall: time, severity, span name, body, attributes. */
export function formatLogLines(logs: readonly LogView[], spans: readonly SpanView[], color = false): string {
  if (logs.length === 0) return 'no log records for this trace\n';
  const names = new Map(spans.map((s) => [s.spanId, s.name]));
  const t0 = Math.min(...spans.map((s) => s.startMs), logs[0]!.timeMs);
  const paint = (sev: number, text: string): string => (!color ? text : sev >= 17 ? `\x1b[31m${text}\x1b[0m` : sev >= 13 ? `\x1b[33m${text}\x1b[0m` : text);
  const lines = logs.map((l) => {
    const at = `+${(l.timeMs - t0).toFixed(1)} ms`.padStart(12);
    const sev = (l.severityText || severityName(l.severityNumber)).padEnd(5);
    const where = l.spanId ? ` [${clean(names.get(l.spanId) ?? l.spanId)}]` : '';
    const attrs = Object.entries(l.attributes)
      .map(([k, v]) => `${clean(k)}=${clean(typeof v === 'string' ? v : JSON.stringify(v))}`)
      .join(' ');
    return `${at}  ${paint(l.severityNumber, sev)}${where} ${clean(l.body)}${attrs ? `  ${attrs}` : ''}`;
  });
  return `\nlogs (${logs.length}):\n${lines.join('\n')}\n`;
}

function severityName(n: number): string {
  return n >= 21 ? 'FATAL' : n >= 17 ? 'ERROR' : n >= 13 ? 'WARN' : n >= 9 ? 'INFO' : n >= 5 ? 'DEBUG' : n >= 1 ? 'TRACE' : '-';
}
