// The timeline inside the real VS Code: a command opens the panel for the last run and the webview
// draws it; a click on a span (the panel's message handler, as the webview posts it) reveals the
// procedure's do() in an editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './helpers';
import { suite, test } from './harness';
import { fastSamples, lineOfText, runPlan, services } from './planRuns';

interface Opened {
  traceId: string;
  rendered?: { spans: number; rows: number; ms: number };
}

suite(
  'timeline',
  () => {
    test('Open the last run: the panel shows it; clicking a step lands on its do()', async () => {
      fastSamples();
      const run = await runPlan('plans/create-cluster.ts');
      const s = await services();
      const opened = await vscode.commands.executeCommand<Opened>('instrumentFirst.timeline.openLastRun');
      assert.equal(opened.traceId, run.traceId);
      assert.ok(opened.rendered, 'the webview reported the drawn run');
      assert.equal(opened.rendered.spans, run.spanCount);
      console.log(`    [measure] timeline: ${opened.rendered.spans} spans drawn in ${opened.rendered.ms.toFixed(0)} ms`);
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview);
      assert.ok(tab, 'a webview tab is open');
      assert.match(tab.label, /^Timeline: create-cluster$/);

      const spans = s.collector.store!.trace(run.traceId);
      const step = spans.find((x) => x.name === 'register_cluster_node_to_lb')!;
      assert.ok(step, 'the step span is in the store');
      await closeAllEditorsButTimeline();
      const target = await vscode.commands.executeCommand<{ file: string; line: number }>('instrumentFirst.timeline.goToSpanCode', run.traceId, step.spanId);
      assert.ok(target, 'a code target was found');
      const editor = await waitFor(() => vscode.window.activeTextEditor, { message: 'an active editor' });
      assert.match(editor.document.uri.path, /plans\/create-cluster\.ts$/);
      const doLine = lineOfText(editor.document, 'class RegisterClusterNodeToLb') + 3;
      assert.match(editor.document.lineAt(doLine).text, /async do\(/);
      assert.equal(editor.selection.active.line, doLine);

      // A call span lands on the line that made the call (the runtime stamps code.lineno of the
      // first frame in the step's file, past the cloudCall() helper), not on the step's do().
      const call = spans.find((x) => x.parentSpanId === step.spanId && x.name.includes('DescribeInstances'))!;
      const callLine = doLine + 1;
      assert.match(editor.document.lineAt(callLine).text, /'EC2', 'DescribeInstances'/);
      const t2 = await vscode.commands.executeCommand<{ line: number }>('instrumentFirst.timeline.goToSpanCode', run.traceId, call.spanId);
      assert.equal(t2?.line, callLine);
      assert.equal(vscode.window.activeTextEditor?.selection.active.line, callLine);
    }, { timeout: 120_000 });

    test('Compare with Previous opens the comparison in the timeline', async () => {
      fastSamples();
      const good = await runPlan('plans/create-cluster.ts');
      const bad = await runPlan('plans/create-cluster.ts', 'createClusterFaulty');
      // The previous run of the same plan *and export* (an earlier faulty run if there is one, else the good one).
      const s = await services();
      const earlierFaulty = s.data.runs().find((r) => r.exportName === 'createClusterFaulty' && r.traceId !== bad.traceId && r.startMs < bad.startMs);
      const ids = await vscode.commands.executeCommand<[string, string]>('instrumentFirst.compareWithPrevious', bad.traceId);
      assert.deepEqual(ids, [earlierFaulty?.traceId ?? good.traceId, bad.traceId]);
      await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /^Compare/.test(t.label)), {
        message: 'a Compare tab',
        timeout: 30_000, // a webview tab is slow to appear on a loaded machine
      });
    }, { timeout: 120_000 });
  },
  { timeout: 120_000 },
);

async function closeAllEditorsButTimeline(): Promise<void> {
  // One batched close: closing tabs one by one while iterating the live list can hit a tab that
  // already went away ("Invalid tab not found").
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

