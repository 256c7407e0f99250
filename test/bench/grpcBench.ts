// OTLP/gRPC ingest against OTLP/HTTP protobuf ingest, in one run: the same 512-span protobuf bodies
// (real OTel serializer, collector/bodies.ts) from a load process to a collector in its own process
// (fresh for each phase), alternating HTTP and gRPC phases; prints spans/s stored for each and the
// ratio gRPC / HTTP of the medians (and each round's own ratio, the order alternating between
// rounds). Goal (issue 16): ratio ≥ 1.0. `--json` prints one JSON object.
// Run: npm run bench:grpc
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { StoreStats } from '../../src/protocol/collectorTypes';

const asJson = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
/** `--channels N`: gRPC connections of the load (default 1, as the official exporter opens; HTTP uses 4 sockets). */
const channelsArg = process.argv.indexOf('--channels');
const channels = channelsArg > 0 ? Math.max(1, Number(process.argv[channelsArg + 1]) || 1) : 1;
const log = (m: string): void => {
  if (!asJson) process.stderr.write(m + '\n');
};

interface LoadResult {
  sentSpans: number;
  measuredSpans: number;
  spansPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the load process while measuring. */
  cpuMs: number;
  statuses: Record<string, number>;
}

function startServer(): Promise<{ child: ChildProcess; endpoint: string; grpcAddress: string }> {
  const child = fork(join(__dirname, 'collector', 'server.js'), [JSON.stringify({ maxSpans: 2_000_000, maxTraces: 100_000, grpcPort: 0 })], {
    execArgv: ['--max-old-space-size=8192', ...(process.env.GRPC_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.GRPC_BENCH_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { endpoint: string; grpcAddress: string }) => resolve({ child, endpoint: m.endpoint, grpcAddress: m.grpcAddress }));
    child.once('exit', (code) => reject(new Error(`collector process exited with ${code}`)));
  });
}

function stats(child: ChildProcess): Promise<StoreStats> {
  return new Promise((resolve) => {
    child.once('message', (m: { stats: StoreStats }) => resolve(m.stats));
    child.send({ type: 'stats' });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send({ type: 'stop' });
  });
}

function serverCpuMs(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve((m.cpu.user + m.cpu.system) / 1000));
    child.send({ type: 'cpu' });
  });
}

/** Runs the load; `serverCpuMs` is the collector process's CPU time (all threads) while measured. */
function load(options: object, server: ChildProcess): Promise<LoadResult & { serverCpuMs: number }> {
  const child = fork(join(__dirname, 'collector', 'load.js'), [JSON.stringify(options)], { execArgv: ['--max-old-space-size=8192', ...(process.env.GRPC_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.GRPC_BENCH_PROF + '/load'] : [])], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  let cpu0 = 0;
  child.on('message', () =>
    void serverCpuMs(server).then((ms) => {
      cpu0 = ms;
      child.send({ type: 'go' });
    }),
  );
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load exited with ${code}`));
      void serverCpuMs(server).then((ms) => resolve({ ...(JSON.parse(out) as LoadResult), serverCpuMs: ms - cpu0 }));
    }),
  );
}

async function phase(format: 'proto' | 'grpc', requests: number): Promise<LoadResult & { stored: number; serverCpuMs: number }> {
  const server = await startServer();
  try {
    const r = await load({ endpoint: format === 'grpc' ? server.grpcAddress : server.endpoint, format, requests, warmup: 40, concurrency: 4, templates: 8, channels }, server.child);
    const s = await stats(server.child);
    if (s.spans !== r.sentSpans) throw new Error(`${format}: ${r.sentSpans} spans sent, ${s.spans} stored (${JSON.stringify(r.statuses)})`);
    return { ...r, stored: s.spans };
  } finally {
    await stop(server.child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const requests = quick ? 200 : 600;
  const rounds = quick ? 1 : 5;
  const http: number[] = [];
  const grpcRates: number[] = [];
  const ratios: number[] = [];
  // CPU ms per body [collector, load] per round: on 2 shared cores the sum bounds the rate.
  const cpu: Record<'proto' | 'grpc', [number, number][]> = { proto: [], grpc: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first: on a shared machine the load drifts within a round.
    const order: ('proto' | 'grpc')[] = i % 2 === 0 ? ['proto', 'grpc'] : ['grpc', 'proto'];
    const got: Record<string, number> = {};
    for (const format of order) {
      const r = await phase(format, requests);
      got[format] = r.spansPerSec;
      log(`  ${format === 'grpc' ? 'OTLP/gRPC:         ' : 'OTLP/HTTP protobuf:'} ${Math.round(r.spansPerSec).toLocaleString('en')} spans/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; CPU per body: collector ${(r.serverCpuMs / requests).toFixed(2)} ms, load ${(r.cpuMs / requests).toFixed(2)} ms)`);
      cpu[format].push([r.serverCpuMs / requests, r.cpuMs / requests]);
    }
    http.push(got.proto!);
    grpcRates.push(got.grpc!);
    ratios.push(got.grpc! / got.proto!);
    log(`  round ${i + 1}: ${ratios[i]!.toFixed(2)}×`);
  }
  const ratio = median(grpcRates) / median(http);
  const result = {
    requests,
    rounds,
    spansPerBody: 512,
    httpProtobufSpansPerSec: Math.round(median(http)),
    grpcSpansPerSec: Math.round(median(grpcRates)),
    ratio: Number(ratio.toFixed(2)),
    medianRoundRatio: Number(median(ratios).toFixed(2)),
    roundRatios: ratios.map((r) => Number(r.toFixed(2))),
    goal: 1.0,
    grpcChannels: channels,
    cpuMsPerBody: Object.fromEntries(
      (['proto', 'grpc'] as const).map((f) => [f, { collector: Number(median(cpu[f].map((c) => c[0])).toFixed(3)), load: Number(median(cpu[f].map((c) => c[1])).toFixed(3)) }]),
    ),
  };
  if (asJson) process.stdout.write(JSON.stringify(result) + '\n');
  else
    log(
      `gRPC (${channels} HTTP/2 connection${channels === 1 ? '' : 's'}) / HTTP protobuf (4 sockets) ingest: ${ratio.toFixed(2)}× (medians of ${rounds} rounds of ${requests} × 512 spans, order alternating); median of the rounds' own ratios ${median(ratios).toFixed(2)}× (${result.roundRatios.join(', ')}); goal ≥ 1.0×`,
    );
  log(`CPU ms per 512-span body (medians): HTTP collector ${result.cpuMsPerBody.proto!.collector}, load ${result.cpuMsPerBody.proto!.load}; gRPC collector ${result.cpuMsPerBody.grpc!.collector}, load ${result.cpuMsPerBody.grpc!.load}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`grpcBench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
