import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/protocol/collectorTypes';
import type { RunsNode } from '../../../src/vscode/runsView';
import { closeAllEditors, codeLenses, hoverTexts, openFile, waitFor, waitForCodeLens, workspaceUri } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { fastSamples, finishedRun, lineOfText, runPlan, services, spyViewer, traceText } from './planRuns';

const CLUSTER = 'plans/create-cluster.ts';

suite('run create-cluster end to end: CodeLens, Runs view, hovers, trace commands', () => {
  // Leave no editors behind for the suites that follow.
  suiteTeardown(() => closeAllEditors());

  let good: RunSummary;

  suiteSetup(async () => {
    fastSamples();
    await openFile(CLUSTER);
  });

  test('Run This Plan runs it in a debug session; its spans reach the collector in VS Code', async () => {
    good = await runPlan(CLUSTER);
    assert.equal(good.plan, 'create-cluster');
    assert.equal(good.status, 'converged');
    assert.equal(good.passes, 2);
    assert.ok(good.spanCount > 15, `spans: ${good.spanCount}`);
  }, { timeout: 180_000 });

  test('CodeLens above the plan and each procedure carry measured durations', async () => {
    const s = await services();
    const uri = workspaceUri(CLUSTER);
    const titles = await waitForCodeLens(uri, /^converged in 2 passes · [\d.]+ (µs|ms|s)$/);
    assert.ok(titles.includes('▶ Run') && titles.includes('Debug'), JSON.stringify(titles));
    const doc = await vscode.workspace.openTextDocument(uri);
    const lenses = await codeLenses(uri);
    const at = (needle: string) => lenses.filter((l) => l.range.start.line === lineOfText(doc, needle)).map((l) => l.command?.title ?? '');
    for (const cls of ['class CreateSecurityGroup', 'class ConfigureIngress', 'class CreateInstances', 'class WaitForInstances', 'class RegisterClusterNodeToLb']) {
      const t = at(cls);
      assert.equal(t.length, 1, `${cls}: ${JSON.stringify(t)}`);
      assert.match(t[0]!, /^[\d.]+ (µs|ms|s)( · |$)/, `${cls}: ${t[0]}`);
    }
    const planClass = at('class CreateClusterPlan implements Plan');
    assert.deepEqual(planClass.slice(0, 2), ['▶ Run', 'Debug'], 'Run | Debug above the plan class');
    assert.match(planClass[2] ?? '', /^converged in 2 passes · /, 'the plan class shows its latest run');
    const lens = lenses.find((l) => l.range.start.line === lineOfText(doc, 'class RegisterClusterNodeToLb'))!;
    assert.equal(lens.command?.command, 'instrumentFirst.openTrace');
    assert.equal(lens.command?.arguments?.[0], good.traceId);
    console.log(`    [measure] activation ${s.metrics.activationMs.toFixed(2)} ms; CodeLens refresh after run ${s.metrics.lastCodeLensRefreshMs?.toFixed(2) ?? 'n/a'} ms (${good.spanCount} spans)`);
  }, { timeout: 40_000 });

  test('the Runs view lists the run, newest first, with passes and steps under it', async () => {
    const s = await services();
    const roots = (await s.runsView.getChildren()) as RunsNode[];
    const first = roots[0];
    assert.ok(first && first.kind === 'run', 'a run at the top');
    assert.equal(first.run.traceId, good.traceId);
    const item = s.runsView.getTreeItem(first);
    assert.equal(item.label, 'create-cluster');
    assert.match(String(item.description), /^converged in 2 passes/);
    assert.equal(item.contextValue, 'run.converged');
    const passes = (await s.runsView.getChildren(first)) as RunsNode[];
    assert.deepEqual(passes.map((p) => (p.kind === 'span' ? p.span.name : '')), ['pass 1', 'pass 2']);
    const steps = (await s.runsView.getChildren(passes[0])) as RunsNode[];
    const names = steps.map((p) => (p.kind === 'span' ? p.span.name : ''));
    assert.ok(names.includes('register_cluster_node_to_lb') && names.includes('create_instances'), JSON.stringify(names));
    const reg = steps.find((p) => p.kind === 'span' && p.span.name === 'register_cluster_node_to_lb')!;
    assert.match(String(s.runsView.getTreeItem(reg).description), /· 3 calls$/);
  });

  test('hover on a procedure lists its recent runs with durations, status and trace ids', async () => {
    const uri = workspaceUri(CLUSTER);
    const doc = await vscode.workspace.openTextDocument(uri);
    const texts = await hoverTexts(uri, new vscode.Position(lineOfText(doc, 'class RegisterClusterNodeToLb'), 8));
    const ours = texts.find((t) => t.includes('register\\_cluster\\_node\\_to\\_lb'));
    assert.ok(ours, JSON.stringify(texts));
    assert.ok(ours.includes(good.traceId), 'trace id in the hover');
    assert.match(ours, /\| [\d.]+ (µs|ms|s) \| ok \|/);
    const planHover = (await hoverTexts(uri, new vscode.Position(lineOfText(doc, 'const createCluster: Plan'), 8))).join('\n');
    assert.match(planHover, /converged in 2 passes/);
  });

  test('Open Trace shows the run; Compare with Previous Run shows the ELBv2 call missing in the faulty run', async () => {
    const s = await services();
    const spy = await spyViewer();
    try {
      await vscode.commands.executeCommand('instrumentFirst.openTrace', good.traceId);
      assert.deepEqual(spy.opened, [[good.traceId, undefined]]);
      // The text rendering (the viewer until the timeline took over; still served by its scheme).
      const text = await traceText(`/${good.traceId}.txt`);
      assert.match(text, /^plan create-cluster · converged in 2 passes/);
      assert.match(text, /register_cluster_node_to_lb .*3 calls/);
      const faulty = await runPlan(CLUSTER, 'createClusterFaulty');
      assert.equal(faulty.status, 'converged', 'the incident: the faulty run also "converges"');
      // The previous run of the same export; without one, the plan's other export (the good run).
      const earlierFaulty = s.data.runs().find((r) => r.exportName === 'createClusterFaulty' && r.traceId !== faulty.traceId && r.startMs < faulty.startMs);
      const pair = await vscode.commands.executeCommand<string[]>('instrumentFirst.compareWithPrevious', faulty.traceId);
      assert.deepEqual(pair, [earlierFaulty?.traceId ?? good.traceId, faulty.traceId]);
      assert.deepEqual(spy.compared, [[pair![0]!, faulty.traceId]]);
      const diff = await traceText(`/compare/${good.traceId}..${faulty.traceId}.txt`);
      assert.match(diff, /~ register_cluster_node_to_lb /);
      assert.match(diff, /ELBv2 RegisterTargets: 1 call\(s\) → 0/);
      // The faulty export's lens shows its own run.
      const lenses = await codeLenses(workspaceUri(CLUSTER));
      const doc = await vscode.workspace.openTextDocument(workspaceUri(CLUSTER));
      const faultyLens = lenses.find((l) => l.range.start.line === lineOfText(doc, 'export const createClusterFaulty') && l.command?.command === 'instrumentFirst.openTrace');
      assert.equal(faultyLens?.command?.arguments?.[0], faulty.traceId);
      assert.ok(s.data.runs().length >= 2);
    } finally {
      spy.dispose();
    }
  }, { timeout: 180_000 });

  test('Export as OTLP JSON, Copy Trace ID and Delete Run work on a Runs view item', async () => {
    const s = await services();
    const node = ((await s.runsView.getChildren()) as RunsNode[]).find((n) => n.kind === 'run' && n.run.traceId === good.traceId)!;
    const target = vscode.Uri.file(path.join(os.tmpdir(), `if-export-${Date.now()}.json`));
    await vscode.commands.executeCommand('instrumentFirst.exportOtlp', node, target);
    const text = readFileSync(target.fsPath, 'utf8');
    rmSync(target.fsPath, { force: true });
    const json = JSON.parse(text) as { resourceSpans: unknown[] };
    assert.ok(json.resourceSpans.length > 0);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.copyTraceId', node), good.traceId);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.deleteRun', node), true);
    assert.equal(s.collector.store?.run(good.traceId), undefined);
    await waitFor(async () => !((await s.runsView.getChildren()) as RunsNode[]).some((n) => n.kind === 'run' && n.run.traceId === good.traceId), { message: 'run gone from the view' });
  });
  test('a plain Run takes the runner started ahead while the plan was shown, and the next Run gets a new one', async () => {
    const s = await services();
    const uri = workspaceUri(CLUSTER);
    for (let round = 0; round < 2; round++) {
      // The warm-up starts a runner while a plan is shown; after a Run the pool starts the next one.
      await new Promise((r) => setTimeout(r, 1500));
      const ps = await s.runner.run({ uri, exportName: 'default' }, false);
      assert.ok(ps, 'the run started');
      await waitFor(() => ps.ended, { timeout: 120_000, message: 'the run to end' });
      assert.ok(ps.marks.prestarted !== undefined, `round ${round}: the run's process was the runner started ahead`);
      const run = await finishedRun(s, ps);
      assert.equal(run.status, 'converged', `round ${round}: a runner started ahead runs the plan as a new one would`);
    }
  }, { timeout: 180_000 });

  test('a plan edited and not saved is saved before it runs (the plain-run adapter saves; VS Code skips its own save and configuration reload)', async () => {
    const s = await services();
    const uri = workspaceUri(CLUSTER);
    const doc = await vscode.workspace.openTextDocument(uri);
    const stamp = `// saved before the run ${Date.now()}`;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.lineAt(doc.lineCount - 1).range.end, `\n${stamp}`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty, 'the plan has unsaved changes');
    try {
      const ps = await s.runner.run({ uri, exportName: 'default' }, false);
      assert.ok(ps, 'the run started');
      assert.equal(doc.isDirty, false, 'saved by the time the run started');
      assert.ok(readFileSync(uri.fsPath, 'utf8').includes(stamp), 'the file on disk has the edit');
      await waitFor(() => ps.ended, { timeout: 120_000, message: 'the run to end' });
    } finally {
      const undo = new vscode.WorkspaceEdit();
      const line = lineOfText(doc, stamp);
      undo.delete(uri, new vscode.Range(doc.lineAt(line - 1).range.end, doc.lineAt(line).range.end));
      await vscode.workspace.applyEdit(undo);
      await doc.save();
    }
  }, { timeout: 180_000 });
});
