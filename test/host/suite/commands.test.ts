import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeLensTitles, openFile, waitFor, workspaceUri } from './helpers';
import { suite, suiteTeardown, test } from './harness';
import { fastSamples, services } from './planRuns';

interface Manifest {
  contributes: { commands: Array<{ command: string; category?: string }>; debuggers: Array<{ type: string }>; configuration: { properties: Record<string, { markdownDescription?: string }> } };
}

suite('commands, settings and activation', () => {
  // Leave no editors behind for the suites that follow.
  suiteTeardown(() => closeAllEditors());

  test('every contributed command is registered, in the "Instrument First" category', async () => {
    const ext = vscode.extensions.getExtension('instrument-first.instrument-first')!;
    await ext.activate();
    const pkg = ext.packageJSON as Manifest;
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of pkg.contributes.commands) {
      assert.ok(all.has(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'Instrument First');
    }
    for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) assert.ok(p.markdownDescription, `${key} has a description`);
    assert.equal(pkg.contributes.debuggers[0]?.type, 'instrument-first');
  });

  test('activation did only cheap work: no collector yet unless something needed it', async () => {
    const s = await services();
    console.log(`    [measure] activation (own work) ${s.metrics.activationMs.toFixed(2)} ms`);
    assert.ok(s.metrics.activationMs > 0);
  });

  test('Start Collector and Copy Collector Endpoint give the loopback endpoint', async () => {
    const endpoint = await vscode.commands.executeCommand<string>('instrumentFirst.startCollector');
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.copyEndpoint'), endpoint);
    const res = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    assert.equal(res.status, 200);
  });

  test('Show Runs and Refresh Procedures run; the Procedures view lists the sample procedures', async () => {
    const s = await services();
    await vscode.commands.executeCommand('instrumentFirst.showRuns');
    await vscode.commands.executeCommand('instrumentFirst.refreshProcedures');
    const files = await s.proceduresView.getChildren();
    const procs = (await Promise.all(files.map((f) => s.proceduresView.getChildren(f)))).flat();
    const labels = procs.map((p) => String(s.proceduresView.getTreeItem(p).label));
    for (const name of ['RegisterClusterNodeToLb', 'ConfigureEgress', 'BrowseCatalog', 'additionalMarkUp']) assert.ok(labels.includes(name), `${name} in ${JSON.stringify(labels)}`);
    const item = s.proceduresView.getTreeItem(procs.find((p) => s.proceduresView.getTreeItem(p).label === 'ConfigureEgress')!);
    assert.equal(item.command?.command, 'instrumentFirst.goToProcedure');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.path.endsWith('create-cluster.ts') && vscode.window.activeTextEditor.selection.active.line > 0);
  });

  test('inline mode: decorations instead of CodeLens, and back', async () => {
    const uri = workspaceUri('plans/checkout.ts');
    await openFile('plans/checkout.ts');
    assert.ok((await codeLensTitles(uri)).includes('▶ Run'));
    await vscode.commands.executeCommand('instrumentFirst.toggleInlineMode', 'decorations');
    await waitFor(async () => !(await codeLensTitles(uri)).includes('▶ Run'), { message: 'no CodeLens in decorations mode' });
    await vscode.commands.executeCommand('instrumentFirst.toggleInlineMode', 'codelens');
    await waitFor(async () => (await codeLensTitles(uri)).includes('▶ Run'), { message: 'CodeLens back' });
  });

  test('Stop Plan ends a running plan; Rerun Last Plan runs it again', async () => {
    const s = await services();
    process.env.SAMPLE_TIME_SCALE = '5'; // slow enough to be stopped mid-run
    try {
      const ps = await s.runner.run({ uri: workspaceUri('plans/create-cluster.ts'), exportName: 'default' }, false);
      assert.ok(ps);
      await waitFor(() => ps.session && s.sessions.active().includes(ps), { timeout: 30_000, message: 'the plan session running' });
      const stoppedAt = Date.now();
      await vscode.commands.executeCommand('instrumentFirst.stopPlan');
      await waitFor(() => ps.ended, { timeout: 20_000, message: 'the stopped session to end' });
      console.log(`    [stop] session ended ${Date.now() - stoppedAt} ms after Stop Plan`);
    } finally {
      fastSamples();
    }
    const again = await vscode.commands.executeCommand<{ plan?: string; exportName: string; ended: boolean } | undefined>('instrumentFirst.rerunLast');
    if (!again) throw new Error('Rerun Last Plan started nothing');
    assert.ok(again.plan?.endsWith('create-cluster.ts'));
    assert.equal(again.exportName, 'default');
    await waitFor(() => again.ended, { timeout: 60_000, message: 'the rerun to end' });
  }, { timeout: 120_000 });

  test('F5-style: an "instrument-first" launch configuration resolves to a Node launch of the runner', async () => {
    const s = await services();
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'instrument-first',
      request: 'launch',
      name: 'checkout (release 2)',
      plan: '${workspaceFolder}/plans/checkout.ts',
      export: 'checkoutRelease2',
    }, { noDebug: true });
    assert.ok(ok);
    await waitFor(() => s.data.runs().some((r) => r.plan === 'checkout' && r.status === 'converged' && r.spanCount > 0 && s.collector.store?.trace(r.traceId).some((x) => x.name === 'additionalMarkUp')), {
      timeout: 60_000,
      message: 'a checkout release 2 run with additionalMarkUp',
    });
  }, { timeout: 180_000 });
});
