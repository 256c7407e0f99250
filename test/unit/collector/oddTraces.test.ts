// Odd traces from odd senders: a 100,000-deep parent chain read through every path (read API,
// `show`, the terminal waterfall, the timeline model, procedure stats, run diff), parent cycles
// and self-parents shown as roots with a note, and times no Date can hold kept out of the way of
// listings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { SpanStore } from '../../../src/collector';
import { treeJson } from '../../../src/collector/store/queries/traceTree';
import { formatRuns } from '../../../src/cli/commands/query';
import { renderWaterfall } from '../../../src/text/waterfall';
import { spanForest } from '../../../src/trace/spanForest';
import type { SpanNode, TraceTree } from '../../../src/protocol/collectorTypes';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { NodeFlag } from '../../../src/timelineModel/spanTree';
import { httpRequest, jsonRequest, postTraces, spanIdOf, traceIdOf, T0, withCollector, type SpanSpec } from './helpers';
import { importOtlpJson } from '../../../src/collector/ingest/otlpJsonDecoder';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');
const DEPTH = 100_000;

function chain(trace: number, depth: number): SpanSpec[] {
  return Array.from({ length: depth }, (_, i) => ({
    traceId: traceIdOf(trace),
    spanId: spanIdOf(i + 1),
    ...(i > 0 ? { parentSpanId: spanIdOf(i) } : {}),
    name: i === 0 ? 'deep root' : `level ${i}`,
    startMs: T0 + i * 0.001,
    endMs: T0 + 2 * DEPTH * 0.001 + 1 - i * 0.001,
    attributes: (i % 2 ? { 'instrument_first.kind': 'step', 'procedure.id': `p${i % 7}` } : { 'instrument_first.kind': 'call' }) as Record<string, string>,
  }));
}

/** Depth of a parsed tree, walked with a stack. */
function depthOf(roots: SpanNode[]): number {
  let max = 0;
  const stack: [SpanNode, number][] = roots.map((r) => [r, 1]);
  while (stack.length) {
    const [n, d] = stack.pop()!;
    max = Math.max(max, d);
    for (const c of n.children) stack.push([c, d + 1]);
  }
  return max;
}

