import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collector } from '../../../src/collector';
import { isLoopbackHost } from '../../../src/collector/ingest/requestGuards';
import { httpRequest, jsonRequest, spanIdOf, traceIdOf, withCollector, T0 } from './helpers';

const body = jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'x', startMs: T0, endMs: T0 + 1 }]);

test('listens on 127.0.0.1 only, on a random port by default', async () => {
  const c = new Collector({ port: 0 });
  const { endpoint } = await c.start();
  try {
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(endpoint).port, '0');
  } finally {
    await c.stop();
  }
});

test('loopback Host check (DNS rebinding)', () => {
  for (const ok of ['127.0.0.1', '127.0.0.1:4318', 'localhost:1', '[::1]:80', 'LOCALHOST', 'app.localhost:3', '127.1.2.3']) assert.ok(isLoopbackHost(ok), ok);
  for (const bad of ['evil.com', 'evil.com:4318', '127.0.0.1.evil.com', '10.0.0.1', 'localhost.evil.com', '', '[::2]', 'a b']) assert.equal(isLoopbackHost(bad), false, bad);
});

test('refuses a foreign Host or a browser Origin that is not allowed, storing nothing', async () => {
  await withCollector({ allowedOrigins: ['vscode-webview://abc'] }, async (c, endpoint) => {
    const post = (headers: Record<string, string>) =>
      httpRequest(endpoint, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    assert.equal((await post({ host: 'attacker.example:4318' })).status, 403);
    assert.equal((await post({ origin: 'https://attacker.example' })).status, 403);
    assert.equal((await post({ origin: 'null' })).status, 403);
    assert.equal((await httpRequest(endpoint, '/api/runs', { headers: { origin: 'https://attacker.example' } })).status, 403);
    assert.equal((await httpRequest(endpoint, '/api/runs', { headers: { host: 'rebind.example' } })).status, 403);
    assert.equal(c.store.stats().spans, 0);
    const allowed = await post({ origin: 'vscode-webview://abc' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], 'vscode-webview://abc');
    assert.equal((await post({ host: `localhost:${new URL(endpoint).port}` })).status, 200);
    assert.equal(c.store.stats().spans, 1);
  });
});
