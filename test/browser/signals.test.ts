// The run's logs and metrics in the timeline, in headless Chromium with the real bundle: a span's
// Activity list (events and log records in time order), hostile log bodies shown as text, live
// records, the run's log list with its severity filter (a click selects the span), and the metric
// charts. Screenshots at 400 and 1200 px in light and dark go to test-results/ (git-ignored).
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import type { SignalLog, SignalMetricSeries } from '../../src/protocol/signalMessages';
import type { SpanView } from '../../src/protocol/spanView';
import { toSignalLogs } from '../../src/views/runSignals';
import { SHOWN_CHARS } from '../../src/timelineModel/activity';
import { timelineSuite, type PageWindow, type TimelinePage } from './harness';
import type { ThemeKind } from './themes';

const OUT = join(__dirname, '..', '..', '..', 'test-results');
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);

mkdirSync(OUT, { recursive: true });
const open = timelineSuite();

const EVIL = '<img src=x onerror=alert(1)>';

function spans(): SpanView[] {
  const s = (spanId: string, name: string, parent: string | undefined, start: number, end: number, extra: Partial<SpanView> = {}): SpanView => ({
    traceId: TRACE, spanId, name, startMs: T0 + start, endMs: T0 + end, status: 'unset', attributes: {}, events: [], ...(parent ? { parentSpanId: parent } : {}), ...extra,
  });
  return [
    s('a000000000000001', 'POST /checkout', undefined, 0, 420, { attributes: { 'http.request.method': 'POST' } }),
    s('a000000000000002', 'load cart', 'a000000000000001', 10, 90),
    s('a000000000000003', 'charge card', 'a000000000000001', 100, 400, {
      status: 'error',
      statusMessage: 'card declined',
      events: [
        { name: 'retry', timeMs: T0 + 180, attributes: { attempt: 2 } },
        { name: 'log', timeMs: T0 + 120, attributes: { 'log.severity': 'debug', 'log.message': 'calling the payment provider', provider: 'acme' } },
      ],
    }),
  ];
}

/** Nested kvlist body, as the collector turns a structured body into JSON text. */
function nestedBody(depth: number): string {
  let v: unknown = { leaf: EVIL };
  for (let i = 0; i < depth; i++) v = { level: i, child: v };
  return JSON.stringify(v);
}

function logs(): SignalLog[] {
  const l = (ms: number, sev: number, text: string, body: string, spanId: string | undefined, attributes: SignalLog['attributes'] = {}): SignalLog => ({
    timeMs: T0 + ms, severityNumber: sev, severityText: text, body, ...(spanId ? { spanId } : {}), serviceName: 'shop', scopeName: 'shop-logger', attributes,
  });
  return toSignalLogs([
    l(105, 9, 'INFO', 'charging 42.00 EUR', 'a000000000000003', { 'order.id': 42, 'card.brand': 'visa' }),
    l(250, 13, 'WARN', 'provider slow: 130 ms', 'a000000000000003', { 'http.response.status_code': 200 }),
    l(390, 17, 'ERROR', 'card declined\u001b[2J\u202eevil\u0000 <script>alert(2)</script>', 'a000000000000003', { reason: { kind: 'kvlist', keys: ['code', 'html'], values: [51, EVIL] } }),
    l(395, 21, 'FATAL', nestedBody(150), 'a000000000000003'),
    l(398, 9, 'INFO', 'x'.repeat(200_000), 'a000000000000003'),
    l(20, 5, 'DEBUG', 'cart has 3 items', 'a000000000000002'),
    l(30, 9, 'INFO', 'loaded\nmultiple\nlines', 'a000000000000002'),
    l(410, 9, '', 'no span id on this one', undefined),
  ]);
}

