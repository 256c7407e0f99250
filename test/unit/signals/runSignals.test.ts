import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseHostToWebview, parseWebviewToHost } from '../../../src/protocol/timelineMessages';
import { MAX_LOG_BODY, MAX_RUN_LOGS } from '../../../src/protocol/signalMessages';
import { byService, RUN_LOGS_CHARS, serviceLogsText, toSignalLogs, type StoredLog } from '../../../src/views/runSignals';
import { LogStore } from '../../../src/collector/logs/logStore';
import { LogRecord, packIds } from '../../../src/collector/logs/logRecord';
import { MetricStore } from '../../../src/collector/metrics/metricStore';

const stored = (body: string, extra: Partial<StoredLog> = {}): StoredLog => ({ timeMs: 1, severityNumber: 9, severityText: 'INFO', body, serviceName: 'svc', attributes: {}, ...extra });

void test('run logs sent to the webview: bodies and string attributes cut to the limit, shorter once the budget is spent, count capped', () => {
  const huge = 'b'.repeat(MAX_LOG_BODY * 3);
  const [one] = toSignalLogs([stored(huge, { attributes: { big: huge, n: 1 }, spanId: 'aa', scopeName: 'app' })]);
  assert.ok(one!.body.startsWith('b'.repeat(MAX_LOG_BODY)) && one!.body.endsWith(`(${(MAX_LOG_BODY * 3).toLocaleString('en-US')} characters in all)`));
  assert.equal((one!.attributes.big as string).length, one!.body.length);
  assert.equal(one!.attributes.n, 1);
  assert.equal(one!.spanId, 'aa');
  const many = toSignalLogs(Array.from({ length: 200 }, () => stored(huge)));
  const total = many.reduce((n, l) => n + l.body.length, 0);
  assert.ok(total < RUN_LOGS_CHARS + MAX_LOG_BODY * 2 + 200 * 2100, `${total} characters`);
  assert.ok(many[199]!.body.length < 2100);
  assert.equal(toSignalLogs(Array.from({ length: MAX_RUN_LOGS + 10 }, () => stored('x'))).length, MAX_RUN_LOGS);
  // What toSignalLogs makes passes the webview's validation.
  assert.ok(parseHostToWebview({ type: 'runLogs', traceId: 't', logs: many, total: 200 }));
});

void test('messages: malformed logs and metrics messages are refused; the rendered report is bounded', () => {
  assert.equal(parseHostToWebview({ type: 'runLogs', traceId: 't', logs: [{ timeMs: 'x' }], total: 1 }), undefined);
  assert.equal(parseHostToWebview({ type: 'runLogs', traceId: 't', logs: [stored('<b>', { attributes: { a: { kind: 'bogus' } as never } })], total: 1 }), undefined);
  assert.equal(parseHostToWebview({ type: 'runMetrics', traceId: 't', service: 's', series: [{ name: 'm', unit: '', kind: 'gauge', valueIs: 'value', attributes: {}, points: [{ timeMs: 1, value: Infinity }] }] }), undefined);
  assert.ok(parseHostToWebview({ type: 'runMetrics', traceId: 't', service: 's', series: [{ name: 'm', unit: '', kind: 'gauge', valueIs: 'mean', attributes: {}, points: [{ timeMs: 1, value: 2 }] }] }));
  assert.ok(parseWebviewToHost({ type: 'signalsRendered', traceId: 't', spanId: '', activity: ['+1 ms INFO x'], logRows: 1, charts: [] }));
  assert.equal(parseWebviewToHost({ type: 'signalsRendered', traceId: 't', spanId: '', activity: ['x'.repeat(3000)], logRows: 1, charts: [] }), undefined);
});

void test('logs without a trace: grouped by service; the document text shows control characters as escapes and indents continuation lines', () => {
  const logs = [stored('b one', { serviceName: 'b' }), stored('a\u001b[31mred\nsecond line', { serviceName: 'a', attributes: { k: 'v' } })];
  assert.deepEqual([...byService(logs).keys()], ['a', 'b']);
  const text = serviceLogsText('a', byService(logs).get('a')!);
  assert.match(text, /^Logs without a trace from a: 1 record, oldest first\./);
  assert.match(text, /INFO   a\\u\{1b\}\[31mred\n {4}second line {2}k=v/);
});

void test('stores tell listeners what was added: trace ids of log records ("" without one), services of metric points', () => {
  const logs = new LogStore();
  const seen: string[][] = [];
  const sub = logs.onDidAdd((ids) => seen.push([...ids].sort()));
  const origin = { serviceName: 'svc', scopeName: '' };
  const content = { body: 'x', keys: [], values: [] };
  const tid = '0af7651916cd43dd8448eb211c80319c';
  logs.add([new LogRecord(1, { number: 9, text: 'INFO' }, packIds(tid, 'b7ad6b7169203331'), origin, content), new LogRecord(2, { number: 9, text: 'INFO' }, '', origin, content)]);
  sub.dispose();
  logs.add([new LogRecord(3, { number: 9, text: 'INFO' }, '', origin, content)]);
  assert.deepEqual(seen, [['', tid]]);
  assert.deepEqual([...logs.servicesWithoutTrace()], [['svc', 2]]);
  const metrics = new MetricStore();
  const services: string[] = [];
  metrics.onDidAdd((s) => services.push(...s));
  metrics.add([{ serviceName: 'svc', name: 'm', unit: '', kind: 'gauge', attributes: {}, timeMs: 1, value: 1 }]);
  assert.deepEqual(services, ['svc']);
});
