// OTLP/gRPC inside the real VS Code: the receiver the settings start (its HTTP/2 session on a
// worker thread, dist/grpcSessionWorker.js found beside the extension's bundle), fed by programs
// using the official OpenTelemetry exporters — not by our own encoder.
// - collector.grpcPort > 0 starts it on that port; a trace sent with exporter-trace-otlp-grpc
//   (gzip, a custom metadata header) is in the extension's store field by field;
// - the setting back to its default stops it with its session thread: the port refuses;
// - collector.otlpProtocol grpc: a `"program"` debug launch is told OTEL_EXPORTER_OTLP_PROTOCOL=grpc
//   and the gRPC endpoint, and the zero-code NodeSDK, configured only by that environment, sends
//   its spans there.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { Services } from '../../../src/vscode/services';
import { freePort } from '../freePort';
import { repoRoot } from '../repoRoot';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { waitFor } from './helpers';
import { runNodeProgram } from './nodeProgram';
import { services } from './planRuns';

// A program of a user's: the official SDK and gRPC exporter with non-default options. Every value
// the test checks comes from argv, so the assertions do not depend on the program's clock.
const EXPORTER_PROGRAM = `
const api = require('@opentelemetry/api');
const grpc = require('@grpc/grpc-js');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
const [url, startMs] = [process.argv[2], Number(process.argv[3])];
const metadata = new grpc.Metadata();
metadata.set('x-team-token', 'host-test');
const exporter = new OTLPTraceExporter({ url, compression: 'gzip', metadata, timeoutMillis: 20000 });
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'grpc-host-test', 'deployment.environment': 'local' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('shop', '1.2.3');
const linked = { traceId: 'a1'.repeat(16), spanId: 'b2'.repeat(8), traceFlags: 1, isRemote: true, traceState: api.createTraceState('vendor=blue') };
const root = tracer.startSpan('POST /checkout', { kind: api.SpanKind.SERVER, startTime: startMs });
const ctx = api.trace.setSpan(api.context.active(), root);
const charge = tracer.startSpan('charge card', {
  kind: api.SpanKind.CLIENT,
  startTime: startMs + 10,
  links: [{ context: linked, attributes: { 'link.reason': 'retry of', 'link.attempt': 2 } }],
  attributes: {
    'a.string': 'caf\\u00e9 <b>bold</b>',
    'a.int': 42,
    'a.double': 2.5,
    'a.bool': true,
    'a.strings': ['x', 'y'],
    'a.ints': [1, 2, 3],
    'a.doubles': [1.5, 2.25],
    'a.bools': [true, false],
  },
}, ctx);
charge.addEvent('card declined', { 'decline.code': '51' }, startMs + 20);
charge.setStatus({ code: api.SpanStatusCode.ERROR, message: 'declined' });
charge.end(startMs + 30);
root.end(startMs + 40);
provider.shutdown().then(() => {
  console.log(JSON.stringify({ traceId: root.spanContext().traceId, root: root.spanContext().spanId, charge: charge.spanContext().spanId }));
}, (e) => { console.error(e); process.exit(1); });
`;

// Zero-code set-up as the OTel docs show it: no exporter, no URL — the environment says everything.
// The span records what the launch told the program, as the test's evidence.
const ENV_PROGRAM = `
const api = require('@opentelemetry/api');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const sdk = new NodeSDK({});
sdk.start();
const span = api.trace.getTracer('env-check').startSpan('told by the launch', { attributes: {
  'env.protocol': String(process.env.OTEL_EXPORTER_OTLP_PROTOCOL),
  'env.endpoint': String(process.env.OTEL_EXPORTER_OTLP_ENDPOINT),
} });
span.end();
sdk.shutdown().then(() => console.log('exported'), (e) => { console.error(e); process.exitCode = 1; });
`;

function runExporterProgram(dir: string, url: string, startMs: number): Promise<{ traceId: string; root: string; charge: string }> {
  return runNodeProgram(dir, 'exporter.js', EXPORTER_PROGRAM, [url, String(startMs)]);
}

