import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { withCollector } from '../collector/helpers';
import { fixture } from '../imports/helpers';
import { fakeBackend, send } from '../backends/fakeBackend';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');
const ID = '000000000000009600000000000000a0';

function cli(args: string[]): Promise<Ran> {
  return runNode([CLI, ...args], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: '', INSTRUMENT_FIRST_BACKENDS: '', NO_COLOR: '1' } });
}

test('fetch and show --backend pull a trace from Jaeger when the collector lacks it; fetch --collector stores it there', async () => {
  const jaeger = await fakeBackend({
    [`/api/v3/traces/${ID}`]: (req, res) => (req.headers.authorization === 'Bearer t0k' ? send(200, fixture('jaeger-v3-GetTrace.json'))(req, res) : send(401, '{"error":{"httpCode":401,"message":"unauthorized"}}')(req, res)),
    '/api/v3/traces/': send(404, '{"error":{"httpCode":404,"message":"trace not found"}}'),
  });
  try {
    const denied = await cli(['fetch', ID, '--backend', `jaeger=${jaeger.url}`]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /refused the request \(HTTP 401: unauthorized\)/);
    const missing = await cli(['fetch', 'trace_id:d572232a8fed45fa', '--backend', `jaeger=${jaeger.url}`, '--token', 't0k']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /trace 0000000000000000d572232a8fed45fa is not in Jaeger/);
    await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
      const shown = await cli(['show', ID, '--collector', endpoint, '--backend', `jaeger=${jaeger.url}`, '--token', 't0k']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /foobar/);
      assert.match(shown.stdout, /from jaeger 127\.0\.0\.1:\d+ \(http:\/\/127\.0\.0\.1:\d+\/api\/v3\/traces\/0+9600000000000000a0\)/);
      assert.equal(c.store.run(ID), undefined, 'show does not store');
      const fetched = await cli(['fetch', ID, '--backend', `jaeger=${jaeger.url}`, '--token', 't0k', '--collector', endpoint]);
      assert.equal(fetched.code, 0, fetched.stderr);
      c.store.flushChanges();
      const [span] = c.store.trace(ID);
      assert.equal(span?.name, 'foobar');
      assert.match(String(span?.attributes['instrument_first.remote.origin']), /^jaeger 127\.0\.0\.1:\d+ http:\/\/127/);
      const local = await cli(['show', ID, '--collector', endpoint, '--backend', 'jaeger=http://127.0.0.1:1']);
      assert.equal(local.code, 0, 'now found locally, the backend is not asked');
      assert.doesNotMatch(local.stdout, /^from /m);
    });
  } finally {
    await jaeger.close();
  }
});
