import * as assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceRoot } from './helpers';
import { suite, test } from './harness';
import type { Services } from '../../../src/vscode/services';

async function services(): Promise<Services> {
  return (await activateExtension()).exports as Services;
}

suite('baselines: plans with a baseline in the Test Explorer (VS Code Testing API)', () => {
  test('every committed baseline of the sample is a test of its plan', async () => {
    const s = await services();
    const ids = await s.baselines.refresh();
    assert.deepEqual(ids.map((f) => basename(f)), ['checkout.baseline.json', 'create-cluster.baseline.json']);
  });

  test('checking the good plan passes; the faulty export fails at register_cluster_node_to_lb with expected and actual', async () => {
    const s = await services();
    const root = workspaceRoot().fsPath;
    // The CLI the check spawns inherits the extension host's environment: a fast sample world.
    process.env.SAMPLE_TIME_SCALE = '0.02';
    const good = await s.baselines.check(join(root, 'plans', 'create-cluster.baseline.json'));
    assert.equal(good.passed, true, JSON.stringify(good.messages));
    assert.equal(good.plan, 'create-cluster');
    assert.equal(good.traceIds.length, 3);

    // A baseline for the faulty export made from the good one: its check must fail.
    const faulty = join(root, 'plans', 'create-cluster.createClusterFaulty.baseline.json');
    const text = readFileSync(join(root, 'plans', 'create-cluster.baseline.json'), 'utf8').replace('"export": "default"', '"export": "createClusterFaulty"');
    writeFileSync(faulty, text);
    try {
      // The file watcher lists it.
      await waitFor(async () => (await s.baselines.refresh()).includes(faulty), { timeout: 10_000 });
      // As the Test Explorer runs it: a test run over the item, failed with messages at the step.
      const item = s.baselines.item(faulty)!;
      const verdicts = await s.baselines.runItems(new vscode.TestRunRequest([item]), [item], new vscode.CancellationTokenSource().token);
      const verdict = verdicts.get(faulty)!;
      assert.equal(verdict.state, 'failed');
      const shown = verdict.messages.find((m) => String(m.message).includes('ELBv2 RegisterTargets: expected 1 call, got 0'))!;
      assert.equal(shown.expectedOutput, '1');
      assert.equal(shown.actualOutput, '0');
      assert.equal(shown.location!.uri.fsPath, join(root, 'plans', 'create-cluster.ts'));
      const bad = await s.baselines.check(faulty);
      assert.equal(bad.passed, false);
      const missing = bad.messages.find((m) => m.message === 'pass 1 · register_cluster_node_to_lb: ELBv2 RegisterTargets: expected 1 call, got 0');
      assert.ok(missing, JSON.stringify(bad.messages));
      assert.equal(missing.expected, '1');
      assert.equal(missing.actual, '0');
      assert.equal(missing.file, join(root, 'plans', 'create-cluster.ts'));
      const doc = await vscode.workspace.openTextDocument(missing.file);
      assert.match(doc.lineAt(missing.line).text, /class RegisterClusterNodeToLb/, 'the message sits at the step\'s code');
    } finally {
      rmSync(faulty, { force: true });
    }
  });

  test('record and update commands are registered and write a baseline', async () => {
    const s = await services();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('instrumentFirst.recordBaseline'));
    assert.ok(commands.includes('instrumentFirst.updateBaseline'));
    const root = workspaceRoot().fsPath;
    const out = join(root, 'plans', 'checkout.checkoutRelease2.baseline.json');
    try {
      const said = (await vscode.commands.executeCommand('instrumentFirst.recordBaseline', vscode.Uri.file(join(root, 'plans', 'checkout.ts')), 'checkoutRelease2')) as string;
      assert.match(said, /^recorded .*checkout\.checkoutRelease2\.baseline\.json from 5 runs of checkout/);
      const saved = JSON.parse(readFileSync(out, 'utf8')) as { export: string; passes: Array<{ steps: Array<{ key: string }> }> };
      assert.equal(saved.export, 'checkoutRelease2');
      assert.ok(saved.passes[0]!.steps.some((st) => st.key === 'additionalMarkUp#0'));
      const updated = (await vscode.commands.executeCommand('instrumentFirst.updateBaseline', out)) as string;
      assert.match(updated, /shape unchanged/);
      assert.ok((await s.baselines.refresh()).includes(out));
    } finally {
      rmSync(out, { force: true });
    }
  });
});
