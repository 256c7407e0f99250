// Persistence of every finished trace (not only plan runs), atomic writes, retention by count,
// bytes and age, and files that do not load skipped with a warning that names them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../../../src/collector';
import { jsonRequest, planRun, postTraces, spanIdOf, traceIdOf, T0 } from './helpers';

type WithPersistence = { persistence: { flush(): Promise<void> } };
const flush = (c: Collector) => {
  c.store.flushChanges();
  return (c as unknown as WithPersistence).persistence.flush();
};

async function inDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'if-persist-bounds-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every finished trace is kept, plan run or not, including one finished by idleness', async () => {
  await inDir(async (dir) => {
    const first = new Collector({ persistDir: dir, idleMs: 40, changeIntervalMs: 5, decodeThreads: 0 });
    const { endpoint } = await first.start();
    await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'GET /users', startMs: T0, endMs: T0 + 5 }], 'web'));
    // A trace whose root is in another process: finished once idle.
    await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(2), spanId: spanIdOf(2), parentSpanId: spanIdOf(99), name: 'consume', startMs: T0, endMs: T0 + 2 }], 'worker'));
    await postTraces(endpoint, jsonRequest(planRun(3, 'deploy', [[['build', 10, []]], []])));
    for (let i = 0; i < 100 && first.store.run(traceIdOf(2))?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(first.store.run(traceIdOf(2))?.finishedBy, 'idle');
    await flush(first);
    await first.stop();
    const files = readdirSync(dir);
    for (const n of [1, 2, 3]) assert.ok(files.some((f) => f.includes(traceIdOf(n))), `trace ${n} written: ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary file left');

    const second = new Collector({ persistDir: dir, decodeThreads: 0 });
    await second.start();
    try {
      assert.equal(second.store.run(traceIdOf(1))?.plan, 'GET /users');
      assert.equal(second.store.run(traceIdOf(1))?.serviceName, 'web');
      assert.equal(second.store.run(traceIdOf(2))?.spanCount, 1);
      assert.equal(second.store.run(traceIdOf(2))?.status, 'converged', 'a loaded trace is finished: nothing more will come');
      assert.equal(second.store.run(traceIdOf(3))?.kind, 'plan');
    } finally {
      await second.stop();
    }
  });
});

test('a write is atomic: the old file stays whole until the new one replaces it; a leftover temp file is removed, never loaded', async () => {
  await inDir(async (dir) => {
    const c = new Collector({ persistDir: dir, decodeThreads: 0 });
    const { endpoint } = await c.start();
    await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'first', startMs: T0, endMs: T0 + 5 }]));
    await flush(c);
    const [name] = readdirSync(dir);
    const before = readFileSync(join(dir, name!), 'utf8');
    // A late span rewrites the file: every state seen on disk is a whole document.
    const seen = new Set<string>();
    const watcher = setInterval(() => {
      for (const f of readdirSync(dir)) if (f.endsWith('.json')) seen.add(readFileSync(join(dir, f), 'utf8'));
    }, 1);
    await postTraces(endpoint, jsonRequest(Array.from({ length: 3000 }, (_, i) => ({ traceId: traceIdOf(1), spanId: spanIdOf(10 + i), parentSpanId: spanIdOf(1), name: `late ${i}`, startMs: T0 + 1, endMs: T0 + 2 }))));
    await flush(c);
    clearInterval(watcher);
    await c.stop();
    for (const text of seen) assert.doesNotThrow(() => JSON.parse(text), 'never half a file');
    const after = readFileSync(join(dir, name!), 'utf8');
    assert.notEqual(after, before);
    assert.equal(readdirSync(dir).length, 1);
    // A crash mid-write leaves a temp file: removed on start, not loaded.
    writeFileSync(join(dir, `${name}.123-1.tmp`), after.slice(0, 100));
    const warnings: string[] = [];
    const again = new Collector({ persistDir: dir, onWarning: (m) => warnings.push(m), decodeThreads: 0 });
    await again.start();
    await again.stop();
    assert.deepEqual(warnings, []);
    assert.deepEqual(readdirSync(dir), [name]);
  });
});

test('corrupt and truncated files are skipped with a warning naming each; the others load', async () => {
  await inDir(async (dir) => {
    const good = jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'kept', startMs: T0, endMs: T0 + 1 }]);
    writeFileSync(join(dir, 'good.json'), good);
    writeFileSync(join(dir, 'truncated.json'), good.slice(0, good.length - 20));
    writeFileSync(join(dir, 'corrupt.json'), '\u0000\u0001 not json');
    writeFileSync(join(dir, 'wrong-shape.json'), JSON.stringify({ resourceSpans: 'no' }));
    const warnings: string[] = [];
    const c = new Collector({ persistDir: dir, onWarning: (m) => warnings.push(m), decodeThreads: 0 });
    await c.start();
    try {
      assert.equal(c.store.run(traceIdOf(1))?.plan, 'kept');
      for (const bad of ['truncated.json', 'corrupt.json', 'wrong-shape.json']) assert.ok(warnings.some((w) => w.includes(join(dir, bad))), `${bad} named in ${warnings.join(' | ')}`);
      assert.equal(warnings.length, 3);
    } finally {
      await c.stop();
    }
  });
});

test('retention by bytes and by age, newest kept', async () => {
  await inDir(async (dir) => {
    const c = new Collector({ persistDir: dir, retention: 100, retentionBytes: 40_000, decodeThreads: 0 });
    const { endpoint } = await c.start();
    for (let n = 1; n <= 8; n++) {
      await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(n), spanId: spanIdOf(n), name: `t${n}`, startMs: T0 + n, endMs: T0 + n + 1, attributes: { body: 'x'.repeat(10_000) } }]));
      await flush(c);
      await new Promise((r) => setTimeout(r, 5));
    }
    await c.stop();
    const files = readdirSync(dir);
    const total = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    assert.ok(total <= 40_000, `${total} bytes kept`);
    assert.ok(files.length >= 3 && files.length < 8);
    assert.ok(files.some((f) => f.includes(traceIdOf(8))), 'the newest is kept');
    assert.ok(!files.some((f) => f.includes(traceIdOf(1))));

    // Age: a file last written 40 days ago goes on the next start.
    const old = files.find((f) => f.includes(traceIdOf(8)))!;
    const past = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    for (const f of files) if (f !== old) utimesSync(join(dir, f), past, past);
    const aged = new Collector({ persistDir: dir, retentionMs: 30 * 24 * 3600 * 1000, decodeThreads: 0 });
    await aged.start();
    await aged.stop();
    assert.deepEqual(readdirSync(dir), [old]);
  });
});
