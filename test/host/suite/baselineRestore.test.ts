// The compare against a baseline comes back after a window reload: the page's saved state names
// the pseudo-run "baseline" and the run, and the serializer's restore makes the compare again from
// its inputs (the run and its plan's baseline file). A reload cannot run inside the test run, so
// the test disposes the panel and hands a new webview panel of the same type, with the state the
// page saved, to the very function the registered serializer calls.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunDiff } from '../../../src/protocol/collectorTypes';
import type { TimelineFeature } from '../../../src/vscode/timeline/timelineFeature';
import { TIMELINE_VIEW_TYPE } from '../../../src/vscode/timeline/timelinePanel';
import { closeAllEditors, openFile, waitFor, workspaceUri } from './helpers';
import { suite, suiteTeardown, test } from './harness';
import { fastSamples, runPlan, services } from './planRuns';

const PLAN = 'plans/create-cluster.ts';

suite('the compare against a baseline survives a reload', () => {
  suiteTeardown(async () => {
    await closeAllEditors();
  });

  test('a restored panel shows the run against its baseline again (not "run gone")', async () => {
    fastSamples();
    await openFile(PLAN);
    const faulty = await runPlan(PLAN, 'createClusterFaulty');
    const s = await services();
    const diff = await vscode.commands.executeCommand<RunDiff>('instrumentFirst.compareWithBaseline', workspaceUri(PLAN), 'createClusterFaulty');
    assert.equal(diff.b.traceId, faulty.traceId);
    const timeline = s.viewers.current as unknown as TimelineFeature;
    const before = await waitFor(() => timeline.currentComparePanel, { message: 'the compare panel' });
    await waitFor(() => before.panel.title.startsWith('Compare: '), { message: 'the compare drawn', timeout: 30_000 });
    const title = before.panel.title;
    // What the page saved with setState for a compare (src/webview/main.ts): the two trace ids.
    const saved = { view: 'compare', a: diff.a.traceId, b: diff.b.traceId };
    before.panel.dispose();
    await waitFor(() => timeline.currentComparePanel === undefined, { message: 'the panel gone' });

    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Compare runs', vscode.ViewColumn.Beside, {});
    await timeline.restorePanel(panel, saved);
    const restored = await waitFor(() => timeline.currentComparePanel, { message: 'the restored compare panel' });
    assert.equal(restored.panel, panel);
    const content = restored.current;
    assert.equal(content.view, 'compare');
    assert.ok(content.view === 'compare' && content.diff, 'the baseline compare made again from its inputs');
    assert.match(content.diff.a.plan, /^baseline: create-cluster \(plans\/create-cluster\.baseline\.json/);
    assert.equal(content.diff.b.traceId, faulty.traceId);
    const step = content.diff.changed.find((d) => d.procedureId === 'register_cluster_node_to_lb');
    assert.deepEqual(step?.calls.find((c) => c.name === 'ELBv2 RegisterTargets'), { name: 'ELBv2 RegisterTargets', countA: 1, countB: 0 });
    // Drawn as before: the title the compare had, not "Compare runs" (one run missing).
    await waitFor(() => panel.title === title, { message: `the restored panel titled ${title} (is: ${panel.title})`, timeout: 30_000 });
  }, { timeout: 240_000 });
});
