import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError, fetchFromBackends, fetchTrace, parseBackendSpec, readBackendConfig, REMOTE_ORIGIN_ATTR, storeFetchedTrace, type BackendConfig } from '../../../src/collector/backends';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { fixture } from '../imports/helpers';
import { len, protoRequest, protoSpan } from '../collector/protoWriter';
import { fakeBackend, hang, send } from './fakeBackend';

const JAEGER_ID = '000000000000009600000000000000a0';
const TEMPO_ID = '5b8efff798038103d269b633813fc700';

function backend(spec: string, extra: Partial<BackendConfig> = {}): BackendConfig {
  const b = parseBackendSpec(spec);
  assert.equal(typeof b, 'object', String(b));
  return { ...(b as BackendConfig), ...extra };
}

async function failure(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BackendError, String(e));
    return e;
  }
  assert.fail('expected a BackendError');
}

test("Jaeger API v3: the answer from Jaeger's own snapshot is stored, marked with where it came from", async () => {
  const jaeger = await fakeBackend({
    [`/api/v3/traces/${JAEGER_ID}`]: send(200, fixture('jaeger-v3-GetTrace.json')),
    '/api/v3/traces/': send(404, JSON.stringify({ error: { httpCode: 404, message: 'trace not found' } })),
  });
  try {
    const b = backend(`jaeger=${jaeger.url}`, { name: 'prod' });
    const fetched = await fetchTrace(b, JAEGER_ID);
    const store = new SpanStore();
    const r = storeFetchedTrace(store, fetched);
    assert.deepEqual(r.traceIds, [JAEGER_ID]);
    const [span] = store.trace(JAEGER_ID);
    assert.equal(span!.name, 'foobar');
    assert.equal(span!.status, 'error');
    assert.equal(span!.attributes[REMOTE_ORIGIN_ATTR], `prod ${jaeger.url}/api/v3/traces/${JAEGER_ID}`);
    assert.equal(jaeger.requests[0]!.headers.accept, 'application/json');
    store.dispose();
    const e = await failure(fetchTrace(b, 'ffffffffffffffffffffffffffffffff'));
    assert.equal(e.kind, 'not-found');
    assert.match(e.message, /trace ffff.* is not in Jaeger "prod" \(HTTP 404: trace not found\)/);
  } finally {
    await jaeger.close();
  }
});

test('Tempo v2: JSON as its documentation shows it (base64 ids), and protobuf (TraceByIDResponse)', async () => {
  const inner = protoRequest([protoSpan({ traceId: TEMPO_ID, spanId: 'eee19b7ec3c1b100', name: 'I am a span!', startMs: 1689969302000, endMs: 1689970000000 })], 'my.service');
  const tempo = await fakeBackend({
    [`/api/v2/traces/${TEMPO_ID}`]: (req, res) => {
      if (req.headers.accept === 'application/protobuf') {
        res.setHeader('content-type', 'application/protobuf');
        res.end(Buffer.from(len(1, inner)));
      } else send(200, fixture('tempo-v2-trace.json'))(req, res);
    },
  });
  try {
    for (const spec of [`tempo=${tempo.url}`, `tempo+protobuf=${tempo.url}`]) {
      const fetched = await fetchTrace(backend(spec), TEMPO_ID);
      assert.equal(spec.includes('protobuf'), fetched.protobuf !== undefined, spec);
      const store = new SpanStore();
      assert.deepEqual(storeFetchedTrace(store, fetched).traceIds, [TEMPO_ID], spec);
      const [span] = store.trace(TEMPO_ID);
      assert.equal(span!.spanId, 'eee19b7ec3c1b100');
      assert.equal(span!.name, 'I am a span!');
      assert.equal(span!.endMs - span!.startMs, 698_000);
      store.dispose();
    }
  } finally {
    await tempo.close();
  }
});

