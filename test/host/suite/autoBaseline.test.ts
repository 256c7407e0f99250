import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunDiff } from '../../../src/protocol/collectorTypes';
import { codeLenses, openFile, waitFor, workspaceUri } from './helpers';
import { suite, test } from './harness';
import { fastSamples, runPlan, services } from './planRuns';

const PLAN = 'plans/create-cluster.ts';
const SOURCE = 'instrument-first baseline';

/** The lens titles on the line of a plan's export. */
async function lensesAt(uri: vscode.Uri, line: number): Promise<vscode.CodeLens[]> {
  return (await codeLenses(uri)).filter((l) => l.range.start.line === line && l.command?.title.startsWith('baseline'));
}

function lineOfText(doc: vscode.TextDocument, re: RegExp, from = 0): number {
  for (let i = from; i < doc.lineCount; i++) if (re.test(doc.lineAt(i).text)) return i;
  throw new Error(`${String(re)} not in ${doc.uri.fsPath} after line ${from}`);
}

suite('baselines: each run from the editor is checked against its baseline', () => {
  test('createClusterFaulty run from the editor: lens counts the differences, a diagnostic at register_cluster_node_to_lb\'s do(), the compare opens; a good run clears it', async () => {
    fastSamples();
    const uri = workspaceUri(PLAN);
    const doc = (await openFile(PLAN)).document;
    const faultyLine = lineOfText(doc, /export const createClusterFaulty\b/);
    const registerDo = lineOfText(doc, /^\s*(?:override\s+)?async do\(/, lineOfText(doc, /class RegisterClusterNodeToLb\b/));

    const faulty = await runPlan(PLAN, 'createClusterFaulty');
    const lens = await waitFor(async () => (await lensesAt(uri, faultyLine)).find((l) => /^baseline: \d+ differences?$/.test(l.command!.title)), {
      timeout: 30_000,
      message: 'the baseline lens on createClusterFaulty',
    });
    const diagnostics = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
      return found.length ? found : undefined;
    }, { timeout: 10_000, message: 'baseline diagnostics in create-cluster.ts' });
    const n = Number(/^baseline: (\d+)/.exec(lens.command!.title)![1]);
    assert.equal(diagnostics.length, n, `one diagnostic per difference: ${diagnostics.map((d) => d.message).join(' | ')}`);
    assert.match(String(lens.command!.tooltip), /shape only/);
    assert.match(String(lens.command!.tooltip), /Durations are not judged on a single run/);
    const missing = diagnostics.find((d) => d.message === 'baseline: pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0 [createClusterFaulty]');
    assert.ok(missing, diagnostics.map((d) => d.message).join('\n'));
    assert.equal(missing.range.start.line, registerDo, `on the step's do() line: ${doc.lineAt(missing.range.start.line).text}`);
    assert.equal(missing.severity, vscode.DiagnosticSeverity.Warning);

    // The diagnostic's code action opens the compare with the baseline, for this run.
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, missing.range)) ?? [];
    const compare = actions.find((a) => a.command?.command === 'instrumentFirst.compareWithBaseline');
    assert.ok(compare, `actions: ${actions.map((a) => a.title).join(', ')}`);
    const diff = await vscode.commands.executeCommand<RunDiff>(compare.command!.command, ...(compare.command!.arguments ?? []));
    assert.equal(diff.a.traceId, 'baseline');
    assert.match(diff.a.plan, /^baseline: create-cluster \(plans\/create-cluster\.baseline\.json, median of 5 runs\)$/);
    assert.equal(diff.b.traceId, faulty.traceId);
    const step = diff.changed.find((d) => d.procedureId === 'register_cluster_node_to_lb');
    assert.deepEqual(step?.calls.find((c) => c.name === 'ELBv2 RegisterTargets'), { name: 'ELBv2 RegisterTargets', countA: 1, countB: 0 });

    // The good plan against the same baseline: passes, and the faulty run's diagnostics go away.
    await runPlan(PLAN, 'default');
    const good = await waitFor(async () => (await codeLenses(uri)).find((l) => l.command?.title === 'baseline ✓'), { timeout: 30_000, message: 'baseline ✓ on the default export' });
    assert.notEqual(good.range.start.line, faultyLine);
    assert.deepEqual(good.command!.arguments?.slice(1), ['default']);
    await waitFor(() => vscode.languages.getDiagnostics(uri).every((d) => d.source !== SOURCE), { timeout: 10_000, message: 'the baseline diagnostics cleared' });
    // The faulty export's lens still tells about its own latest run.
    assert.ok((await lensesAt(uri, faultyLine)).some((l) => l.command!.title === lens.command!.title));
  }, { timeout: 240_000 });
});

suite('baselines: the Test Explorer\'s Debug profile', () => {
  test('the Debug profile runs the plan under the debugger (not noDebug), then checks it', async () => {
    fastSamples();
    const s = await services();
    const ids = await s.baselines.refresh();
    assert.ok(ids.length >= 2);
    const started: vscode.DebugSession[] = [];
    const listen = vscode.debug.onDidStartDebugSession((d) => {
      if (typeof d.configuration.__instrumentFirstPlan === 'string') started.push(d);
    });
    try {
      const profile = s.baselines.addedProfile(vscode.TestRunProfileKind.Debug)!;
      assert.equal(profile.label, 'Debug plan, then check shape against baseline');
      const item = s.baselines.item(ids.find((f) => f.endsWith('create-cluster.baseline.json'))!)!;
      // As the Test Explorer's debug button runs it.
      await profile.runHandler(new vscode.TestRunRequest([item], undefined, profile), new vscode.CancellationTokenSource().token);
      assert.ok(started.length >= 1, 'the handler resolves after the debugged run');
      await waitFor(() => started.length >= 1, { timeout: 1_000, message: `a debug session per baseline (started: ${started.map((d) => d.name).join(', ')})` });
      for (const d of started) {
        assert.match(d.name, /^Debug /, 'the session is named after the plan');
        assert.notEqual(d.configuration.noDebug, true);
      }
      // Each debugged run is checked: the good plans match their baselines.
      const uri = workspaceUri(PLAN);
      await openFile(PLAN);
      await waitFor(async () => (await codeLenses(uri)).some((l) => l.command?.title === 'baseline ✓'), { timeout: 60_000, message: 'baseline ✓ after the debugged run' });
    } finally {
      listen.dispose();
    }
  }, { timeout: 240_000 });
});
