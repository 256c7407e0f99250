import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { fastSamples, runPlan, services, spyViewer, traceText } from './planRuns';

suite('trace ids are links', () => {
  // Leave no editors behind for the suites that follow.
  suiteTeardown(() => closeAllEditors());

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
    assert.equal(link.target?.path, 'instrumentFirst.openTraceById');
    const args = JSON.parse(decodeURIComponent(link.target?.query ?? '')) as string[];
    assert.deepEqual(args, [traceId]);
    const spy = await spyViewer();
    try {
      await vscode.commands.executeCommand(link.target!.path, ...args);
      assert.deepEqual(spy.opened, [[traceId, undefined]]);
    } finally {
      spy.dispose();
    }
  });

  test('Open Trace by ID accepts a pasted traceparent; a bad id is refused', async () => {
    const spy = await spyViewer();
    try {
      const opened = await vscode.commands.executeCommand<string>('instrumentFirst.openTraceById', `00-${traceId}-00f067aa0ba902b7-01`);
      assert.equal(opened, traceId);
      assert.deepEqual(spy.opened, [[traceId, undefined]]);
    } finally {
      spy.dispose();
    }
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.openTraceById', 'not-a-trace'), undefined);
  });

  test('a vscode URI …/trace/<id> (what runs may print next to a trace id) opens that run', async () => {
    // VS Code routes such URIs to the extension's UriHandler (code-server's browser page cannot be
    // made to open one without a dialog, so the handler is called as VS Code would call it).
    const s = await services();
    const ext = vscode.extensions.getExtension('instrument-first.instrument-first')!;
    const uri = vscode.Uri.parse(`${vscode.env.uriScheme}://${ext.id}/trace/${traceId}`);
    const spy = await spyViewer();
    try {
      await s.uriHandler.handleUri(uri);
      assert.deepEqual(spy.opened, [[traceId, undefined]]);
    } finally {
      spy.dispose();
    }
  });

  test('the text rendering of a run links its trace id too', async () => {
    const text = await traceText(`/${traceId}.txt`);
    assert.match(text, new RegExp(`^trace ${traceId}`, 'm'));
    const uri = vscode.Uri.from({ scheme: 'instrument-first-trace', path: `/${traceId}.txt` });
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', uri);
    assert.ok(links.some((l) => l.target?.path === 'instrumentFirst.openTraceById'));
  });

  test('trace ids printed by plan runs (debug console) are remembered for Open Trace by ID', async () => {
    const s = await services();
    assert.ok(s.sessions.recentTraceIds().length > 0);
  });
});
