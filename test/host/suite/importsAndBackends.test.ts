import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { REMOTE_ORIGIN_ATTR } from '../../../src/collector/backends';
import { fakeBackend, send } from '../../unit/backends/fakeBackend';
import { closeAllEditors, EXTENSION_ID, waitFor } from './helpers';
import { suite, suiteTeardown, test } from './harness';
import { services, spyViewer } from './planRuns';

function fixtureUri(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'test/fixtures/imports', name);
}

async function setBackends(value: unknown[] | undefined): Promise<void> {
  const s = await services();
  await vscode.workspace.getConfiguration('instrumentFirst').update('backends', value, vscode.ConfigurationTarget.Global);
  await waitFor(() => s.config.settings.backends.length === (value?.length ?? 0), { message: 'the backends setting to apply' });
}

suite('imports and the team backend', () => {
  suiteTeardown(async () => {
    await setBackends(undefined);
    await closeAllEditors();
  });

  test('Import Traces… stores a Jaeger download and a Zipkin file and opens the first trace; a bad file stores nothing', async () => {
    const s = await services();
    const spy = await spyViewer();
    try {
      const ids = await vscode.commands.executeCommand<string[]>('instrumentFirst.importTraces', [fixtureUri('jaeger-ui-otlp2jaeger-out.json'), fixtureUri('zipkin-ascend.json')]);
      assert.deepEqual(ids, ['83a9efd15c1c98a977e0711cc93ee28b', '0000000000000000ef86c83c0a05a6d6']);
      assert.deepEqual(spy.opened, [['83a9efd15c1c98a977e0711cc93ee28b', undefined]]);
      assert.equal(s.collector.store?.trace('0000000000000000ef86c83c0a05a6d6').length, 8);
      const before = s.collector.store!.stats().spans;
      const none = await vscode.commands.executeCommand<string[]>('instrumentFirst.importTraces', [fixtureUri('README.md')]);
      assert.deepEqual(none, []);
      assert.equal(s.collector.store!.stats().spans, before);
    } finally {
      spy.dispose();
    }
  });

  test('Open Trace by ID: not local, so the configured Jaeger is asked (token from secret storage); the trace is stored marked remote and opened', async () => {
    const id = '000000000000009600000000000000a0';
    const { readFile } = await import('node:fs/promises');
    const answer = await readFile(fixtureUri('jaeger-v3-GetTrace.json').fsPath, 'utf8');
    const jaeger = await fakeBackend({
      [`/api/v3/traces/${id}`]: (req, res) => (req.headers.authorization === 'Bearer host-t0ken' ? send(200, answer)(req, res) : send(401, '{"error":{"message":"no"}}')(req, res)),
      '/api/v3/traces/': send(404, '{"error":{"httpCode":404,"message":"trace not found"}}'),
    });
    const s = await services();
    const spy = await spyViewer();
    try {
      await setBackends([{ name: 'team-jaeger', type: 'jaeger', url: jaeger.url }]);
      assert.equal(await vscode.commands.executeCommand('instrumentFirst.setBackendToken', 'team-jaeger', 'host-t0ken'), true);
      assert.equal(s.collector.store?.run(id), undefined);
      const opened = await vscode.commands.executeCommand<string>('instrumentFirst.openTraceById', `trace_id:${id}`);
      assert.equal(opened, id);
      assert.deepEqual(spy.opened, [[id, undefined]]);
      const [span] = s.collector.store!.trace(id);
      assert.equal(span?.name, 'foobar');
      assert.equal(span?.attributes[REMOTE_ORIGIN_ATTR], `team-jaeger ${jaeger.url}/api/v3/traces/${id}`);
      assert.equal(s.remote.originOf(id)?.backend, 'team-jaeger');
      const missing = await vscode.commands.executeCommand<string | undefined>('instrumentFirst.openTraceById', 'trace_id:d572232a8fed45fa');
      assert.equal(missing, undefined, 'not in Jaeger: a warning, nothing opened');
      assert.equal(spy.opened.length, 1);
      assert.equal(jaeger.requests.at(-1)?.url, '/api/v3/traces/0000000000000000d572232a8fed45fa');
    } finally {
      spy.dispose();
      await jaeger.close();
    }
  });

  test('a trace_id:<16 hex digits> in a log document links to Open Trace by ID', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'log', content: 'ERROR checkout failed trace_id:d572232a8fed45fa span 00f067aa0ba902b7\n' });
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    const ours = links.filter((l) => l.target?.scheme === 'command');
    assert.equal(ours.length, 1);
    assert.equal(doc.getText(ours[0]!.range), 'd572232a8fed45fa');
    assert.equal(ours[0]!.target?.path, 'instrumentFirst.openTraceById');
    assert.deepEqual(JSON.parse(decodeURIComponent(ours[0]!.target?.query ?? '')), ['0000000000000000d572232a8fed45fa']);
  });
});
