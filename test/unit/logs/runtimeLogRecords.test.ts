// The runtime's ctx.log as OTLP log records: a plan run by the CLI into a real collector, for each
// INSTRUMENT_FIRST_LOG_RECORDS mode and both OTLP/HTTP encodings; read back through the read API
// (`/api/traces/{id}/logs`) and `show --logs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { LogView } from '../../../src/collector/logs/logRecord';
import type { SpanView } from '../../../src/protocol/spanView';
import { httpRequest, withCollector } from '../collector/helpers';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');
const WS = resolve('sample-workspace');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return runNode([CLI, ...args], {
    cwd: WS,
    env: { SAMPLE_TIME_SCALE: '0.01', INSTRUMENT_FIRST_LOG_FORMAT: 'none', NO_COLOR: '1', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', ...env },
  });
}

/** (span id, severity, body, procedure id) of every `log` event of the spans, sorted. */
function fromEvents(spans: SpanView[]): string[] {
  const out: string[] = [];
  for (const s of spans) {
    for (const e of s.events) if (e.name === 'log') out.push([s.spanId, String(e.attributes['log.severity']), String(e.attributes['log.message']), String(s.attributes['procedure.id'] ?? '')].join(' '));
  }
  return out.sort();
}

function fromRecords(logs: LogView[]): string[] {
  return logs.map((l) => [l.spanId, l.severityText, l.body, String(l.attributes['procedure.id'] ?? '')].join(' ')).sort();
}

for (const [mode, protocol] of [
  ['events', 'http/protobuf'],
  ['logs', 'http/protobuf'],
  ['both', 'http/protobuf'],
  ['both', 'http/json'],
] as const) {
  test(`ctx.log with INSTRUMENT_FIRST_LOG_RECORDS=${mode} over ${protocol}: the collector has the lines as ${mode}, on the step's span`, async () => {
    await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
      const r = await cli(['run', 'plans/create-cluster.ts', '--json'], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, INSTRUMENT_FIRST_LOG_RECORDS: mode, OTEL_SERVICE_NAME: 'logs-plan' });
      assert.equal(r.code, 0, r.stderr);
      const { traceId } = JSON.parse(r.stdout) as { traceId: string };
      const spans = c.store.trace(traceId);
      assert.ok(spans.length > 8);
      const res = await httpRequest(endpoint, `/api/traces/${traceId}/logs`);
      assert.equal(res.status, 200);
      const logs = JSON.parse(res.text) as LogView[];
      const events = fromEvents(spans);
      const records = fromRecords(logs);
      // create() logs "planned" on each pass span, the create_instances step "instances requested".
      const expected = [...events, ...records].filter((x, i, all) => all.indexOf(x) === i);
      assert.ok(expected.some((l) => / info instances requested create_instances$/.test(l)), expected.join('\n'));
      assert.equal(expected.filter((l) => / info planned $/.test(l)).length, 2, expected.join('\n'));
      assert.deepEqual(events, mode === 'logs' ? [] : expected);
      assert.deepEqual(records, mode === 'events' ? [] : expected);
      const ids = new Set(spans.map((s) => s.spanId));
      for (const l of logs) {
        assert.equal(l.traceId, traceId);
        assert.ok(ids.has(l.spanId!), `record's span ${l.spanId} is in the trace`);
        assert.equal(l.serviceName, 'logs-plan', 'the run’s resource');
        assert.equal(l.scopeName, 'instrument-first');
        assert.equal(l.severityNumber, 9);
        assert.ok(Math.abs(l.timeMs - Date.now()) < 3_600_000);
      }
      const step = logs.find((l) => l.body === 'instances requested');
      if (mode !== 'events') assert.deepEqual(step?.attributes, { 'procedure.id': 'create_instances', count: 3 });
      if (mode === 'logs') {
        const show = await cli(['show', traceId, '--logs', '--collector', endpoint], {});
        assert.equal(show.code, 0, show.stderr);
        assert.match(show.stdout, /logs \(3\):/);
        assert.match(show.stdout, /info +\[create_instances\] instances requested {2}procedure\.id=create_instances count=3/);
      }
    });
  });
}

test('ctx.log records look like the records of pino and winston through their official OTel instrumentations', async () => {
  await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    const out = await runNode([resolve(__dirname, 'otelLoggersChild.js'), endpoint], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
    assert.equal(out.code, 0, out.stderr);
    const { traceId, outcome } = JSON.parse(out.stdout) as { traceId: string; outcome: string };
    assert.equal(outcome, 'converged');
    const step = c.store.trace(traceId).find((s) => s.name === 'charge_card');
    assert.ok(step, 'the step span arrived');
    const logs = JSON.parse((await httpRequest(endpoint, `/api/traces/${traceId}/logs`)).text) as LogView[];
    const byScope = new Map(logs.map((l) => [l.scopeName, l]));
    assert.deepEqual([...byScope.keys()].sort(), ['@opentelemetry/instrumentation-pino', '@opentelemetry/winston-transport', 'instrument-first']);
    for (const [scope, l] of byScope) {
      assert.deepEqual(
        [l.traceId, l.spanId, l.severityNumber, l.severityText, l.body, l.serviceName, l.attributes.amount],
        [traceId, step.spanId, 9, 'info', 'card charged', 'loggers-program', 12],
        scope,
      );
    }
  });
});
