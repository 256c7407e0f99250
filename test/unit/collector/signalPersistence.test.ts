// --persist keeps log records and metric points too: a restart keeps them (with trace and span
// ids, severity, body, attributes; series with their points), corrupt files are skipped with a
// warning naming them, writes are atomic (no partial file, no .tmp loaded), retention applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../../../src/collector';
import { httpRequest, jsonRequest, planRun, postTraces, traceIdOf } from './helpers';

const TRACE = 'ab'.repeat(16);
const SPAN = 'cd'.repeat(8);

function logsBody(tag: string, n: number): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeLogs: [
          {
            scope: { name: 'app-log' },
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: String(1_763_000_000_000_000_000 + i * 1_000_000),
              severityNumber: 9 + (i % 2) * 8,
              severityText: i % 2 ? 'ERROR' : 'INFO',
              body: { stringValue: `${tag} line ${i} "quoted" ünïcode` },
              attributes: [
                { key: 'order.id', value: { intValue: String(i) } },
                { key: 'vip', value: { boolValue: i % 2 === 0 } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
              ],
              ...(i < 3 ? { traceId: TRACE, spanId: SPAN } : {}),
            })),
          },
        ],
      },
    ],
  });
}

function metricsBody(value: number): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeMetrics: [
          {
            metrics: [
              { name: 'process.memory.usage', unit: 'By', gauge: { dataPoints: [{ timeUnixNano: String(1_763_000_000_000_000_000 + value), asDouble: value, attributes: [{ key: 'kind', value: { stringValue: 'rss' } }] }] } },
              { name: 'http.server.duration', unit: 'ms', histogram: { dataPoints: [{ timeUnixNano: String(1_763_000_000_000_000_000 + value), count: '4', sum: 12.5, bucketCounts: ['4'], explicitBounds: [] }] } },
            ],
          },
        ],
      },
    ],
  });
}

const post = (endpoint: string, path: string, body: string) => httpRequest(endpoint, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('a restart keeps log records and metric points beside the traces; a corrupt file is skipped with a warning naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'if-signals-'));
  try {
    const first = new Collector({ persistDir: dir, decodeThreads: 0 });
    const { endpoint } = await first.start();
    assert.equal((await postTraces(endpoint, jsonRequest(planRun(1, 'deploy', [[['build', 10, []]], []])))).status, 200);
    assert.equal((await post(endpoint, '/v1/logs', logsBody('first', 5))).status, 200);
    assert.equal((await post(endpoint, '/v1/logs', logsBody('second', 4))).status, 200);
    assert.equal((await post(endpoint, '/v1/metrics', metricsBody(100))).status, 200);
    assert.equal((await post(endpoint, '/v1/metrics', metricsBody(200))).status, 200);
    const logsBefore = first.logs.forTrace(TRACE);
    const untracedBefore = first.logs.withoutTrace();
    const metricsBefore = first.metrics.query();
    await first.stop();
    const files = readdirSync(dir);
    assert.ok(files.some((f) => f.startsWith('logs_')), files.join(' '));
    assert.ok(files.includes('metrics_latest.json'));
    assert.ok(!files.some((f) => f.endsWith('.tmp')));

    writeFileSync(join(dir, 'logs_corrupt.json'), '{"resourceLogs": [');
    writeFileSync(join(dir, 'logs_zz.json.123-1.tmp'), 'left by a crash');
    const warnings: string[] = [];
    const second = new Collector({ persistDir: dir, decodeThreads: 0, onWarning: (m) => warnings.push(m) });
    await second.start();
    try {
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /skipped .*logs_corrupt\.json/);
      assert.ok(second.store.run(traceIdOf(1)), 'the trace is back');
      assert.deepEqual(second.logs.forTrace(TRACE), logsBefore, 'logs joined to their trace come back as they were');
      assert.deepEqual(second.logs.withoutTrace(), untracedBefore);
      assert.equal(second.logs.stats().records, 9);
      assert.deepEqual(second.metrics.query(), metricsBefore, 'series come back with their points');
      assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'leftovers are deleted, never loaded');
    } finally {
      await second.stop();
    }
    // Loaded records are not written again.
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('logs_') && f !== 'logs_corrupt.json').length, files.filter((f) => f.startsWith('logs_')).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log files follow the same retention as trace files, counted apart from them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'if-signals-retain-'));
  try {
    const c = new Collector({ persistDir: dir, decodeThreads: 0, retention: 2 });
    const { endpoint } = await c.start();
    try {
      for (let k = 0; k < 4; k++) {
        assert.equal((await post(endpoint, '/v1/logs', logsBody(`batch${k}`, 2))).status, 200);
        await (c as unknown as { signalFiles: { flush(): Promise<void> } }).signalFiles.flush();
        // Distinct modification times for the newest-first order.
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal((await postTraces(endpoint, jsonRequest(planRun(2, 'deploy', [[['build', 10, []]], []])))).status, 200);
    } finally {
      await c.stop();
    }
    const files = readdirSync(dir);
    assert.equal(files.filter((f) => f.startsWith('logs_')).length, 2, files.join(' '));
    assert.equal(files.filter((f) => !f.startsWith('logs_') && !f.startsWith('metrics_')).length, 1, 'the trace file is not pushed out by log files');
    const again = new Collector({ persistDir: dir, decodeThreads: 0 });
    await again.start();
    try {
      const bodies = again.logs.forTrace(TRACE).map((l) => l.body.split(' ')[0]);
      assert.deepEqual([...new Set(bodies)], ['batch2', 'batch3'], 'the newest files are the ones kept');
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