test('a URL template, tokens and headers; 401, timeouts, malformed answers and dead ports each say what happened', async () => {
  const server = await fakeBackend({
    '/traces/': (req, res) => {
      if (req.headers.authorization !== 'Bearer s3cret') return send(401, JSON.stringify({ message: 'missing or bad token' }))(req, res);
      send(200, fixture('jaeger-ui-otlp2jaeger-in.json'))(req, res);
    },
    '/slow/': hang,
    '/html/': send(200, '<html><body>login</body></html>', 'text/html'),
    '/wrong/': send(200, JSON.stringify({ result: { resourceSpans: 5 } })),
    '/boom/': send(500, 'internal error\nat line 3'),
  });
  try {
    const id = '83a9efd15c1c98a977e0711cc93ee28b';
    const url = backend(`url=${server.url}/traces/{traceId}?format=otlp`);
    const ok = await fetchTrace(url, id, { token: 's3cret' });
    assert.equal(ok.converted?.spans, 2);
    assert.equal(server.requests.at(-1)!.url, `/traces/${id}?format=otlp`);
    const viaHeader = await fetchTrace({ ...url, headers: { Authorization: 'Bearer s3cret' } }, id, { token: 'ignored' });
    assert.equal(viaHeader.converted?.spans, 2);

    let e = await failure(fetchTrace(url, id));
    assert.equal(e.kind, 'unauthorized');
    assert.match(e.message, /refused the request \(HTTP 401: missing or bad token\): set its token/);
    e = await failure(fetchTrace(backend(`url=${server.url}/slow/{traceId}`, { timeoutMs: 300 }), id));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /did not answer within 0\.3 s/);
    e = await failure(fetchTrace(backend(`url=${server.url}/html/{traceId}`), id));
    assert.equal(e.kind, 'malformed');
    assert.match(e.message, /answered something that is not a trace: not valid JSON: unexpected "<html>/);
    e = await failure(fetchTrace(backend(`url=${server.url}/wrong/{traceId}`), id));
    assert.equal(e.kind, 'malformed');
    assert.match(e.message, /\$\.result\.resourceSpans: must be an array/);
    e = await failure(fetchTrace(backend(`url=${server.url}/boom/{traceId}`), id));
    assert.equal(e.kind, 'http');
    assert.match(e.message, /answered HTTP 500: internal error at line 3/);
    const dead = await fakeBackend({});
    const deadUrl = dead.url;
    await dead.close();
    e = await failure(fetchTrace(backend(`jaeger=${deadUrl}`), id));
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /cannot reach Jaeger .* ECONNREFUSED/);

    // Several backends: the first that has it wins; all failing says each.
    const found = await fetchFromBackends([backend(`url=${server.url}/boom/{traceId}`), url], id, () => 's3cret');
    assert.equal(found.converted?.spans, 2);
    e = await failure(fetchFromBackends([backend(`url=${server.url}/boom/{traceId}`), backend(`url=${server.url}/html/{traceId}`)], id, () => undefined));
    assert.match(e.message, /HTTP 500.*; .*not a trace/);
    e = await failure(fetchFromBackends([], id, () => undefined));
    assert.match(e.message, /no backends are configured/);
  } finally {
    await server.close();
  }
});

test('backend settings and --backend specs are checked', () => {
  assert.match(String(readBackendConfig({ type: 'zipkin', url: 'http://x' })), /type/);
  assert.match(String(readBackendConfig({ type: 'url', url: 'http://x/traces' })), /\{traceId\}/);
  assert.match(String(readBackendConfig({ type: 'jaeger', url: 'file:///etc' })), /http or https/);
  assert.match(String(parseBackendSpec('http://x')), /kind=URL/);
  const b = readBackendConfig({ type: 'tempo', url: 'https://tempo.example:3200', headers: { 'X-Scope-OrgID': 'team', bad: 3 }, timeoutMs: 5 });
  assert.deepEqual(b, { name: 'tempo tempo.example:3200', kind: 'tempo', url: 'https://tempo.example:3200', headers: { 'X-Scope-OrgID': 'team' }, timeoutMs: 10_000, protobuf: false });
});