function metrics(): SignalMetricSeries[] {
  const pts = (f: (i: number) => number, n = 12) => Array.from({ length: n }, (_, i) => ({ timeMs: T0 + i * 35, value: f(i) }));
  return [
    { name: 'process.memory.usage', unit: 'By', kind: 'gauge', valueIs: 'value', attributes: {}, points: pts((i) => (48 + i * 1.5 + (i % 3)) * 1024 * 1024) },
    { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', valueIs: 'value', attributes: { 'process.cpu.state': 'user' }, points: pts((i) => 0.1 + 0.05 * Math.sin(i)) },
    { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', valueIs: 'value', attributes: { 'process.cpu.state': 'system' }, points: pts((i) => 0.03 + 0.01 * Math.cos(i)) },
    { name: 'http.server.request.duration', unit: 's', kind: 'histogram', valueIs: 'mean', attributes: { 'http.route': '/checkout' }, points: pts((i) => 0.2 + i * 0.01, 4) },
    { name: 'checkout.orders', unit: '{orders}', kind: 'sum', valueIs: 'value', attributes: {}, points: [{ timeMs: T0 + 400, value: 7 }] },
  ];
}

async function showRun(tp: TimelinePage): Promise<void> {
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: TRACE, title: 'checkout', spans: encodeSpanBatch(spans()), live: true, resource: { 'service.name': 'shop' } });
  await tp.waitFor('rendered', n);
  await tp.post({ type: 'runLogs', traceId: TRACE, logs: logs(), total: 8 });
  await tp.post({ type: 'runMetrics', traceId: TRACE, service: 'shop', series: metrics() });
}

async function noInjectedMarkup(tp: TimelinePage): Promise<void> {
  assert.deepEqual(tp.dialogs, []);
  const injected = await tp.page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelectorAll('img, script:not([nonce])').length);
  assert.equal(injected, 0);
}

