// The webview bundle in headless Chromium: rendering, keyboard, filter, details, state.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import type { SpanView } from '../../src/protocol/spanView';
import { timelineSuite, type PageElement, type PageWindow, type TimelinePage } from './harness';
import { smallRun, TRACE as SMALL_TRACE } from './smallRun';


const open = timelineSuite();

const TRACE = SMALL_TRACE;
async function rowLabels(tp: TimelinePage): Promise<string[]> {
  return tp.page.$$eval('.viewport .row', (rows) =>
    rows
      .filter((r) => (r as unknown as PageElement).style.display !== 'none')
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((r) => r.querySelector('.label')!.textContent!),
  );
}

async function show(tp: TimelinePage, spans: SpanView[], live = false): Promise<void> {
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: TRACE, title: 'create-cluster', spans: encodeSpanBatch(spans), live });
  await tp.waitFor('rendered', n);
}

void test('renders passes, steps and calls as rows with bars, converged pass and errors marked', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    assert.deepEqual(await rowLabels(tp), [
      'plan create-cluster · converged',
      'pass 1',
      'create_security_group',
      'EC2 CreateSecurityGroup',
      'register_cluster_node_to_lb',
      'ELBv2 RegisterTargets',
      'ELBv2 RegisterTargets',
      'pass 2 · converged',
    ]);
    const errorRows = await tp.page.$$eval('.row.error .label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(errorRows, ['register_cluster_node_to_lb']);
    assert.equal(await tp.page.locator('.row.converged').count(), 1);
    // Bars are placed by start and duration over the run: s2 starts at 21% and spans 67%.
    const bar = await tp.page.$eval('.row[data-node="4"] .bar', (b) => [(b as unknown as PageElement).style.left, (b as unknown as PageElement).style.width]);
    assert.equal(parseFloat(bar[0]!).toFixed(1), '21.0');
    assert.match(bar[1]!, /67/);
    // Ticks on the axis; self and total time in the row.
    assert.ok((await tp.page.locator('.axis .tick').count()) >= 3);
    const cells = await tp.page.$eval('.row[data-node="4"]', (r) => [r.querySelector('.total')!.textContent, r.querySelector('.self')!.textContent]);
    assert.deepEqual(cells, ['670 ms', '40 ms']);
    assert.deepEqual(tp.dialogs, []);
  } finally {
    await tp.close();
  }
});

void test('keyboard: down/up move, left/right collapse and expand, Enter asks for the code', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    const kb = tp.page.keyboard;
    await tp.page.focus('.viewport');
    await kb.press('ArrowDown'); // selects the first row
    await kb.press('ArrowDown'); // pass 1
    assert.equal(await tp.page.$eval('.row.selected .label', (e) => e.textContent), 'pass 1');
    await kb.press('ArrowLeft'); // collapse pass 1
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'pass 2 · converged']);
    await kb.press('ArrowRight'); // expand
    await kb.press('ArrowRight'); // to first child
    await kb.press('ArrowDown');
    await kb.press('ArrowDown');
    assert.equal(await tp.page.$eval('.row.selected .label', (e) => e.textContent), 'register_cluster_node_to_lb');
    await kb.press('ArrowUp');
    await kb.press('ArrowDown');
    const n = (await tp.posted()).length;
    await kb.press('Enter');
    const open = await tp.waitFor('openCode', n);
    assert.deepEqual(open, { type: 'openCode', traceId: TRACE, spanId: 's2' });
    await kb.press('ArrowLeft'); // collapse the step (it has calls)
    await kb.press('ArrowLeft'); // to its parent
    assert.equal(await tp.page.$eval('.row.selected .label', (e) => e.textContent), 'pass 1');
    // Details of the selection, the state is persisted.
    // The state is persisted (debounced): the selection and the collapsed step.
    await tp.page.waitForFunction(() => {
      const st = (globalThis as unknown as PageWindow).__state as { selected?: string; collapsed?: string[] } | undefined;
      return st?.selected === 'p1' && st.collapsed?.join() === 's2';
    });
  } finally {
    await tp.close();
  }
});

