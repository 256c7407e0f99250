// Screenshots of the timeline with the sample incidents, in light, dark and high contrast, into
// test-results/ (git-ignored): the faulty create-cluster run, and both incident comparisons.
// Also asserts that each comparison says what went wrong in its headline.
// TIMELINE_SHOT_SCALE=1 runs the samples at real speed (checkout release 2 then takes > 5 s).
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import { presentDiff } from '../../src/timelineModel/compareModel';
import { timelineSuite, type TimelinePage } from './harness';
import { runIncidents, type Incidents, type IncidentRun } from './incidentRuns';
import type { ThemeKind } from './themes';

const OUT = join(__dirname, '..', '..', '..', 'test-results');
let incidents: Incidents;

mkdirSync(OUT, { recursive: true });
before(async () => {
  incidents = await runIncidents(Number(process.env.TIMELINE_SHOT_SCALE ?? '0.1'));
});
const open = timelineSuite();

async function showRun(tp: TimelinePage, r: IncidentRun): Promise<void> {
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: r.traceId, title: r.title, spans: encodeSpanBatch(r.spans), live: false, resource: { 'service.name': 'instrument-first-demo' } });
  await tp.waitFor('rendered', n);
}

const THEMES: ThemeKind[] = ['light', 'dark'];

void test('faulty create-cluster: waterfall with critical path and the step details', async () => {
  for (const theme of [...THEMES, 'high-contrast' as const]) {
    const tp = await open({ theme, width: 1400, height: 560 });
    try {
      await showRun(tp, incidents.clusterFaulty);
      await tp.page.selectOption('.crit-select select', 'run');
      await tp.page.click('.row .label:text-is("register_cluster_node_to_lb")');
      const text = await tp.page.textContent('.details');
      assert.match(text!, /register_cluster_node_to_lb/);
      await tp.page.screenshot({ path: join(OUT, `timeline-waterfall-${theme}.png`) });
    } finally {
      await tp.close();
    }
  }
});

void test('incident 1 compared: register_cluster_node_to_lb made 1 ELBv2 call instead of 2', async () => {
  const view = presentDiff(incidents.clusterDiff);
  const row = view.rows.find((r) => r.procedureId === 'register_cluster_node_to_lb');
  assert.ok(row, JSON.stringify(view.rows.map((r) => r.procedureId)));
  assert.deepEqual(row.services, [{ name: 'ELBv2', countA: 2, countB: 1 }], JSON.stringify(row.calls));
  assert.match(view.headline.join('\n'), /register_cluster_node_to_lb \(pass 1\): ELBv2 calls 2 → 1 \(ELBv2 RegisterTargets 1 → 0\)/);
  for (const theme of THEMES) {
    const tp = await open({ theme, width: 1200, height: 250 });
    try {
      await tp.post({ type: 'showCompare', compare: view });
      await tp.page.waitForSelector('.compare-table');
      assert.equal(await tp.page.locator('.cmp-row.calls-changed').count() >= 1, true);
      await tp.page.screenshot({ path: join(OUT, `timeline-compare-create-cluster-${theme}.png`) });
    } finally {
      await tp.close();
    }
  }
});

void test('incident 2 compared: checkout release 2 has the new step additionalMarkUp', async () => {
  const view = presentDiff(incidents.checkoutDiff);
  assert.equal(view.rows[0]?.change, 'added');
  assert.equal(view.rows[0]?.procedureId, 'additionalMarkUp');
  assert.match(view.headline[1]!, /^New step in B: additionalMarkUp \(pass 1\)/);
  for (const theme of THEMES) {
    const tp = await open({ theme, width: 1200, height: 250 });
    try {
      await tp.post({ type: 'showCompare', compare: view });
      await tp.page.waitForSelector('.compare-table');
      await tp.page.screenshot({ path: join(OUT, `timeline-compare-checkout-${theme}.png`) });
    } finally {
      await tp.close();
    }
  }
  const tp = await open({ theme: 'dark', width: 1400, height: 520 });
  try {
    await showRun(tp, incidents.checkout2);
    await tp.page.click('.row .label:text-is("additionalMarkUp")');
    await tp.page.screenshot({ path: join(OUT, 'timeline-checkout-release2-dark.png') });
  } finally {
    await tp.close();
  }
});