void test("a span's Activity: events, logger lines and log records in time order, colour by severity, hostile bodies as text", async () => {
  const tp = await open({ width: 1200, height: 800, bypassCSP: true });
  try {
    await showRun(tp);
    await tp.page.click('.row .label:text-is("charge card")');
    await tp.page.waitForSelector('.details .activity .act-log');
    const rows = await tp.page.$$eval('.details .activity .act', (els) => els.map((e) => [e.className, e.querySelector('.act-time')!.textContent, e.querySelector('.act-sev')!.textContent]));
    assert.deepEqual(rows.map((r) => [r[1], r[2]]), [
      ['+5 ms', 'INFO'],
      ['+20 ms', 'DEBUG'],
      ['+80 ms', 'event'],
      ['+150 ms', 'WARN'],
      ['+290 ms', 'ERROR'],
      ['+295 ms', 'FATAL'],
      ['+298 ms', 'INFO'],
    ]);
    assert.match(rows[4]![0]!, /sev-error/);
    // Severity colours come from theme variables: the error row's badge has the theme's error colour.
    const colour = await tp.page.$eval('.details .act.sev-error .act-sev', (e) => (globalThis as unknown as { getComputedStyle(x: unknown): { color: string } }).getComputedStyle(e).color);
    assert.equal(colour, 'rgb(248, 81, 73)'); // --vscode-errorForeground of the light test theme
    const bodies = await tp.page.$$eval('.details .activity .act-body', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(bodies[4], 'card declined\\u{1b}[2J\\u{202e}evil\\u{0} <script>alert(2)</script>');
    assert.ok(bodies[5]!.startsWith('{"level":149,"child":{"level":148') && bodies[5]!.length === SHOWN_CHARS, bodies[5]!.slice(0, 50));
    assert.equal(bodies[6]!.length, SHOWN_CHARS);
    assert.match((await tp.page.textContent('.details .act.sev-error .act-attrs'))!, /reason\{code: 51, html: <img src=x onerror=alert\(1\)>\}|reason.*<img src=x onerror=alert\(1\)>/);
    await tp.page.locator('.details .act-all').last().click();
    assert.ok(((await tp.page.$$eval('.details .activity .act-body', (els) => els[6]!.textContent ?? '')).length) > 65_536);
    const report = await tp.waitFor('signalsRendered');
    assert.equal(report.traceId, TRACE);
    await noInjectedMarkup(tp);
  } finally {
    await tp.close();
  }
});

void test('live: records posted again for the open run appear in the Activity list without reopening it', async () => {
  const tp = await open({ width: 1200, height: 700 });
  try {
    await showRun(tp);
    await tp.page.click('.row .label:text-is("load cart")');
    await tp.page.waitForSelector('.details .act-log');
    assert.equal(await tp.page.locator('.details .act').count(), 2);
    const more = [...logs(), { timeMs: T0 + 60, severityNumber: 13, severityText: 'WARN', body: 'cart price changed', spanId: 'a000000000000002', serviceName: 'shop', attributes: {} }];
    const n = (await tp.posted()).length;
    await tp.post({ type: 'runLogs', traceId: TRACE, logs: more, total: more.length });
    await tp.page.waitForSelector('.details .act-body:text-is("cart price changed")');
    assert.equal(await tp.page.locator('.details .act').count(), 3);
    assert.equal(await tp.page.textContent('.signal-tabs .tab:nth-child(2)'), 'Logs (9)');
    // A report scheduled before the records arrived may come first: the last one counts.
    await tp.page.waitForFunction((since) => (globalThis as unknown as PageWindow).__posted.slice(since).some((m) => m.type === 'signalsRendered' && m.activity.length === 3), n);
    const report = (await tp.posted()).filter((m) => m.type === 'signalsRendered').pop();
    assert.deepEqual(report?.type === 'signalsRendered' && report.activity, ['+10 ms DEBUG cart has 3 items', '+20 ms INFO loaded\nmultiple\nlines', '+50 ms WARN cart price changed']);
    // Logs of another trace are not this run's.
    await tp.post({ type: 'runLogs', traceId: 'ffffffffffffffffffffffffffffffff', logs: [], total: 0 });
    assert.equal(await tp.page.locator('.details .act').count(), 3);
  } finally {
    await tp.close();
  }
});

void test("the run's log list: every record with its span, filtered by severity; a click selects the span", async () => {
  const tp = await open({ width: 1200, height: 700 });
  try {
    await showRun(tp);
    await tp.page.click('.signal-tabs .tab:has-text("Logs")');
    await tp.page.waitForSelector('.run-logs .act');
    assert.equal(await tp.page.locator('.run-logs .act').count(), 8);
    assert.equal(await tp.page.isVisible('.waterfall'), false);
    const spansOfRows = await tp.page.$$eval('.run-logs .act .act-span', (els) => els.map((e) => e.textContent));
    assert.deepEqual(spansOfRows, ['load cart', 'load cart', 'charge card', 'charge card', 'charge card', 'charge card', 'charge card', '(no span)']);
    await tp.page.selectOption('.severity-filter', 'warn');
    assert.deepEqual(await tp.page.$$eval('.run-logs .act .act-sev', (els) => els.map((e) => e.textContent)), ['WARN', 'ERROR', 'FATAL']);
    await tp.page.click('.run-logs .act.sev-warn .act-body');
    await tp.page.waitForSelector('.waterfall', { state: 'visible' });
    assert.equal(await tp.page.textContent('.details-title'), 'charge card');
    assert.equal(await tp.page.getAttribute('.signal-tabs .tab:has-text("Spans")', 'aria-selected'), 'true');
  } finally {
    await tp.close();
  }
});

void test('metrics: a small chart per metric with name, unit and last value as text; a line per attribute set', async () => {
  const tp = await open({ width: 1200, height: 700 });
  try {
    await showRun(tp);
    const n = (await tp.posted()).length;
    await tp.page.click('.signal-tabs .tab:has-text("Metrics (4)")');
    await tp.page.waitForSelector('.metric-card');
    const cards = await tp.page.$$eval('.metric-card', (els) => els.map((e) => [e.querySelector('.metric-name')!.textContent, e.querySelector('.metric-unit')!.textContent, e.querySelector('.metric-last')!.textContent, e.querySelectorAll('polyline').length]));
    assert.deepEqual(cards, [
      ['checkout.orders', '({orders})', '7 orders', 0],
      ['http.server.request.duration', '(s)', '230 ms', 1],
      ['process.cpu.utilization', '(1)', 'system: 3 % · user: 5 %', 2],
      ['process.memory.usage', '(By)', '66.5 MiB', 1],
    ]);
    // The report names the four charts (an earlier one may have come before the metrics arrived).
    await tp.page.waitForFunction((since) => (globalThis as unknown as PageWindow).__posted.slice(since).some((m) => m.type === 'signalsRendered' && m.charts.length === 4), n);
    const report = (await tp.posted()).filter((m) => m.type === 'signalsRendered').pop();
    assert.deepEqual(report?.type === 'signalsRendered' && report.charts.map((c) => c.split(':')[0]), ['checkout.orders ({orders})', 'http.server.request.duration (s)', 'process.cpu.utilization (1)', 'process.memory.usage (By)']);
  } finally {
    await tp.close();
  }
});

void test('screenshots: Activity, log list and metrics at 400 and 1200 px, light and dark', async () => {
  for (const theme of ['light', 'dark'] as ThemeKind[]) {
    for (const width of [400, 1200]) {
      const tp = await open({ theme, width, height: width === 400 ? 900 : 700 });
      try {
        await showRun(tp);
        await tp.page.click('.row .label:text-is("charge card")');
        await tp.page.waitForSelector('.details .act-log');
        await tp.page.$eval('.activity-section', (e) => (e as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'start' }));
        await tp.page.screenshot({ path: join(OUT, `signals-activity-${width}-${theme}.png`) });
        await tp.page.click('.signal-tabs .tab:has-text("Logs")');
        await tp.page.waitForSelector('.run-logs .act');
        await tp.page.screenshot({ path: join(OUT, `signals-logs-${width}-${theme}.png`) });
        await tp.page.click('.signal-tabs .tab:has-text("Metrics")');
        await tp.page.waitForSelector('.metric-card');
        await tp.page.screenshot({ path: join(OUT, `signals-metrics-${width}-${theme}.png`) });
        // Nothing sticks out sideways at 400 px.
        const overflow = await tp.page.evaluate(() => {
          const d = (globalThis as unknown as PageWindow).document;
          const el = d.querySelector('.signal-panel') as unknown as { scrollWidth: number; clientWidth: number };
          return el.scrollWidth - el.clientWidth;
        });
        assert.ok(overflow <= 1, `the metrics panel scrolls sideways by ${overflow} px at ${width} px`);
      } finally {
        await tp.close();
      }
    }
  }
});