void test('details: typed attributes, exception with stack, log lines, copy and Go to code', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    await tp.page.click('.row[data-node="4"] .label');
    const text = await tp.page.textContent('.details');
    assert.match(text!, /ThrottlingError: throttled/);
    assert.match(text!, /at register \(create-cluster\.ts:88:11\)/);
    assert.match(text!, /procedure\.typestring|procedure\.type/);
    assert.equal(await tp.page.$eval('.details .kv td.v .type', (e) => e.textContent), 'string');
    let n = (await tp.posted()).length;
    await tp.page.click('button:has-text("Copy span id")');
    assert.deepEqual(await tp.waitFor('copy', n), { type: 'copy', text: 's2' });
    n = (await tp.posted()).length;
    await tp.page.click('.go-to-code');
    assert.deepEqual(await tp.waitFor('openCode', n), { type: 'openCode', traceId: TRACE, spanId: 's2' });
    await tp.post({ type: 'codeResult', spanId: 's2', ok: false, message: 'No procedure index yet' });
    await tp.page.waitForSelector('.notice:has-text("No procedure index yet")');
    await tp.page.click('.row[data-node="2"] .label');
    assert.equal(await tp.page.textContent('.details .activity .act-sev'), 'INFO');
    assert.equal(await tp.page.textContent('.details .activity .act-body'), 'creating sg');
  } finally {
    await tp.close();
  }
});

void test('filter by name, attribute, errors only and minimum duration', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    await tp.page.fill('.search', 'rpc.service=elbv2');
    await tp.page.press('.search', 'Enter');
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets', 'ELBv2 RegisterTargets']);
    assert.equal(await tp.page.locator('.row.context').count(), 3); // ancestors shown as context
    await tp.page.fill('.search', 'security');
    await tp.page.press('.search', 'Enter');
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'create_security_group', 'EC2 CreateSecurityGroup']);
    await tp.page.fill('.search', '');
    await tp.page.press('.search', 'Enter');
    await tp.page.check('.toolbar input[type=checkbox]');
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb']);
    await tp.page.uncheck('.toolbar input[type=checkbox]');
    await tp.page.fill('.min-duration', '300');
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets']);
    assert.match((await tp.page.textContent('.status'))!, /4 match/);
  } finally {
    await tp.close();
  }
});

void test('critical path toggle marks the chain of work; zoom via the minimap brush', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    await tp.page.selectOption('.crit-select select', 'run');
    const onPath = await tp.page.$$eval('.row.critical .label', (els) => els.map((e) => e.textContent));
    assert.ok(onPath.includes('register_cluster_node_to_lb') && onPath.includes('EC2 CreateSecurityGroup'), onPath.join());
    assert.ok((await tp.page.locator('.crit').count()) > 0);
    const box = (await tp.page.locator('.minimap').boundingBox())!;
    await tp.page.mouse.move(box.x + box.width * 0.2, box.y + 10);
    await tp.page.mouse.down();
    await tp.page.mouse.move(box.x + box.width * 0.5, box.y + 10, { steps: 4 });
    await tp.page.mouse.up();
    assert.match((await tp.page.textContent('.status'))!, /zoom 30\d ms/);
    // c1 (10–150 ms) lies outside the window (about 200–500 ms).
    const w = await tp.page.$eval('.row[data-node="3"] .bar', (b) => (b as unknown as PageElement).style.display);
    assert.equal(w, 'none');
    await tp.page.dblclick('.minimap');
    assert.doesNotMatch((await tp.page.textContent('.status'))!, /zoom/);
  } finally {
    await tp.close();
  }
});

void test('live updates merge spans; orphans nest once their parent arrives', async () => {
  const tp = await open();
  try {
    const all = smallRun();
    await show(tp, all.filter((s) => ['c1', 's1'].includes(s.spanId)), true);
    assert.equal(await tp.page.isVisible('.live'), true);
    assert.deepEqual(await rowLabels(tp), ['create_security_group', 'EC2 CreateSecurityGroup']);
    await tp.post({ type: 'updateRun', traceId: TRACE, spans: encodeSpanBatch(all), live: false });
    await tp.page.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelectorAll('.viewport .row:not([style*="display: none"])').length === 8);
    assert.equal((await rowLabels(tp))[2], 'create_security_group');
    assert.equal(await tp.page.isVisible('.live'), false);
  } finally {
    await tp.close();
  }
});