/** Whether a TCP connection to 127.0.0.1:port is refused (nothing listens). */
function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** The session thread of the running collector's gRPC receiver (internals, as the unit tests reach them). */
function sessionWorker(s: Services): Worker | undefined {
  const collector = s.collector.signals as unknown as { grpc?: { sessionThreadForTests?: { workerForTests?: Worker } } } | undefined;
  return collector?.grpc?.sessionThreadForTests?.workerForTests;
}

function setting(key: string, value: unknown): Thenable<void> {
  return vscode.workspace.getConfiguration('instrumentFirst').update(key, value, vscode.ConfigurationTarget.Global);
}

suite('OTLP/gRPC in the extension', () => {
  let dir = '';
  let port = 0;

  suiteSetup(() => {
    dir = mkdtempSync(join(tmpdir(), 'if-grpc-host-'));
  });

  suiteTeardown(async () => {
    await setting('collector.grpcPort', undefined);
    await setting('collector.otlpProtocol', undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('collector.grpcPort starts the receiver there; the official gRPC exporter (gzip, custom metadata) lands in the store field by field', async () => {
    const s = await services();
    await s.collector.ensureStarted();
    assert.equal(s.collector.grpcEndpoint, undefined, 'no gRPC receiver with the default settings');
    port = await freePort();
    await setting('collector.grpcPort', port);
    const endpoint = await waitFor(() => s.collector.running && s.collector.grpcEndpoint, { timeout: 20_000, message: 'the collector restarted with gRPC' });
    assert.equal(endpoint, `http://127.0.0.1:${port}`);
    assert.ok(sessionWorker(s), 'the HTTP/2 session runs on its worker thread inside the extension host');

    const startMs = Date.now() - 5_000;
    const ids = await runExporterProgram(dir, endpoint, startMs);
    const run = await waitFor(() => s.collector.store?.run(ids.traceId), { timeout: 20_000, message: 'the trace in the store' });
    assert.equal(run.kind, 'trace');
    assert.equal(run.plan, 'POST /checkout');
    assert.equal(run.serviceName, 'grpc-host-test');
    assert.equal(run.spanCount, 2);
    assert.equal(run.errorCount, 1);
    assert.equal(run.status, 'failed');

    const spans = s.collector.store!.trace(ids.traceId);
    const root = spans.find((x) => x.spanId === ids.root);
    const charge = spans.find((x) => x.spanId === ids.charge);
    assert.ok(root && charge, JSON.stringify(spans.map((x) => x.name)));
    assert.equal(root.parentSpanId, undefined);
    assert.equal(root.kind, 2, 'SERVER');
    assert.equal(root.startMs, startMs);
    assert.equal(root.endMs, startMs + 40);
    assert.equal(charge.traceId, ids.traceId);
    assert.equal(charge.parentSpanId, ids.root);
    assert.equal(charge.name, 'charge card');
    assert.equal(charge.kind, 3, 'CLIENT');
    assert.equal(charge.startMs, startMs + 10);
    assert.equal(charge.endMs, startMs + 30);
    assert.equal(charge.status, 'error');
    assert.equal(charge.statusMessage, 'declined');
    assert.deepEqual(charge.attributes, {
      'a.string': 'café <b>bold</b>',
      'a.int': 42,
      'a.double': 2.5,
      'a.bool': true,
      'a.strings': ['x', 'y'],
      'a.ints': [1, 2, 3],
      'a.doubles': [1.5, 2.25],
      'a.bools': [true, false],
    });
    assert.deepEqual(charge.events, [{ name: 'card declined', timeMs: startMs + 20, attributes: { 'decline.code': '51' } }]);
    assert.equal(charge.links?.length, 1);
    const link = charge.links[0]!;
    assert.equal(link.traceId, 'a1'.repeat(16));
    assert.equal(link.spanId, 'b2'.repeat(8));
    assert.equal(link.traceState, 'vendor=blue');
    // W3C sampled (1) | "is-remote is known" (0x100) | remote (0x200), as exporter-trace-otlp-grpc writes it.
    assert.equal(link.flags, 0x301);
    assert.deepEqual(link.attributes, { 'link.reason': 'retry of', 'link.attempt': 2 });
    assert.equal(charge.droppedAttributesCount ?? 0, 0);
    assert.equal(charge.droppedLinksCount ?? 0, 0);
  }, { timeout: 90_000 });

  test('collector.grpcPort back to its default stops the receiver with its session thread: the port refuses, OTLP/HTTP goes on', async () => {
    const s = await services();
    assert.ok(port > 0, 'the previous test set the port');
    const worker = sessionWorker(s);
    assert.ok(worker, 'the session thread is running');
    let exited = false;
    worker.once('exit', () => (exited = true));
    await setting('collector.grpcPort', undefined);
    await waitFor(() => exited, { timeout: 20_000, message: 'the session thread to exit' });
    await waitFor(() => s.collector.running && s.collector.grpcEndpoint === undefined, { timeout: 20_000, message: 'the collector restarted without gRPC' });
    assert.equal(sessionWorker(s), undefined);
    assert.equal(await refuses(port), true, `127.0.0.1:${port} still accepts connections`);
    const res = await fetch(`${s.collector.endpoint!}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 200, 'OTLP/HTTP still answers');
  }, { timeout: 60_000 });

  test('collector.grpcPort on a port another program holds: the collector still starts, with gRPC on a free port instead', async () => {
    const s = await services();
    await s.collector.ensureStarted();
    // Another local collector (a Jaeger, an OTel Collector) already on the port: common for 4317.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    try {
      await setting('collector.grpcPort', held);
      const endpoint = await waitFor(() => s.collector.running && s.collector.grpcEndpoint, { timeout: 20_000, message: 'the collector restarted with gRPC' });
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(endpoint, `http://127.0.0.1:${held}`);
      const ids = await runExporterProgram(dir, endpoint, Date.now() - 1_000);
      await waitFor(() => s.collector.store?.run(ids.traceId), { timeout: 20_000, message: 'the trace sent to the free port' });
    } finally {
      await setting('collector.grpcPort', undefined);
      holder.close();
    }
    await waitFor(() => s.collector.running && s.collector.grpcEndpoint === undefined, { timeout: 20_000, message: 'the collector restarted without gRPC' });
  }, { timeout: 90_000 });

  test('collector.otlpProtocol grpc: Copy Collector Endpoint and a "program" launch give OTEL_EXPORTER_OTLP_PROTOCOL=grpc and the gRPC endpoint, and NodeSDK sends its spans there', async () => {
    const s = await services();
    await s.collector.ensureStarted();
    await setting('collector.otlpProtocol', 'grpc');
    const endpoint = await waitFor(() => s.collector.running && s.collector.grpcEndpoint, { timeout: 20_000, message: 'the collector restarted with gRPC on a free port' });
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(endpoint, s.collector.endpoint);
    assert.equal(await vscode.commands.executeCommand('instrumentFirst.copyEndpoint'), endpoint, 'Copy Collector Endpoint gives the gRPC one');
    assert.equal(await vscode.env.clipboard.readText(), endpoint);
    const program = join(dir, 'zero-code.js');
    writeFileSync(program, ENV_PROGRAM);
    const service = `grpc-env-${Date.now()}`;
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'instrument-first',
      request: 'launch',
      name: 'zero-code gRPC program',
      program,
      // Only the metrics and logs NodeSDK would also send are switched off (they are not what is checked here).
      env: { OTEL_SERVICE_NAME: service, NODE_PATH: join(repoRoot(), 'node_modules'), OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
    });
    assert.ok(ok, 'the debug session started');
    const run = await waitFor(() => s.collector.store?.runs().find((r) => r.serviceName === service), { timeout: 60_000, message: `a run of service ${service}` });
    const [span] = s.collector.store!.trace(run.traceId);
    assert.ok(span);
    assert.equal(span.name, 'told by the launch');
    assert.equal(span.attributes['env.protocol'], 'grpc');
    assert.equal(span.attributes['env.endpoint'], endpoint);
  }, { timeout: 120_000 });
});