void test('the open Logs or Metrics tab is kept in the panel state and comes back when the panel is restored', async () => {
  const initialState = { view: 'run', traceId: TRACE, collapsed: [], filter: { text: '', errorsOnly: false, minDurationMs: 0 }, critical: 'off', tab: 'logs' };
  const tp = await open({ width: 1200, height: 700, initialState });
  try {
    await showRun(tp);
    assert.equal(await tp.page.getAttribute('.signal-tabs .tab:has-text("Logs")', 'aria-selected'), 'true');
    await tp.page.waitForSelector('.run-logs .act');
    assert.equal(await tp.page.isVisible('.waterfall'), false);
    assert.equal(await tp.page.isVisible('.toolbar .search'), false, "the span filter is not offered on the Logs tab");
    assert.equal(await tp.page.isVisible('.toolbar .run-title'), true);
    await tp.page.click('.signal-tabs .tab:has-text("Metrics")');
    await tp.page.waitForFunction(() => ((globalThis as unknown as PageWindow).__state as { tab?: string } | undefined)?.tab === 'metrics');
    await tp.page.click('.signal-tabs .tab:has-text("Spans")');
    await tp.page.waitForFunction(() => {
      const s = (globalThis as unknown as PageWindow).__state as { view?: string; tab?: string } | undefined;
      return s?.view === 'run' && s.tab === undefined;
    });
    assert.equal(await tp.page.isVisible('.toolbar .search'), true);
  } finally {
    await tp.close();
  }
});

void test("a saved tab of another run is not applied to this one", async () => {
  const initialState = { view: 'run', traceId: 'f'.repeat(32), collapsed: [], filter: { text: '', errorsOnly: false, minDurationMs: 0 }, critical: 'off', tab: 'metrics' };
  const tp = await open({ width: 1200, height: 700, initialState });
  try {
    await showRun(tp);
    assert.equal(await tp.page.getAttribute('.signal-tabs .tab:has-text("Spans")', 'aria-selected'), 'true');
    assert.equal(await tp.page.isVisible('.waterfall'), true);
  } finally {
    await tp.close();
  }
});
