import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { procedure } from '../../../src/runtime/procedure';
import { Scheduler } from '../../../src/runtime/scheduler';
import { createTracing } from '../../../src/runtime/tracing';
import { LosslessLogRecordProcessor, resolveLogRecordsMode, resolveLogsUrl } from '../../../src/runtime/logRecords';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { runPlan } from '../../../src/testing/index';

test('log records mode: option, then INSTRUMENT_FIRST_LOG_RECORDS, then events; the logs URL follows the traces endpoint', () => {
  assert.equal(resolveLogRecordsMode(undefined, {}), 'events');
  assert.equal(resolveLogRecordsMode(undefined, { INSTRUMENT_FIRST_LOG_RECORDS: ' Both ' }), 'both');
  assert.equal(resolveLogRecordsMode(undefined, { INSTRUMENT_FIRST_LOG_RECORDS: 'spans' }), 'events');
  assert.equal(resolveLogRecordsMode('logs', { INSTRUMENT_FIRST_LOG_RECORDS: 'both' }), 'logs');
  assert.equal(resolveLogsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318/' }), 'http://h:4318/v1/logs');
  assert.equal(resolveLogsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://l/x' }), 'http://l/x');
  assert.equal(resolveLogsUrl('http://h:4318/v1/traces', {}), 'http://h:4318/v1/logs');
  assert.equal(resolveLogsUrl(false, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h' }), undefined);
  assert.equal(resolveLogsUrl(undefined, {}), undefined);
});

test('runPlan keeps the ctx.log records in run.logs, each on its step span, with no collector', async () => {
  const run = await runPlan({
    name: 'logged',
    create: (ctx) => {
      ctx.log.debug('planning');
      return ctx.pass === 1 ? [procedure('talk', (c) => c.log.warn('disk almost full', { free_gb: 3, gone: undefined }))] : [];
    },
  });
  const step = run.trace.spans.find((s) => s.name === 'talk')!;
  assert.deepEqual(
    run.logs.map((l) => [l.spanId, l.severityNumber, l.severityText, l.body, l.attributes]),
    [
      [run.trace.spans.find((s) => s.name === 'pass 1')!.spanId, 5, 'debug', 'planning', {}],
      [step.spanId, 13, 'warn', 'disk almost full', { 'procedure.id': 'talk', free_gb: 3 }],
      [run.trace.spans.find((s) => s.name === 'pass 2')!.spanId, 5, 'debug', 'planning', {}],
    ],
  );
  assert.ok(run.logs.every((l) => l.traceId === run.result.traceId));
  assert.equal(step.events.filter((e) => e.name === 'log').length, 1, 'both: the span event is kept too');
  const eventsOnly = await runPlan({ name: 'e', create: (ctx) => (ctx.log.info('x'), []) }, { logRecords: 'events' });
  assert.deepEqual(eventsOnly.logs, []);
  const logsOnly = await runPlan({ name: 'l', create: (ctx) => (ctx.log.info('x'), []) }, { logRecords: 'logs' });
  assert.equal(logsOnly.logs.length, 1);
  assert.equal(logsOnly.trace.spans[0]!.events.length, 0);
});

test('no record is lost at plan end: 5,000 lines exported by the official proto exporter arrive before shutdown resolves', async () => {
  let received = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (req.url === '/v1/logs') {
        // Each record's body carries a marker: counting the markers counts the records.
        received += Buffer.concat(chunks).toString('latin1').split('line#').length - 1;
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const tracing = createTracing({ endpoint, logRecords: 'logs', env: {}, memory: false });
    const scheduler = new Scheduler({ tracing });
    const result = await scheduler.execute(
      { name: 'chatty', create: (ctx) => (ctx.pass === 1 ? [procedure('talk', (c) => { for (let i = 0; i < 5000; i++) c.log.info(`line#${i}`); })] : []) },
      { flush: false },
    );
    assert.equal(result.outcome, 'converged');
    await tracing.shutdown();
    assert.equal(received, 5000);
    assert.ok(requests > 2, 'batched into several requests');
    assert.deepEqual({ ...tracing.logs!.stats, failedExports: 0 }, { produced: 5000, delivered: 5000, dropped: 0, failedExports: 0, queued: 0 });
  } finally {
    server.close();
  }
});

test('the lossless log record processor retries a failing export and counts what it finally drops', async () => {
  let calls = 0;
  const exporter: LogRecordExporter = {
    export: (_logs: ReadableLogRecord[], cb) => cb({ code: ++calls < 2 ? ExportResultCode.FAILED : ExportResultCode.SUCCESS }),
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const processor = new LosslessLogRecordProcessor(exporter, { retryDelayMs: 1 });
  const provider = new LoggerProvider({ processors: [processor] });
  provider.getLogger('t').emit({ body: 'one' });
  await provider.shutdown();
  assert.deepEqual(processor.stats, { produced: 1, delivered: 1, dropped: 0, failedExports: 1, queued: 0 });
});
