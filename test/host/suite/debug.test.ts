import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, nextEvent, openFile, waitFor, workspaceUri } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { fastSamples, lineOfText, services } from './planRuns';

interface Stopped {
  session: vscode.DebugSession;
  threadId: number;
  reason: string;
}

suite('debug a plan: breakpoints in its .ts files bind and hit', () => {
  const stops: Stopped[] = [];
  let tracker: vscode.Disposable | undefined;

  suiteSetup(() => {
    fastSamples();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
          if (m.type === 'event' && m.event === 'stopped') stops.push({ session, threadId: m.body?.threadId ?? 0, reason: m.body?.reason ?? '' });
        },
      }),
    });
  });

  suiteTeardown(async () => {
    await closeAllEditors();
    tracker?.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  test('a breakpoint set through the API in Pay.do() stops the session on that line', async () => {
    const s = await services();
    const editor = await openFile('plans/checkout.ts');
    const line = lineOfText(editor.document, 'this.order.paid = true;');
    const bp = new vscode.SourceBreakpoint(new vscode.Location(editor.document.uri, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([bp]);
    const ps = await s.runner.run({ uri: workspaceUri('plans/checkout.ts'), exportName: 'default' }, true);
    assert.ok(ps, 'debug session started');
    const stop = await waitFor(() => stops.find((x) => x.reason === 'breakpoint'), { timeout: 110_000, message: 'a stop on the breakpoint' });
    const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 })) as {
      stackFrames: Array<{ line: number; source?: { path?: string; name?: string } }>;
    };
    const top = trace.stackFrames[0];
    assert.ok(top, 'a top frame');
    assert.equal(top.line, line + 1, `stopped at line ${top.line} of ${top.source?.path}`);
    assert.ok((top.source?.path ?? '').endsWith('checkout.ts'), `source ${top.source?.path}`);
    console.log(`    [debug] stopped on ${top.source?.path}:${top.line} (${stop.reason})`);
    vscode.debug.removeBreakpoints([bp]);
    const ended = nextEvent(vscode.debug.onDidTerminateDebugSession, (e) => e === ps.session, 60_000);
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    await ended;
    // The run continued to the end and converged.
    await waitFor(() => {
      const id = ps.traceIds[ps.traceIds.length - 1];
      return id && s.collector.store?.run(id)?.status === 'converged';
    }, { timeout: 30_000, message: 'the debugged run converged' });
  }, { timeout: 180_000 });

  test('any Node program launched with the instrument-first type sends its spans to the collector here', async () => {
    const s = await services();
    const traceId = 'ab'.repeat(16);
    const program = path.join(os.tmpdir(), `if-traced-program-${Date.now()}.js`);
    // A stand-in for an OTel-instrumented program: it posts one span to the standard endpoint.
    writeFileSync(
      program,
      `const ns = String(Date.now()) + '000000';
fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: process.env.OTEL_SERVICE_NAME } }] },
    scopeSpans: [{ spans: [{ traceId: '${traceId}', spanId: '0123456789abcdef', name: 'GET /orders', kind: 2, startTimeUnixNano: ns, endTimeUnixNano: ns, status: {} }] }] }] }) })
  .then((r) => console.log('exported', r.status));
`,
    );
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'instrument-first',
      request: 'launch',
      name: 'traced program',
      program,
      env: { OTEL_SERVICE_NAME: 'orders-api' },
    });
    assert.ok(ok);
    const run = await waitFor(() => s.collector.store?.run(traceId), { timeout: 60_000, message: 'the program span in the collector' }).finally(() => rmSync(program, { force: true }));
    assert.equal(run.kind, 'trace');
    assert.equal(run.plan, 'GET /orders');
    assert.equal(run.serviceName, 'orders-api');
  }, { timeout: 180_000 });
});
