// A 10,000-span trace pulled from a (loopback, fake) Jaeger API v3: time from the backend's answer
// read to the timeline's model ready — stored with its origin, read from the store, encoded as the
// span batch the panel posts, its span tree and rows built as the webview builds them. The paint
// itself is timelineBench's (headless Chromium). The reference, in the same run: JSON.parse of the
// answer. Goal (issue 16): on screen ≤ 1 s after the backend answers. Run: npm run bench:remote
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchTrace, parseBackendSpec, storeFetchedTrace, type BackendConfig } from '../../src/collector/backends';
import { SpanStore } from '../../src/collector/store/spanStore';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import { SpanTable } from '../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../src/timelineModel/spanTreeBuilder';
import { buildRows } from '../../src/timelineModel/rows';
import { NO_FILTER } from '../../src/timelineModel/rowFilter';

const SPANS = 10_000;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function answer(): string {
  const spans = [];
  const t0 = 1_765_000_000_000_000_000n;
  for (let i = 0; i < SPANS; i++) {
    const start = t0 + BigInt(i) * 100_000n;
    spans.push({
      traceId: TRACE,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      ...(i > 0 ? { parentSpanId: (Math.floor((i - 1) / 8) + 1).toString(16).padStart(16, '0') } : {}),
      name: i === 0 ? 'GET /checkout' : `step ${i % 50}`,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 5_000_000n),
      attributes: [
        { key: 'http.route', value: { stringValue: '/checkout' } },
        { key: 'n', value: { intValue: String(i) } },
        { key: 'ok', value: { boolValue: i % 7 !== 0 } },
      ],
      events: i % 10 === 0 ? [{ timeUnixNano: String(start + 1000n), name: 'log', attributes: [{ key: 'message', value: { stringValue: `at ${i}` } }] }] : [],
      status: { code: i % 97 === 0 ? 2 : 0 },
    });
  }
  return JSON.stringify({ result: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] } });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const body = answer();
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const backend = parseBackendSpec(`jaeger=http://127.0.0.1:${(server.address() as AddressInfo).port}`) as BackendConfig;
  const after: number[] = [];
  const parse: number[] = [];
  const fetchMs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    JSON.parse(body);
    parse.push(performance.now() - t);
    const fetched = await fetchTrace(backend, TRACE);
    fetchMs.push(fetched.elapsedMs);
    const answered = performance.now();
    const store = new SpanStore();
    const id = storeFetchedTrace(store, fetched).traceIds[0]!;
    const batch = encodeSpanBatch(store.trace(id));
    const tree = buildSpanTree(new SpanTable(batch));
    const rows = buildRows(tree, new Set(), NO_FILTER);
    after.push(performance.now() - answered);
    if (tree.size < SPANS || !rows) throw new Error(`expected ${SPANS} spans in the tree, got ${tree.size}`);
    store.dispose();
  }
  server.close();
  const ms = median(after);
  const result = { spans: SPANS, answerBytes: body.length, fetchMs: Math.round(median(fetchMs)), answerToModelMs: Math.round(ms), jsonParseMs: Number(median(parse).toFixed(1)), ratioToJsonParse: Number((ms / median(parse)).toFixed(1)), goalMs: 1000 };
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stderr.write(
      `remote trace of ${SPANS.toLocaleString('en')} spans (${(body.length / 1e6).toFixed(1)} MB answer): ${result.answerToModelMs} ms from the answer to the timeline model (goal: on screen ≤ 1000 ms; the paint is timelineBench's) = ${result.ratioToJsonParse}× JSON.parse of the answer (${result.jsonParseMs} ms); the loopback fetch itself ${result.fetchMs} ms\n`,
    );
}

main().catch((e: unknown) => {
  process.stderr.write(`remoteTraceBench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
