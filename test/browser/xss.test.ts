// Everything from spans is text: a span named like markup shows literally, in the rows, the
// details and the comparison, with the CSP turned off to prove the rendering itself is safe.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import type { SpanView } from '../../src/protocol/spanView';
import { timelineSuite, type PageWindow } from './harness';

const open = timelineSuite();

const EVIL = '<img src=x onerror=alert(1)>';
const EVIL2 = '"><script>alert(2)</script>';

void test('a span named <img src=x onerror=alert(1)> shows literally everywhere', async () => {
  const tp = await open({ bypassCSP: true });
  try {
    const span: SpanView = {
      traceId: 't',
      spanId: 's',
      name: EVIL,
      startMs: 0,
      endMs: 10,
      status: 'error',
      statusMessage: EVIL2,
      attributes: { 'instrument_first.kind': 'step', [EVIL]: EVIL2, 'procedure.id': EVIL },
      events: [
        { name: 'log', timeMs: 1, attributes: { 'log.severity': 'info', 'log.message': EVIL } },
        { name: 'exception', timeMs: 2, attributes: { 'exception.type': EVIL, 'exception.message': EVIL2, 'exception.stacktrace': EVIL } },
      ],
    };
    const n = (await tp.posted()).length;
    await tp.post({ type: 'showRun', traceId: 't', title: EVIL, spans: encodeSpanBatch([span]), live: false });
    await tp.waitFor('rendered', n);
    await tp.page.click('.row .label');
    assert.equal(await tp.page.$eval('.row .label', (e) => e.textContent), EVIL);
    assert.equal(await tp.page.$eval('.run-title', (e) => e.textContent), EVIL);
    assert.equal(await tp.page.$eval('.details-title', (e) => e.textContent), EVIL);
    assert.match((await tp.page.textContent('.details'))!, /<script>alert\(2\)<\/script>/);
    assert.match((await tp.page.textContent('.details .activity'))!, /<img src=x onerror=alert\(1\)>/);
    // Compare view with the same names.
    await tp.post({
      type: 'showCompare',
      compare: {
        a: { traceId: 'a', plan: EVIL, startMs: 0, durationMs: 1, status: 'converged', spanCount: 1, errorCount: 0 },
        b: { traceId: 'b', plan: EVIL, startMs: 0, durationMs: 2, status: 'converged', spanCount: 1, errorCount: 0 },
        durationDeltaMs: 1,
        headline: [EVIL],
        rows: [{ change: 'added', procedureId: EVIL, procedureType: EVIL2, pass: 1, occurrence: 0, durationMsB: 1, calls: [{ name: EVIL, countA: 0, countB: 1 }], services: [], reasons: [] }],
        unchangedCount: 0,
      },
    });
    await tp.page.waitForSelector('.compare');
    assert.equal(await tp.page.$eval('.headline li', (e) => e.textContent), EVIL);
    assert.equal(await tp.page.$eval('.step-id', (e) => e.textContent), EVIL);
    await tp.page.waitForTimeout(300);
    const injected = await tp.page.evaluate(() => {
      const d = (globalThis as unknown as PageWindow).document;
      return { img: d.querySelectorAll('img').length, scripts: d.querySelectorAll('script').length };
    });
    assert.deepEqual(injected, { img: 0, scripts: 1 }); // only our own bundle
    assert.deepEqual(tp.dialogs, []);
  } finally {
    await tp.close();
  }
});

void test('the page is served with a strict CSP: nonce-only scripts, no remote content', async () => {
  const tp = await open();
  try {
    const csp = await tp.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => (m as unknown as { content: string }).content);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9]+'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/\*/);
    // An inline script without the nonce is refused.
    const ran = await tp.page.evaluate(() => {
      const w = globalThis as unknown as PageWindow & { __ran?: boolean };
      const d = w.document as unknown as { createElement(t: string): { textContent: string }; body: { append(n: unknown): void } };
      const s = d.createElement('script');
      s.textContent = 'window.__ran = true';
      d.body.append(s);
      return w.__ran === true;
    });
    assert.equal(ran, false);
  } finally {
    await tp.close();
  }
});
