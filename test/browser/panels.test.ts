// The timeline panels as the issue asks them to fit (issue 14, point 3), in headless Chromium, light
// and dark, at the widths of a panel beside the code in a 1600 px and a 1200 px window (~800 and
// ~560 px) and of a narrow third of it (400 px): screenshots into test-results/panels/.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import { presentDiff } from '../../src/timelineModel/compareModel';
import { timelineSuite, type TimelinePage } from './harness';
import { runIncidents, type Incidents } from './incidentRuns';
import type { ThemeKind } from './themes';

const OUT = join(__dirname, '..', '..', '..', 'test-results', 'panels');
const THEMES: ThemeKind[] = ['light', 'dark'];
/** Panel widths: beside the code in a 1600 px window, in a 1200 px window. */
const WIDTHS = [800, 560];
let incidents: Incidents;

mkdirSync(OUT, { recursive: true });
before(async () => {
  incidents = await runIncidents(0.05);
});
const open = timelineSuite();

async function showFaulty(tp: TimelinePage): Promise<void> {
  const r = incidents.clusterFaulty;
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: r.traceId, title: r.title, spans: encodeSpanBatch(r.spans), live: false, workspaceRoots: [join(__dirname, '..', '..', '..', 'sample-workspace')] });
  await tp.waitFor('rendered', n);
}

void test('details pane: hidden until a span is selected, closable; the last bar is inside the track; identifiers wrap at separators', async () => {
  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      const tp = await open({ theme, width, height: 700 });
      try {
        await showFaulty(tp);
        assert.equal(await tp.page.locator('.details-wrap').isVisible(), false, 'no details pane before a selection');
        // The converged pass's bar ends inside the track, with room after it.
        const track = await tp.page.locator('.row .cell.track').first().boundingBox();
        const bars = await tp.page.locator('.row.converged .bar').all();
        const last = await bars[bars.length - 1]!.boundingBox();
        assert.ok(track && last && last.x + last.width <= track.x + track.width + 0.5, `last bar ${JSON.stringify(last)} within ${JSON.stringify(track)}`);
        const viewport = tp.page.viewportSize()!;
        assert.ok(last.x + last.width < viewport.width - 8, 'room after the last bar');
        await tp.page.screenshot({ path: join(OUT, `run-no-selection-${width}-${theme}.png`) });
        await tp.page.click('.row .label:text-is("register_cluster_node_to_lb")');
        assert.equal(await tp.page.locator('.details-wrap').isVisible(), true, 'details once a span is selected');
        // The title breaks only after "_": every line of it ends at a separator or at its end.
        const title = tp.page.locator('.details-title');
        assert.equal(await title.locator('wbr').count() > 0, true);
        await tp.page.screenshot({ path: join(OUT, `run-selected-${width}-${theme}.png`) });
        await tp.page.click('.close-details');
        assert.equal(await tp.page.locator('.details-wrap').isVisible(), false, 'closed');
        assert.equal(await tp.page.locator('.open-details').isVisible(), true, 'a button brings it back');
      } finally {
        await tp.close();
      }
    }
  }
});

void test('code.filepath is shown relative to the workspace; an empty filter result says so; the critical path explains a sequential plan', async () => {
  const tp = await open({ theme: 'dark', width: 800, height: 700 });
  try {
    await showFaulty(tp);
    await tp.page.click('.row .label:text-is("register_cluster_node_to_lb")');
    const details = (await tp.page.textContent('.details'))!;
    assert.match(details, /plans\/create-cluster\.ts/);
    assert.doesNotMatch(details, /sample-workspace\/plans/, 'no absolute machine path');
    await tp.page.check('.toolbar input[type=checkbox]');
    await tp.page.waitForSelector('.filter-empty:not([hidden])');
    assert.match((await tp.page.textContent('.filter-empty'))!, /No span matches the filter \(errors only/);
    await tp.page.screenshot({ path: join(OUT, 'run-errors-only-empty-dark.png') });
    await tp.page.uncheck('.toolbar input[type=checkbox]');
    await tp.page.selectOption('.crit-select select', 'run');
    // Says how much of the plan is on it (every step: says why), instead of underlining every row silently.
    assert.match((await tp.page.textContent('.status'))!, /critical path of plan create-cluster: (\d+ of \d+ steps|every step \(they run one after another)/);
  } finally {
    await tp.close();
  }
});

void test('compare reflows: at 400 px the calls column is visible without scrolling; fewer calls are red even when faster', async () => {
  const view = presentDiff(incidents.clusterDiff);
  for (const theme of THEMES) {
    for (const width of [400, ...WIDTHS]) {
      const tp = await open({ theme, width, height: 420 });
      try {
        await tp.post({ type: 'showCompare', compare: view });
        await tp.page.waitForSelector('.compare-table');
        const calls = await tp.page.locator('.cmp-row.calls-changed td.calls').first().boundingBox();
        assert.ok(calls && calls.x + calls.width <= width + 1, `calls column within ${width} px: ${JSON.stringify(calls)}`);
        const scrollW = await tp.page.evaluate('document.querySelector(".compare").scrollWidth');
        assert.ok((scrollW as number) <= width, `no horizontal scrolling (${String(scrollW)} > ${width})`);
        assert.equal(await tp.page.locator('.cmp-row.calls-changed .delta.worse').count() >= 1, true, 'the fewer-calls row is marked worse');
        await tp.page.screenshot({ path: join(OUT, `compare-${width}-${theme}.png`) });
      } finally {
        await tp.close();
      }
    }
  }
});