void test('state restored: collapsed rows, filter and selection come back from getState', async () => {
  const tp = await open({
    initialState: { view: 'run', traceId: TRACE, collapsed: ['p1'], filter: { text: '', errorsOnly: false, minDurationMs: 0 }, selected: 'p2', critical: 'off' },
  });
  try {
    await show(tp, smallRun());
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'pass 2 · converged']);
    assert.equal(await tp.page.$eval('.row.selected .label', (e) => e.textContent), 'pass 2 · converged');
  } finally {
    await tp.close();
  }
});

void test('malformed messages are ignored and reported', async () => {
  const tp = await open();
  try {
    const n = (await tp.posted()).length;
    await tp.page.evaluate(() => (globalThis as unknown as PageWindow).postMessage({ type: 'showRun', traceId: 1, spans: 'x' }, '*'));
    const log = await tp.waitFor('log', n);
    assert.equal(log.level, 'error');
    assert.match((await tp.page.textContent('#app'))!, /Loading/);
  } finally {
    await tp.close();
  }
});

void test('Open Trace for a procedure selects its step', async () => {
  const tp = await open();
  try {
    const n = (await tp.posted()).length;
    await tp.post({ type: 'showRun', traceId: TRACE, title: 'x', spans: encodeSpanBatch(smallRun()), live: false, focusProcedureId: 'register_cluster_node_to_lb' });
    await tp.waitFor('rendered', n);
    assert.equal(await tp.page.$eval('.row.selected .label', (e) => e.textContent), 'register_cluster_node_to_lb');
    assert.match((await tp.page.textContent('.details-title'))!, /register_cluster_node_to_lb/);
  } finally {
    await tp.close();
  }
});

void test('critical path of the selected pass only', async () => {
  const tp = await open();
  try {
    await show(tp, smallRun());
    await tp.page.click('.row[data-node="2"] .label'); // a step in pass 1
    await tp.page.selectOption('.crit-select select', 'pass');
    const onPath = await tp.page.$$eval('.row.critical .label', (els) => els.map((e) => e.textContent));
    assert.ok(onPath.includes('pass 1') && !onPath.includes('pass 2 · converged') && !onPath.includes('plan create-cluster · converged'), onPath.join());
    assert.match((await tp.page.textContent('.status'))!, /critical path of pass 1/);
    const state = (await tp.page.waitForFunction(() => ((globalThis as unknown as PageWindow).__state as { critical?: string } | undefined)?.critical === 'pass')) !== null;
    assert.ok(state);
  } finally {
    await tp.close();
  }
});

void test('axis: tick labels never overlap, at any width and run length (the last one is right-aligned)', async () => {
  const overlaps: string[] = [];
  for (const width of [400, 560, 800, 1000, 1400]) {
    const tp = await open({ width });
    try {
      for (const total of [287, 353, 1000, 2_450, 61_000]) {
        const spans = smallRun().map((s) => ({ ...s, startMs: 1000 + ((s.startMs - 1000) * total) / 1000, endMs: 1000 + ((s.endMs - 1000) * total) / 1000 }));
        await show(tp, spans);
        const boxes = await tp.page.$$eval('.axis .tick', (els) => els.map((e) => [e.textContent, e.getBoundingClientRect().left, e.getBoundingClientRect().right] as const));
        assert.ok(boxes.length >= 2, `${width}px, ${total} ms: ${boxes.length} labels`);
        const sorted = [...boxes].sort((a, b) => a[1] - b[1]);
        for (let i = 1; i < sorted.length; i++) {
          if (sorted[i]![1] < sorted[i - 1]![2]) overlaps.push(`${width}px, ${total} ms: "${sorted[i - 1]![0]}" and "${sorted[i]![0]}"`);
        }
      }
    } finally {
      await tp.close();
    }
  }
  assert.deepEqual(overlaps, []);
});
