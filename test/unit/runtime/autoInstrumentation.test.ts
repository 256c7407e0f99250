// Auto-instrumentation inside steps, with the real packages users load: @opentelemetry/sdk-node
// and the http and undici instrumentations, registered by `node --require ./otel.cjs` before the
// CLI runs a plan (test/fixtures/autoInstrumentation). The SDK exports its spans itself, the
// runtime its own, both over OTLP to an embedded collector here; a loopback server answers calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Collector } from '../../../src/collector';
import type { SpanView } from '../../../src/protocol/spanView';
import { runNode, type Ran } from '../nodeProcess';

const FIXTURE = resolve('test/fixtures/autoInstrumentation');
const CLI = resolve('dist/cli.js');

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function runCli(env: NodeJS.ProcessEnv): Promise<Ran> {
  return runNode(['--require', './otel.cjs', CLI, 'run', 'plans/calls.ts'], {
    cwd: FIXTURE,
    env: { NO_COLOR: '1', INSTRUMENT_FIRST_LOG_FORMAT: 'none', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', ...env },
  });
}

test('auto-instrumentation: fetch and http calls inside steps are child spans of the step spans, in the same trace, in the CLI waterfall and the collector', async () => {
  const traceparents: string[] = [];
  const service = createServer((req, res) => {
    traceparents.push(String(req.headers.traceparent ?? ''));
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  const collector = new Collector({ port: 0 });
  try {
    const base = await listen(service);
    const { endpoint } = await collector.start();
    const r = await runCli({ AUTO_TEST_URL: base, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const traceId = /^trace ([0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    assert.ok(traceId, r.stdout);

    // The waterfall (drawn from the CLI's in-process memory) shows each call under its step.
    const rows = r.stdout.split('\n').map((l) => l.replace(/(\S)\s{2,}.*$/, '$1'));
    const at = (name: string) => rows.findIndex((l) => l.trim() === name);
    assert.ok(at('fetch_status') >= 0 && at('http_get_health') > at('fetch_status'), r.stdout);
    for (const step of ['fetch_status', 'http_get_health']) {
      const next = rows[at(step) + 1] ?? '';
      assert.match(next, /^\s+GET$/, `a GET row right under ${step}:\n${r.stdout}`);
      assert.ok(next.indexOf('GET') > rows[at(step)]!.indexOf(step), `GET is indented under ${step}`);
    }

    // The called service saw the run's trace id in the W3C traceparent header.
    assert.equal(traceparents.length, 2);
    for (const tp of traceparents) assert.match(tp, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // In the collector: the SDK's spans (exported by the SDK) are children of the runtime's step spans.
    const spans = await waitForSpans(collector, traceId, (all) => all.filter((s) => s.name === 'GET').length === 2);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    assert.equal(byId.size, spans.length, 'no span arrives twice');
    const gets = spans.filter((s) => s.name === 'GET');
    assert.deepEqual(gets.map((g) => byId.get(g.parentSpanId ?? '')?.name).sort(), ['fetch_status', 'http_get_health']);
    // The span each call made is the parent the called service was told about.
    assert.deepEqual(traceparents.map((tp) => tp.split('-')[2]).sort(), gets.map((g) => g.spanId).sort());
  } finally {
    await collector.stop();
    await new Promise((done) => service.close(done));
  }
});

async function waitForSpans(
  collector: Collector,
  traceId: string,
  ready: (spans: SpanView[]) => boolean,
): Promise<SpanView[]> {
  for (let i = 0; i < 100; i++) {
    const spans = collector.store.trace(traceId);
    if (ready(spans)) return spans;
    await new Promise((r) => setTimeout(r, 50));
  }
  return collector.store.trace(traceId);
}