function cli(args: string[]): Promise<Ran> {
  return runNode([CLI, ...args], { env: { NO_COLOR: '1', OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
}

test('a 100,000-deep chain reads through the read API, show, the waterfall, the timeline model, stats and diff', async () => {
  await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    const earlier = [{ traceId: traceIdOf(9), spanId: spanIdOf(1), name: 'earlier', startMs: T0, endMs: T0 + 1 }];
    await postTraces(endpoint, jsonRequest(earlier));
    const spans = chain(1, DEPTH);
    for (let i = 0; i < spans.length; i += 20_000) assert.equal((await postTraces(endpoint, jsonRequest(spans.slice(i, i + 20_000)))).status, 200);
    const api = await httpRequest(endpoint, `/api/traces/${traceIdOf(1)}`);
    assert.equal(api.status, 200);
    const tree = JSON.parse(api.text) as TraceTree;
    assert.equal(tree.spanCount, DEPTH);
    assert.equal(tree.roots.length, 1);
    assert.equal(depthOf(tree.roots), DEPTH);
    assert.equal(tree.summary.status, 'converged');

    const shown = await cli(['show', traceIdOf(1), '--collector', endpoint, '--rows', '30']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /deep root/);
    assert.match(shown.stdout, /99,970 more spans not shown/);
    assert.ok(shown.stdout.split('\n').every((l) => l.length < 400), 'rows stay short however deep');

    const text = renderWaterfall(c.store.trace(traceIdOf(1)), { maxRows: DEPTH });
    assert.equal(text.trimEnd().split('\n').length, DEPTH + 1);

    const table = new SpanTable(encodeSpanBatch(c.store.trace(traceIdOf(1))));
    const model = buildSpanTree(table);
    assert.equal(model.size, DEPTH);
    assert.equal(model.depth[DEPTH - 1], DEPTH - 1);
    assert.deepEqual(model.roots, [0]);

    const stats = c.store.procedureStats({});
    assert.equal(stats.length, 7, 'procedures p0..p6, counted without a stack overflow');
    assert.equal(stats.reduce((n, p) => n + p.count, 0), DEPTH / 2);
    const other = chain(2, DEPTH).map((s) => ({ ...s, attributes: { ...s.attributes, 'instrument_first.kind': 'step' } }));
    importOtlpJson(c.store, jsonRequest(other));
    const diff = await httpRequest(endpoint, `/api/diff?a=${traceIdOf(1)}&b=${traceIdOf(2)}`);
    assert.equal(diff.status, 200);
    assert.equal((await httpRequest(endpoint, `/api/traces/${traceIdOf(1)}/spans`)).status, 200);
    assert.equal((await httpRequest(endpoint, `/api/traces/${traceIdOf(1)}/otlp`)).status, 200);
    assert.equal(c.store.run(traceIdOf(9))?.plan, 'earlier', 'earlier data intact');
  });
});

test('self-parents and parent cycles are roots with a note in the API tree, the waterfall and the timeline model', () => {
  const store = new SpanStore();
  const t = traceIdOf(1);
  const s = (id: number, parent: number | undefined, name: string): SpanSpec => ({ traceId: t, spanId: spanIdOf(id), ...(parent ? { parentSpanId: spanIdOf(parent) } : {}), name, startMs: T0 + id, endMs: T0 + id + 1 });
  importOtlpJson(store, 
    jsonRequest([s(1, undefined, 'root'), s(2, 1, 'child'), s(3, 3, 'self'), s(4, 5, 'cycle a'), s(5, 4, 'cycle b'), s(6, 5, 'below cycle'), s(7, 99, 'orphan')]),
  );
  const tree = store.tree(t)!;
  const roots = new Map(tree.roots.map((r) => [r.name, r]));
  assert.equal(roots.get('root')?.rootNote, undefined);
  assert.equal(roots.get('self')?.rootNote, 'own parent');
  assert.equal(roots.get('orphan')?.rootNote, 'missing parent');
  const cycleRoot = tree.roots.find((r) => r.rootNote === 'parent cycle')!;
  assert.ok(cycleRoot.name === 'cycle a' || cycleRoot.name === 'cycle b');
  assert.equal(tree.roots.length, 4);
  let count = 0;
  const stack = [...tree.roots];
  while (stack.length) {
    count++;
    stack.push(...stack.pop()!.children);
  }
  assert.equal(count, 7, 'every span is shown once');

  // Go to code's chain: the span and its ancestors, ending at a missing parent, itself, or a cycle.
  const names = (id: number) => store.spanChain(t, spanIdOf(id)).map((x) => x.name);
  assert.deepEqual(names(2), ['child', 'root']);
  assert.deepEqual(names(3), ['self']);
  assert.deepEqual(names(6), ['below cycle', 'cycle b', 'cycle a']);
  assert.deepEqual(names(7), ['orphan']);
  assert.deepEqual(names(42), []);
  assert.deepEqual(store.spanChain(traceIdOf(2), spanIdOf(1)), []);
  assert.deepEqual(store.spanChain(t, spanIdOf(2), 1).map((x) => x.name), ['child']);
  assert.deepEqual(JSON.parse(treeJson(tree)), JSON.parse(JSON.stringify(tree)));

  const spans = store.trace(t);
  const forest = spanForest(spans);
  assert.equal(forest.length, 4);
  const text = renderWaterfall(spans, { maxRows: 100 });
  assert.match(text, /self \(own parent\)/);
  assert.match(text, /cycle [ab] \(parent cycle\)/);
  assert.match(text, /orphan \(missing parent\)/);
  assert.match(text, /below cycle/);

  const model = buildSpanTree(new SpanTable(encodeSpanBatch(spans)));
  assert.equal(model.size, 7);
  const flagOf = (name: string) => model.flags[model.byId.get(spans.find((x) => x.name === name)!.spanId)!]!;
  assert.ok(flagOf('self') & NodeFlag.ownParent);
  assert.ok(flagOf('cycle a') & NodeFlag.cycle || flagOf('cycle b') & NodeFlag.cycle);
  assert.equal(flagOf('below cycle') & NodeFlag.cycle, 0, 'a span below a cycle stays below it');
  assert.match(model.rootNote(model.byId.get(spanIdOf(3))!), /own id/);
});

test('a time no Date can hold does not break the listing of runs', async () => {
  await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
    await postTraces(endpoint, jsonRequest([{ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'fine', startMs: T0, endMs: T0 + 1 }]));
    // 23 digits of nanoseconds: 1e16 ms, beyond the ±8.64e15 ms a Date holds.
    const body = jsonRequest([{ traceId: traceIdOf(2), spanId: spanIdOf(2), name: 'far', startMs: 0, endMs: 0 }]).replace(/"startTimeUnixNano":"0"/, '"startTimeUnixNano":"10000000000000000000000"').replace(/"endTimeUnixNano":"0"/, '"endTimeUnixNano":"10000000000000000000001"');
    await postTraces(endpoint, body);
    const listing = formatRuns(c.store.runs());
    assert.match(listing, /fine/);
    if (c.store.run(traceIdOf(2))) assert.match(listing, /far .*\?/);
    const r = await cli(['runs', '--collector', endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fine/);
  });
});
