// 1,000 requests, each a span with a 10 MB string, to a collector with a 64 MiB budget in a process
// whose heap is capped at 384 MiB: without a budget in bytes it dies after a few dozen requests
// (every span kept). With it, the process stays up, within its budget, and still answers; the
// newest traces are whole and the first loss was told once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'node:http';
import type { StoreStats } from '../../../src/protocol/collectorTypes';
import { httpRequest, jsonRequest, spanIdOf, traceIdOf, T0 } from './helpers';

const BUDGET = 64 * 1024 * 1024;
const REQUESTS = 1000;
const STRING = 10 * 1024 * 1024;

interface Memory {
  heapUsed: number;
  rss: number;
  stats: StoreStats;
  losses: string[];
}

function ask(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    child.once('message', (m: Memory) => resolve(m));
    child.send({ type: 'memory' });
  });
}

function post(agent: Agent, endpoint: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('1,000 requests of 10 MB strings: the process stays up within its budget, the newest traces whole', { timeout: 300_000 }, async () => {
  // Decoding in place: the same store path as with workers, at half the test's time.
  const child = fork(join(__dirname, 'boundedCollectorChild.js'), [JSON.stringify({ maxBytes: BUDGET, maxBodyBytes: 16 * 1024 * 1024, decodeThreads: 0 })], {
    execArgv: ['--max-old-space-size=384', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { endpoint: string }) => resolve(m.endpoint));
      child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
    });
    // One body per request, gzipped as two members (gunzip reads them as one stream): the part
    // with the trace id, made per request, and the 10 MB rest, compressed once. The collector
    // gets 10 MB of JSON each time; the test does not spend minutes sending them.
    const template = jsonRequest([{ traceId: traceIdOf(0), spanId: spanIdOf(0), name: 'cloud call', startMs: T0, endMs: T0 + 1, attributes: { 'http.response.body': 'r'.repeat(STRING) } }]);
    const cut = template.indexOf(traceIdOf(0)) + 32;
    const head = template.slice(0, cut);
    const rest = gzipSync(template.slice(cut), { level: 1 });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let next = 0;
    const statuses = new Map<number, number>();
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        const n = ++next;
        const status = await post(agent, endpoint, Buffer.concat([gzipSync(head.replace(traceIdOf(0), traceIdOf(n))), rest]));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    agent.destroy();
    assert.deepEqual([...statuses], [[200, REQUESTS]]);
    assert.equal(exited, undefined, 'the collector is alive');
    const mem = await ask(child);
    assert.ok(mem.stats.bytes <= BUDGET, `${mem.stats.bytes} bytes stored, budget ${BUDGET}`);
    assert.ok(mem.heapUsed < BUDGET + 96 * 1024 * 1024, `heap ${mem.heapUsed} after GC`);
    assert.equal(mem.stats.acceptedSpans, REQUESTS);
    assert.equal(mem.stats.evictedTraces + mem.stats.traces, REQUESTS);
    assert.ok(mem.stats.traces >= 4, `${mem.stats.traces} traces of 10 MB kept in 64 MiB`);
    // One line the first time for each kind of loss: evicted (and truncated, where values are capped).
    assert.equal(mem.losses.filter((m) => /evicted to stay within the memory budget/.test(m)).length, 1);
    assert.ok(mem.losses.length <= 3, mem.losses.join('\n'));
    // The newest trace reads back whole; the store still answers.
    const newest = await httpRequest(endpoint, `/api/traces/${traceIdOf(REQUESTS)}/spans`);
    assert.equal(newest.status, 200);
    const spans = JSON.parse(newest.text) as { attributes: Record<string, { length: number }> }[];
    // The whole string, or (with a per-value cap) a marker that keeps its length.
    assert.equal(spans[0]!.attributes['http.response.body']!.length, STRING);
    assert.equal((await httpRequest(endpoint, '/api/runs')).status, 200);
  } finally {
    if (exited === undefined) {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    }
  }
});
