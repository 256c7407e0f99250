import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './helpers';
import { suite, suiteSetup, test } from './harness';
import { fastSamples, runPlan, services } from './planRuns';

suite('trace ids are links', () => {
  let traceId = '';

  suiteSetup(async () => {
    fastSamples();
    const s = await services();
    traceId = s.data.runs().find((r) => r.status === 'converged')?.traceId ?? (await runPlan('plans/checkout.ts')).traceId;
  });

  test('a trace id printed in a log or plain-text document is a link that opens the trace', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: `12:00:01 info planned steps=4 trace_id=${traceId}\nnothing here 1234\n` });
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    const ours = links.filter((l) => l.target?.scheme === 'command');
    assert.equal(ours.length, 1, JSON.stringify(links.map((l) => l.target?.toString())));
    const link = ours[0]!;
    assert.equal(doc.getText(link.range), traceId);
    assert.equal(link.target?.path, 'instrumentFirst.openTrace');
    const args = JSON.parse(decodeURIComponent(link.target?.query ?? '')) as string[];
    assert.deepEqual(args, [traceId]);
    await vscode.commands.executeCommand(link.target!.path, ...args);
    const opened = await waitFor(() => vscode.window.activeTextEditor?.document.uri.path === `/${traceId}.txt` && vscode.window.activeTextEditor.document);
    assert.match(opened.getText(), new RegExp(`^trace ${traceId}`, 'm'));
  });

  test('Open Trace by ID accepts a pasted traceparent; a bad id is refused', async () => {
    const opened = await vscode.commands.executeCommand<string>('instrumentFirst.openTraceById', `00-${traceId}-00f067aa0ba902b7-01`);
    assert.equal(opened, traceId);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.openTraceById', 'not-a-trace'), undefined);
  });

  test('trace ids printed by plan runs (debug console) are remembered for Open Trace by ID', async () => {
    const s = await services();
    assert.ok(s.sessions.recentTraceIds().length > 0);
  });
});
