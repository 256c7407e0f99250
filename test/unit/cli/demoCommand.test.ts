import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { runNode, type Ran } from '../nodeProcess';

function demo(args: string[]): Promise<Ran> {
  return runNode([resolve('dist/cli.js'), 'demo', ...args], { env: { NO_COLOR: '1', OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
}

test('demo: the sample runs go through the embedded collector and both incidents stand out', async () => {
  const r = await demo(['--time-scale', '0.02', '--no-lint']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Embedded OTLP collector listening on http:\/\/127\.0\.0\.1:\d+/);
  // every run's spans were received by the collector (the waterfall is drawn from its store)
  const received = [...r.stdout.matchAll(/trace [0-9a-f]{32} · (\d+) spans received by the collector/g)].map((m) => Number(m[1]));
  assert.deepEqual(received, [19, 18, 10, 12]);
  const cluster = r.stdout.slice(r.stdout.indexOf('What changed: create-cluster'), r.stdout.indexOf('What changed: checkout'));
  assert.match(cluster, /~ changed  pass 1  register_cluster_node_to_lb .*\[.*calls.*\]/);
  assert.match(cluster, /calls  ELBv2 RegisterTargets: 1 -> 0/);
  const checkout = r.stdout.slice(r.stdout.indexOf('What changed: checkout'));
  assert.match(checkout, /\+ added    pass 1  additionalMarkUp/);
});
