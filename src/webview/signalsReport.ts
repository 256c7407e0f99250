// What the webview drew of logs and metrics, read back from the DOM as text: host tests assert on
// it (the Activity rows as a person sees them), and the extension logs it.
import type { SignalWebviewToHost } from '../protocol/signalMessages';

const MAX_ROWS = 100;
const MAX_CHARS = 500;

export function reportSignals(traceId: string, spanId: string, details: HTMLElement, lists: { logRows: number; charts: string[] }): SignalWebviewToHost {
  const activity: string[] = [];
  const rows = details.querySelectorAll('.activity .act');
  for (let i = 0; i < rows.length && i < MAX_ROWS; i++) {
    const r = rows[i]!;
    const part = (sel: string) => r.querySelector(sel)?.textContent ?? '';
    activity.push(`${part('.act-time')} ${part('.act-sev')} ${part('.act-body')}`.slice(0, MAX_CHARS));
  }
  return { type: 'signalsRendered', traceId, spanId, activity, logRows: lists.logRows, charts: lists.charts.slice(0, MAX_ROWS).map((c) => c.slice(0, MAX_CHARS)) };
}
