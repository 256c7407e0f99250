import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, nextEvent } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { fastSamples, runPlan, runToEnd, services } from './planRuns';

suite('bad plan files: a clear notification with file and line; the extension keeps its data', () => {
  // Leave no editors behind for the suites that follow.
  suiteTeardown(() => closeAllEditors());

  suiteSetup(async () => {
    fastSamples();
    const s = await services();
    if (!s.data.runs().some((r) => r.status === 'converged')) await runPlan('plans/checkout.ts');
  });

  async function errorOf(file: string): Promise<string> {
    const s = await services();
    const shown = nextEvent(s.runner.onDidShowError, (e) => e.session.plan?.endsWith(file) === true, 60_000);
    await runToEnd(file);
    return (await shown).message;
  }

  for (const [file, expected] of [
    ['broken/syntax-error.ts', /^Instrument First: broken\/syntax-error\.ts:\d+(:\d+)?: syntax error: /],
    ['broken/no-plan.ts', /^Instrument First: broken\/no-plan\.ts: no plan exported/],
    ['broken/create-throws.ts', /^Instrument First: broken\/create-throws\.ts:\d+: create\(\) of plan "create-throws" failed in pass 1: inventory service unreachable/],
  ] as const) {
    test(`${file}`, async () => {
      const s = await services();
      const before = s.data.runs().filter((r) => r.status !== 'running').map((r) => r.traceId);
      const message = await errorOf(file);
      assert.match(message, expected);
      const ext = vscode.extensions.getExtension('instrument-first.instrument-first');
      assert.equal(ext?.isActive, true);
      const after = new Set(s.data.runs().map((r) => r.traceId));
      assert.ok(before.every((id) => after.has(id)), 'earlier runs are still there');
      assert.ok(s.collector.running, 'the collector still runs');
    }, { timeout: 180_000 });
  }
});
