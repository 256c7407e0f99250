import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../../../src/collector';
import { encodeOtlpJson, encodeOtlpJsonPieces } from '../../../src/collector/store/otlpJsonEncoder';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { jsonRequest, planRun, postTraces, traceIdOf, withCollector } from './helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';

const run = (n: number) => planRun(n, 'deploy', [[['build', 10, ['npm ci']]], []]);

test('completed runs are written as OTLP JSON files and loaded back on start; a corrupt file is skipped with a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'if-persist-'));
  try {
    const first = new Collector({ persistDir: dir });
    const { endpoint } = await first.start();
    const spans = run(1);
    const root = spans.pop()!;
    assert.equal((await postTraces(endpoint, jsonRequest(spans))).status, 200);
    first.store.flushChanges();
    await postTraces(endpoint, jsonRequest(planRun(2, 'x', [[['a', 1, []]]]).slice(0, 2))); // never completes
    assert.equal((await postTraces(endpoint, jsonRequest([root]))).status, 200);
    const before = first.store.trace(traceIdOf(1));
    await first.stop(); // flushes pending writes
    const files = readdirSync(dir);
    assert.equal(files.length, 1, 'only the completed run is written');
    assert.match(files[0]!, new RegExp(`deploy_${traceIdOf(1)}\\.json$`));
    assert.ok(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')).resourceSpans);

    writeFileSync(join(dir, 'corrupt.json'), '{"resourceSpans": [');
    writeFileSync(join(dir, 'empty.json'), '');
    const warnings: string[] = [];
    const second = new Collector({ persistDir: dir, onWarning: (m) => warnings.push(m) });
    await second.start();
    try {
      assert.equal(warnings.length, 2);
      assert.ok(warnings.some((w) => w.includes('corrupt.json')));
      const loaded = second.store.run(traceIdOf(1))!;
      assert.equal(loaded.status, 'converged');
      assert.equal(loaded.plan, 'deploy');
      const after = second.store.trace(traceIdOf(1));
      assert.deepEqual(after.map((s) => s.spanId).sort(), before.map((s) => s.spanId).sort());
      assert.deepEqual(after.find((s) => s.name === 'build')?.attributes, before.find((s) => s.name === 'build')?.attributes);
    } finally {
      await second.stop();
    }
    // Loaded runs are not written again.
    assert.equal(readdirSync(dir).filter((f) => f.includes(traceIdOf(1))).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention keeps the newest N run files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'if-retain-'));
  try {
    const c = new Collector({ persistDir: dir, retention: 3 });
    const { endpoint } = await c.start();
    for (let n = 1; n <= 5; n++) {
      await postTraces(endpoint, jsonRequest(run(n)));
      c.store.flushChanges();
      await c.drainForwarding();
      await new Promise((r) => setTimeout(r, 5)); // distinct mtimes
      await (c as unknown as { persistence: { flush(): Promise<void> } }).persistence.flush();
    }
    await c.stop();
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3);
    for (const n of [3, 4, 5]) assert.ok(files.some((f) => f.includes(traceIdOf(n))), `run ${n} kept`);
    assert.equal(c.store.stats().persistedRuns, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import of an OTLP JSON file from elsewhere, and export of a run', async () => {
  const c = new Collector();
  await c.start();
  try {
    const foreign = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'jaeger-export' } }] }, scopeSpans: [{ spans: [{ traceId: 'A'.repeat(32), spanId: 'B'.repeat(16), name: 'GET /', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000002500000' }] }] }],
    });
    const r = importOtlpJson(c.store, foreign);
    assert.deepEqual(r, { traceIds: ['a'.repeat(32)], acceptedSpans: 1, rejectedSpans: 0, refusedSpans: 0, refusedReason: '' });
    const out = JSON.parse(c.store.exportOtlpJson('a'.repeat(32))) as { resourceSpans: { scopeSpans: { spans: { endTimeUnixNano: string }[] }[] }[] };
    assert.equal(out.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.endTimeUnixNano, '1700000000002500000');
    assert.throws(() => importOtlpJson(c.store, 'not json'), /invalid JSON/);
  } finally {
    await c.stop();
  }
});

test('a run is encoded in pieces that make the same document as the whole encoding, across resources and scopes', () => {
  const store = new SpanStore();
  const spans = planRun(7, 'deploy', [[['build', 10, ['npm ci', 'npm test', 'upload']], ['ship', 5, ['push']]], []]);
  const half = Math.floor(spans.length / 2);
  // Two resources (services) and, in the second, two scopes: the grouping must survive the pieces.
  importOtlpJson(store, jsonRequest(spans.slice(0, half), 'svc-a'));
  const second = JSON.parse(jsonRequest(spans.slice(half), 'svc-b')) as { resourceSpans: { scopeSpans: { scope: { name: string }; spans: unknown[] }[] }[] };
  const scopes = second.resourceSpans[0]!.scopeSpans;
  const moved = scopes[0]!.spans.splice(0, 2);
  scopes.push({ scope: { name: 'other' }, spans: moved });
  importOtlpJson(store, JSON.stringify(second));
  const records = store.records(traceIdOf(7));
  assert.equal(records.length, spans.length);
  const whole = encodeOtlpJson(records);
  for (const size of [1, 2, 3, records.length, records.length + 5]) {
    const pieces = [...encodeOtlpJsonPieces(records, size)];
    assert.equal(pieces.join(''), whole, `pieces of ${size} span(s)`);
    assert.ok(pieces.length > (size === 1 ? records.length : 3), 'more than one piece');
  }
  const doc = JSON.parse(whole) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  assert.deepEqual(doc.resourceSpans.map((r) => r.scopeSpans.map((s) => s.spans.length)), [[half], [spans.length - half - 2, 2]]);
});

test('starting with persistence creates no folder until a run is saved', async () => {
  const root = mkdtempSync(join(tmpdir(), 'if-persist-'));
  const dir = join(root, '.instrument-first', 'runs');
  try {
    await withCollector({ persistDir: dir }, async () => {
      assert.equal(existsSync(dir), false, 'nothing saved yet: no folder');
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
