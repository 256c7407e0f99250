// Logs and metrics beside the spans, inside the real VS Code: a program using the official
// OpenTelemetry SDKs and OTLP exporters (traces and metrics over protobuf, logs over JSON) sends a
// trace, log records inside its spans and outside any, and metrics; the timeline's details of the
// span show its records in the Activity list, the run's metrics are charted, a record sent later
// appears without reopening, and the records without a trace open per service.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TimelineFeature } from '../../../src/vscode/timeline/timelineFeature';
import { suite, test } from './harness';
import { waitFor } from './helpers';
import { runNodeProgram } from './nodeProgram';
import { services } from './planRuns';

const PROGRAM = `
const api = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const endpoint = process.argv[2];
const resource = resourceFromAttributes({ 'service.name': 'signals-host-test' });
const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: endpoint + '/v1/traces' }))] });
const loggers = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: endpoint + '/v1/logs' }), scheduledDelayMillis: 50 })] });
const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: endpoint + '/v1/metrics' }), exportIntervalMillis: 150 });
const meters = new MeterProvider({ resource, readers: [reader] });
const meter = meters.getMeter('shop');
meter.createObservableGauge('process.memory.usage', { unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage().rss));
const orders = meter.createCounter('shop.orders', { unit: '{orders}' });
const logger = loggers.getLogger('shop-logger');
(async () => {
  const root = tracer.getTracer('shop').startSpan('handle order');
  const rootCtx = api.trace.setSpan(api.context.active(), root);
  logger.emit({ context: rootCtx, severityNumber: 9, severityText: 'INFO', body: 'order received', attributes: { 'order.id': 42 } });
  const charge = tracer.getTracer('shop').startSpan('charge card', {}, rootCtx);
  const chargeCtx = api.trace.setSpan(rootCtx, charge);
  await new Promise((r) => setTimeout(r, 400));
  logger.emit({ context: chargeCtx, severityNumber: 17, severityText: 'ERROR', body: 'card declined <b>51</b>', attributes: { 'card.brand': 'visa' } });
  logger.emit({ severityNumber: 13, severityText: 'WARN', body: 'cache warm-up took long (no trace here)' });
  orders.add(1);
  charge.addEvent('card authorized', { 'card.last4': '4242' });
  await new Promise((r) => setTimeout(r, 400));
  charge.end();
  root.end();
  await loggers.forceFlush();
  await meters.forceFlush();
  await Promise.all([loggers.shutdown(), meters.shutdown(), tracer.shutdown()]);
  console.log(JSON.stringify({ traceId: root.spanContext().traceId, charge: charge.spanContext().spanId }));
})();
`;

async function runProgram(endpoint: string): Promise<{ traceId: string; charge: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'if-signals-'));
  try {
    return await runNodeProgram(dir, 'program.js', PROGRAM, [endpoint]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

suite('logs and metrics', () => {
  test('the official exporters: span details list the span\'s logs, the run view charts the metrics, later logs appear live', async () => {
    const s = await services();
    await s.collector.ensureStarted();
    const endpoint = s.collector.endpoint!;
    const ids = await runProgram(endpoint);
    await waitFor(() => s.collector.store?.run(ids.traceId), { timeout: 30_000, message: 'the program run in the collector' });

    const timeline = s.viewers.current as TimelineFeature;
    await timeline.openTrace(ids.traceId, undefined, ids.charge);
    const report = await waitFor(
      () => {
        const r = timeline.currentRunPanel?.lastSignalsReport;
        // The span's own event arrives with the whole span, which the page asks the store for
        // (its batch is a summary without event attributes: details on demand).
        return r && r.traceId === ids.traceId && r.spanId === ids.charge && r.activity.some((a) => a.includes('card authorized')) && r.charts.length > 0 ? r : undefined;
      },
      { timeout: 30_000, message: 'the webview to show the span activity (with the span fetched on demand) and the metric charts' },
    );
    assert.equal(report.activity.length, 2, report.activity.join('\n'));
    assert.match(report.activity[0]!, /^\+[\d.]+ m?s ERROR card declined <b>51<\/b>$/);
    assert.match(report.activity[1]!, /^\+[\d.]+ m?s event card authorized$/);
    assert.equal(report.logRows, 2, 'the run lists its two records (the third has no trace context)');
    assert.ok(report.charts.some((c) => /^process\.memory\.usage \(By\): \d+(\.\d+)? MiB$/.test(c)), report.charts.join('\n'));
    assert.ok(report.charts.some((c) => c === 'shop.orders ({orders}): 1 orders'), report.charts.join('\n'));

    // A record of the open trace sent now (OTLP/JSON, as another exporter would) appears in the
    // span's Activity without reopening the run.
    const res = await fetch(`${endpoint}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'signals-host-test' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), severityNumber: 13, severityText: 'WARN', body: { stringValue: 'refund queued' }, traceId: ids.traceId, spanId: ids.charge }] }] }],
      }),
    });
    assert.equal(res.status, 200);
    const live = await waitFor(
      () => {
        const r = timeline.currentRunPanel?.lastSignalsReport;
        return r && r.activity.some((a) => a.includes('WARN refund queued')) ? r : undefined;
      },
      { timeout: 20_000, message: 'the later record in the Activity list' },
    );
    assert.equal(live.activity.length, 3);
    assert.equal(live.logRows, 3);

    // Logs without trace context: a Runs view node per service, opening a read-only document.
    const root = s.runsView.getChildren().find((n) => n.kind === 'orphanLogs');
    assert.ok(root && root.kind === 'orphanLogs', 'the Runs view has a "Logs without a trace" node');
    const children = s.runsView.getChildren(root);
    const mine = children.find((n) => n.kind === 'serviceLogs' && n.service === 'signals-host-test');
    assert.ok(mine, JSON.stringify(children));
    const item = s.runsView.getTreeItem(mine);
    assert.equal(item.label, 'signals-host-test');
    assert.equal(item.command?.command, 'instrumentFirst.showLogsWithoutTrace');
    const shown = await vscode.commands.executeCommand<string>('instrumentFirst.showLogsWithoutTrace', 'signals-host-test');
    assert.equal(shown, 'signals-host-test');
    const editor = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.scheme === 'instrument-first-logs' ? vscode.window.activeTextEditor : undefined), { message: 'the logs document' });
    assert.match(editor.document.getText(), /WARN\s+cache warm-up took long \(no trace here\)/);
    assert.doesNotMatch(editor.document.getText(), /card declined/);
  }, { timeout: 120_000 });
});
