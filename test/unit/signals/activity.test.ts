import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { SignalLog } from '../../../src/protocol/signalMessages';
import { activityLine, cleanText, displayText, passesSeverity, runLogRows, severityOf, spanActivity, SHOWN_CHARS, SHOWN_LINES } from '../../../src/timelineModel/activity';
import { span, treeOf } from '../timeline/spanFixtures';

function log(timeMs: number, body: string, extra: Partial<SignalLog> = {}): SignalLog {
  return { timeMs, severityNumber: 9, severityText: 'INFO', body, spanId: 's', serviceName: 'svc', attributes: {}, ...extra };
}

void test('activity: events, step-logger lines and OTLP records of the span in time order, offsets from the span start', () => {
  const s = span('s', undefined, 1000, 1300, {}, {
    events: [
      { name: 'cache miss', timeMs: 1100, attributes: { key: 'k1' } },
      { name: 'log', timeMs: 1050, attributes: { 'log.severity': 'warn', 'log.message': 'retrying', attempt: 2 } },
      { name: 'exception', timeMs: 1200, attributes: { 'exception.type': 'Error' } },
    ],
  });
  const other = span('o', 's', 1010, 1020);
  const logs = [
    log(1150, 'order received', { attributes: { 'order.id': 42 } }),
    log(1001, 'first', { severityNumber: 17, severityText: 'ERROR' }),
    log(1120, 'belongs to another span', { spanId: 'o' }),
    log(1100, 'same ms as the event'),
  ];
  const a = spanActivity(treeOf([s, other]), 0, logs);
  assert.deepEqual(
    a.map((e) => [e.offset, e.source, e.severity, e.text]),
    [
      ['+1 ms', 'log', 'error', 'first'],
      ['+50 ms', 'span-log', 'warn', 'retrying'],
      ['+100 ms', 'event', 'none', 'cache miss'],
      ['+100 ms', 'log', 'info', 'same ms as the event'],
      ['+150 ms', 'log', 'info', 'order received'],
    ],
  );
  assert.deepEqual(a[1]!.attributes, [{ key: 'attempt', value: '2', type: 'int' }]);
  assert.equal(activityLine(a[4]!), '+150 ms INFO order received order.id=42');
  // The exception stays in its own section (with its stack), not in the activity.
  assert.ok(!a.some((e) => e.text === 'exception'));
});

void test('severity: OTLP numbers in six ranges; text alone when the number is unspecified; the filter is "at least"', () => {
  assert.deepEqual([1, 5, 9, 13, 17, 21, 24].map((n) => severityOf(n, '')), ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'fatal']);
  assert.equal(severityOf(0, 'Warning'), 'warn');
  assert.equal(severityOf(0, 'err'), 'error');
  assert.equal(severityOf(0, 'whatever'), 'none');
  assert.equal(passesSeverity('warn', 'info'), true);
  assert.equal(passesSeverity('debug', 'info'), false);
  assert.equal(passesSeverity('none', 'debug'), false);
  assert.equal(passesSeverity('none', 'all'), true);
});

void test('hostile bodies: control characters and bidi overrides become visible escapes; markup stays text; huge bodies are cut with their length', () => {
  assert.equal(cleanText('a\u001b[2Jb\rc\u202eevil\u0000'), 'a\\u{1b}[2Jb\\u{d}c\\u{202e}evil\\u{0}');
  assert.equal(cleanText('tab\tand\nnewline'), 'tab\tand\nnewline');
  const markup = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  assert.equal(cleanText(markup), markup);
  const huge = 'x'.repeat(1_000_000);
  const s = span('s', undefined, 0, 10);
  const [e] = spanActivity(treeOf([s]), 0, [log(1, huge)]);
  assert.equal(e!.text.length, SHOWN_CHARS);
  assert.equal(e!.fullLength, 1_000_000);
  assert.equal(e!.raw, huge);
  const many = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
  const d = displayText(many);
  assert.equal(d.cut, true);
  assert.equal(d.text.split('\n').length, SHOWN_LINES);
  assert.equal(displayText(many, true).text, many);
});

void test('run log rows: every record with its span name, "(no span)" or the id of a span not (yet) received; time order', () => {
  const root = span('r', undefined, 100, 200, {}, { name: 'handle order' });
  const rows = runLogRows(treeOf([root]), [log(150, 'b', { spanId: 'r' }), log(120, 'a', { spanId: undefined }), log(130, 'c', { spanId: 'ffffffffffffffff' })]);
  assert.deepEqual(rows.map((r) => [r.offset, r.spanName, r.node, r.text]), [
    ['+20 ms', '(no span)', -1, 'a'],
    ['+30 ms', 'span ffffffffffffffff', -1, 'c'],
    ['+50 ms', 'handle order', 0, 'b'],
  ]);
});
