// Runs last (files run in name order): it edits and restores plans/create-cluster.ts, which the
// linter and run suites before it read.
// The first hour in VS Code (issue 14), inside the real VS Code: runs told apart by plan and
// export, a paused debug run kept out of the statistics, one notion of error after the
// swallowed-error quick fix, plain runs without the debugger, panels sharing one column, hovers.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/protocol/collectorTypes';
import type { RunsNode } from '../../../src/vscode/runsView';
import { closeAllEditors, codeLenses, hoverTexts, nextEvent, openFile, waitFor, waitForCodeLens, workspaceUri } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { fastSamples, finishedRun, lineOfText, runPlan, runToEnd, services } from './planRuns';

const CLUSTER = 'plans/create-cluster.ts';

interface Output {
  session: vscode.DebugSession;
  category: string;
  text: string;
  at: number;
}

suite('the first hour: runs told apart, debug runs out of statistics, one notion of error, panels', () => {
  const outputs: Output[] = [];
  const stops: Array<{ session: vscode.DebugSession; threadId: number }> = [];
  let tracker: vscode.Disposable | undefined;
  let good: RunSummary;
  let faulty: RunSummary;

  suiteSetup(async () => {
    fastSamples();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { category?: string; output?: string; threadId?: number } }) => {
          if (m.type !== 'event') return;
          if (m.event === 'output' && typeof m.body?.output === 'string') outputs.push({ session, category: m.body.category ?? '', text: m.body.output, at: Date.now() });
          if (m.event === 'stopped') stops.push({ session, threadId: m.body?.threadId ?? 0 });
        },
      }),
    });
    await openFile(CLUSTER);
  });

  suiteTeardown(async () => {
    tracker?.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await closeAllEditors();
  });

  test('two exports of one plan are told apart: Runs view, lenses, compare title; runs matched to their session by launch id', async () => {
    const s = await services();
    good = await runPlan(CLUSTER);
    faulty = await runPlan(CLUSTER, 'createClusterFaulty');
    assert.equal(good.plan, faulty.plan, 'the same plan name');
    assert.deepEqual([good.planFile, good.exportName, good.runKind], ['plans/create-cluster.ts', 'default', 'run']);
    assert.deepEqual([faulty.planFile, faulty.exportName, faulty.runKind], ['plans/create-cluster.ts', 'createClusterFaulty', 'run']);
    // Each run names the session that launched it (no console output read for that).
    const owner = (r: RunSummary) => s.sessions.get(r.launchId ?? '');
    assert.equal(owner(good)?.exportName, 'default');
    assert.equal(owner(faulty)?.exportName, 'createClusterFaulty');
    assert.ok(owner(faulty)?.traceIds.includes(faulty.traceId));

    const roots = (await s.runsView.getChildren()) as RunsNode[];
    const label = (id: string) => {
      const n = roots.find((x) => x.kind === 'run' && x.run.traceId === id);
      return n ? String(s.runsView.getTreeItem(n).label) : undefined;
    };
    assert.equal(label(good.traceId), 'create-cluster');
    assert.equal(label(faulty.traceId), 'create-cluster · createClusterFaulty');

    // Each export's plan lens shows its own run.
    const uri = workspaceUri(CLUSTER);
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitFor(async () => {
      const lenses = await codeLenses(uri);
      const runOf = (needle: string) => lenses.find((l) => l.range.start.line === lineOfText(doc, needle) && l.command?.command === 'instrumentFirst.openTrace')?.command?.arguments?.[0];
      return runOf('const createCluster: Plan') === good.traceId && runOf('export const createClusterFaulty') === faulty.traceId;
    }, { message: 'each export lens on its own run' });

    // Compare: the tab names the export of run B; it opens beside the code.
    await vscode.commands.executeCommand('instrumentFirst.compareRuns', good.traceId, faulty.traceId);
    await waitFor(() => webviewTabs().find((t) => t.label === 'Compare: create-cluster · createClusterFaulty'), { message: 'the Compare tab titled with the export', timeout: 30_000 });
  }, { timeout: 240_000 });

  test('[measure] Run → first step executing, and plan end → final CodeLens (the lenses VS Code shows)', async () => {
    const s = await services();
    await openFile(CLUSTER);
    const samples: string[] = [];
    for (let round = 0; round < 3; round++) {
      const before = outputs.length;
      const t0 = Date.now();
      const ps = await s.runner.run({ uri: workspaceUri(CLUSTER), exportName: 'default' }, false);
      assert.ok(ps);
      // create() logs "planned" right before the first step runs.
      const planned = await waitFor(() => outputs.slice(before).find((o) => o.text.includes('planned')), { timeout: 60_000, message: 'the planned log line' });
      await waitFor(() => ps.ended, { timeout: 120_000, message: 'the run to end' });
      const run = await finishedRun(s, ps);
      const lensAt = await waitFor(() => s.metrics.codeLensAnswers.find((a) => a.traceIds.includes(run.traceId))?.atEpochMs, { timeout: 30_000, message: 'a CodeLens answer with the run' });
      const planEnd = run.startMs + run.durationMs;
      const settled = s.metrics.settledAtEpochMs;
      samples.push(
        `run→first step ${planned.at - t0} ms, plan ${Math.round(run.durationMs)} ms, plan end→final CodeLens ${Math.round(lensAt - planEnd)} ms ` +
          `(plan end→run complete in the views ${Math.round(settled - planEnd)} ms, then→lens ${Math.round(lensAt - settled)} ms), Run→final CodeLens ${Math.round(lensAt - t0)} ms`,
      );
    }
    console.log(`    [measure] ${samples.join(' | ')} (goals: Run→first step ≤ 1000 ms, plan end→final CodeLens ≤ 250 ms)`);
  }, { timeout: 400_000 });

  test('timeline and compare share one editor column (never a third)', async () => {
    await vscode.commands.executeCommand('instrumentFirst.timeline.openLastRun', good.traceId);
    const timeline = await waitFor(() => webviewTabs().find((t) => /^Timeline/.test(t.label)), { message: 'a Timeline tab', timeout: 30_000 });
    const compare = webviewTabs().find((t) => /^Compare/.test(t.label));
    assert.ok(compare);
    assert.equal(timeline.group.viewColumn, compare.group.viewColumn, 'same column');
    assert.ok(vscode.window.tabGroups.all.length <= 2, `editor groups: ${vscode.window.tabGroups.all.length}`);
    assert.equal(timeline.label, 'Timeline: create-cluster');
  }, { timeout: 60_000 });

  test('deleting a run: an open timeline of it says it is gone', async () => {
    const s = await services();
    const extra = await runPlan('plans/checkout.ts');
    const opened = await vscode.commands.executeCommand<{ traceId: string }>('instrumentFirst.timeline.openLastRun', extra.traceId);
    assert.equal(opened.traceId, extra.traceId);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.deleteRun', extra.traceId), true);
    await waitFor(() => webviewTabs().some((t) => t.label === 'Timeline'), { message: 'the timeline tab titled plain "Timeline" (run gone)', timeout: 20_000 });
    assert.equal(s.collector.store?.run(extra.traceId), undefined);
  }, { timeout: 120_000 });

  test('a plain run does not attach the debugger: no "Debugger attached", log lines are not stderr', async () => {
    const before = outputs.length;
    const ps = await runToEnd(CLUSTER);
    assert.equal(ps.session?.configuration.noDebug, true, 'the session is a noDebug one');
    assert.match(ps.session?.name ?? '', /^Run plans\/create-cluster\.ts$/, 'named after the plan');
    assert.equal(ps.session?.type, 'instrument-first', 'our plain-run adapter, not the Node debugger');
    const mine = outputs.slice(before).filter((o) => o.session === ps.session || o.session.parentSession === ps.session);
    const text = mine.map((o) => o.text).join('');
    assert.ok(!/Debugger attached|Waiting for the debugger/.test(text), text.slice(0, 2000));
    assert.ok(/trace [0-9a-f]{32}/.test(text), 'the run printed its trace id');
    const logLines = mine.filter((o) => /^(INF|WRN|DBG) \[/m.test(o.text));
    assert.ok(logLines.length > 0, 'step log lines printed');
    assert.ok(logLines.every((o) => o.category !== 'stderr'), `categories: ${[...new Set(logLines.map((o) => o.category))].join(',')}`);
    // A run that converged printed nothing as an error: no red line in the Debug Console at all.
    const red = mine.filter((o) => o.category === 'stderr');
    assert.deepEqual(red.map((o) => o.text), [], 'stderr output of a converged plain run');
  }, { timeout: 180_000 });

  test('a debug run paused on a breakpoint is marked, shown running while paused, and kept out of statistics', async () => {
    const s = await services();
    const editor = await openFile(CLUSTER);
    const uri = editor.document.uri;
    const bpLine = lineOfText(editor.document, "ctx.span.setAttribute('elbv2.registered_targets'");
    const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(bpLine, 0)));
    vscode.debug.addBreakpoints([bp]);
    const before = s.data.procedureStats().stats.find((x) => x.procedureId === 'register_cluster_node_to_lb');
    const stopsBefore = stops.length;
    const ps = await s.runner.run({ uri, exportName: 'default' }, true);
    assert.ok(ps);
    const stop = await waitFor(() => stops.slice(stopsBefore).find((x) => x.session === ps.session || x.session.parentSession === ps.session), { timeout: 120_000, message: 'stopped on the breakpoint' });
    // The Node debugger's child session (the runner's process) is named after the plan, not "cli.js [pid]".
    assert.equal(ps.session?.name, 'Debug plans/create-cluster.ts');
    assert.notEqual(stop.session, ps.session, 'stopped in the child session');
    await waitFor(() => /^plans\/create-cluster\.ts \[\d+\]$/.test(stop.session.name), { timeout: 10_000, message: `the child session named after the plan (now "${stop.session.name}")` });
    // While paused, the Runs view shows the launched plan as running.
    const roots = (await s.runsView.getChildren()) as RunsNode[];
    const running = roots.find((n) => n.kind === 'session' || (n.kind === 'run' && n.run.status === 'running'));
    assert.ok(running, `something running in the Runs view: ${roots.slice(0, 3).map((n) => n.kind).join(',')}`);
    assert.match(String(s.runsView.getTreeItem(running).description), /debug · running/);
    await new Promise((r) => setTimeout(r, 2500)); // the pause that must not become a 2.5 s step
    vscode.debug.removeBreakpoints([bp]);
    const ended = nextEvent(vscode.debug.onDidTerminateDebugSession, (e) => e === ps.session, 60_000);
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    await ended;
    const debugRun = await finishedRun(s, ps, 'the debugged run');
    assert.equal(debugRun.runKind, 'debug');
    // js-debug names sessions again when their state changes: still the plan's name after the pause.
    assert.match(stop.session.name, /^plans\/create-cluster\.ts \[\d+\]/);
    const debugText = outputs.filter((o) => o.session === stop.session || o.session === ps.session).map((o) => o.text).join('');
    assert.doesNotMatch(debugText, /Could not read source map/, 'no source-map complaint about the runner');
    const roots2 = (await s.runsView.getChildren()) as RunsNode[];
    const node = roots2.find((n) => n.kind === 'run' && n.run.traceId === debugRun.traceId)!;
    assert.match(String(s.runsView.getTreeItem(node).description), /^debug · converged/);
    // The step took > 2.5 s in the debugged run; the statistics do not see it.
    const stepSpan = s.collector.store!.trace(debugRun.traceId).find((x) => x.attributes['procedure.id'] === 'register_cluster_node_to_lb')!;
    assert.ok(stepSpan.endMs - stepSpan.startMs >= 2000, 'the paused step was long');
    const after = s.data.procedureStats().stats.find((x) => x.procedureId === 'register_cluster_node_to_lb')!;
    assert.ok(!after.recent.some((r) => r.traceId === debugRun.traceId), 'the debugged run is not in the statistics');
    assert.ok(after.p95Ms < 2000, `p95 ${after.p95Ms} ms`);
    assert.equal(after.runs, before?.runs ?? after.runs);
    // The lens above the step does not show the paused time either.
    const doc = await vscode.workspace.openTextDocument(uri);
    const lens = (await codeLenses(uri)).find((l) => l.range.start.line === lineOfText(doc, 'class RegisterClusterNodeToLb'));
    assert.doesNotMatch(lens?.command?.title ?? '', /^[2-9](\.\d)? s/);
  }, { timeout: 240_000 });

  test('hover on the class, the id string and do(): comparable figures and calls per service with their usual count', async () => {
    const uri = workspaceUri(CLUSTER);
    const doc = await vscode.workspace.openTextDocument(uri);
    const classLine = lineOfText(doc, 'class RegisterClusterNodeToLb');
    for (const line of [classLine, classLine + 1, classLine + 3]) {
      const texts = await hoverTexts(uri, new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex + 2));
      const ours = texts.find((t) => t.includes('register\\_cluster\\_node\\_to\\_lb'));
      assert.ok(ours, `hover on line ${line + 1}: ${JSON.stringify(texts)}`);
      assert.match(ours, /p50 [\d.]+ (µs|ms|s) · p95 [\d.]+ (µs|ms|s) over \d+ comparable runs? \(same plan and export\)/);
      assert.match(ours, /calls in the last run: .*ELBv2 × 2/);
    }
  }, { timeout: 60_000 });

  test('the swallowed-error quick fix turns the faulty run red everywhere: Runs view, CodeLens, hover, compare', async () => {
    const s = await services();
    const editor = await openFile(CLUSTER);
    const uri = editor.document.uri;
    const original = readFileSync(uri.fsPath, 'utf8');
    try {
      const swallowed = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => (d.code as { value?: string })?.value === 'swallowed-error'), { message: 'swallowed-error finding', timeout: 60_000 });
      // The Procedures view shows the error-severity finding: not a green check.
      const files = await s.proceduresView.getChildren();
      const file = files.find((f) => f.kind === 'file' && f.uri.fsPath === uri.fsPath)!;
      const procs = await s.proceduresView.getChildren(file);
      const reg = procs.find((p) => p.kind === 'procedure' && p.p.procedure.key === 'RegisterClusterNodeToLb')!;
      assert.equal((s.proceduresView.getTreeItem(reg).iconPath as vscode.ThemeIcon).id, 'error');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, swallowed.range);
      const fix = actions.find((a) => /Record the error/.test(a.title))!;
      assert.ok(await vscode.workspace.applyEdit(fix.edit!));
      assert.match(editor.document.getText(), /setStatus\(\{ code: 2/);
      await editor.document.save();
      const red = await runPlan(CLUSTER, 'createClusterFaulty');
      assert.equal(red.status, 'converged', 'the plan still converges (the error is swallowed, but recorded)');
      assert.ok(red.errorCount >= 1);
      const roots = (await s.runsView.getChildren()) as RunsNode[];
      const node = roots.find((n) => n.kind === 'run' && n.run.traceId === red.traceId)!;
      const item = s.runsView.getTreeItem(node);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(String(item.description), /1 error/);
      const step = s.collector.store!.trace(red.traceId).find((x) => x.attributes['procedure.id'] === 'register_cluster_node_to_lb')!;
      assert.equal(step.status, 'error', 'status ERROR, not only an exception event');
      await waitForCodeLens(uri, (t) => /error/.test(t) && /^[\d.]+ (µs|ms|s)/.test(t), { message: 'a procedure lens with its error' });
      const hover = (await hoverTexts(uri, new vscode.Position(lineOfText(editor.document, 'class RegisterClusterNodeToLb'), 8))).join('\n');
      assert.match(hover, /\$\(error\) error/);
      const diff = s.collector.store!.diff(good.traceId, red.traceId)!;
      const changed = diff.changed.find((d) => d.procedureId === 'register_cluster_node_to_lb')!;
      assert.equal(changed.statusB, 'error');
      assert.ok(changed.reasons.includes('status'));
    } finally {
      // Back to the original through the editor (its saved text is what later suites lint), then on disk.
      const doc = await vscode.workspace.openTextDocument(uri);
      if (doc.getText() !== original) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
        await vscode.workspace.applyEdit(edit);
      }
      await doc.save();
      writeFileSync(uri.fsPath, original);
      await waitFor(() => vscode.languages.getDiagnostics(uri).some((d) => (d.code as { value?: string })?.value === 'swallowed-error'), { message: 'the swallowed-error finding back', timeout: 60_000 });
    }
  }, { timeout: 240_000 });

  test('first run: "not run yet" lenses, the walkthrough, plans exclude broken/, coverage is a read-only document', async () => {
    const s = await services();
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: "import type { Procedure } from 'instrument-first';\nclass NeverRan implements Procedure {\n  readonly id = 'never_ran_here';\n  do() {}\n}\n" });
    await vscode.window.showTextDocument(doc);
    await waitForCodeLens(doc.uri, /^not run yet$/);
    const plans = await s.finder.findPlans();
    assert.ok(plans.length > 0);
    assert.ok(!plans.some((p) => p.uri.path.includes('/broken/')), plans.map((p) => p.uri.path).join(', '));
    assert.ok((await vscode.commands.getCommands(true)).includes('instrumentFirst.openWalkthrough'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const coverage = await waitFor(async () => vscode.commands.executeCommand<vscode.Uri | undefined>('instrumentFirst.showCoverage'), { timeout: 60_000, message: 'coverage' });
    assert.equal(coverage.scheme, 'instrument-first-report');
    const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === coverage.toString())!.getText();
    assert.match(text, /Executed: in the last run of each plan/);
    assert.equal(vscode.window.activeTextEditor?.document.isUntitled, false);
  }, { timeout: 120_000 });
});

function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
}
