// OTLP/gRPC ingest against OTLP/HTTP protobuf ingest, in one run: the same 512-span protobuf bodies
// (real OTel serializer, collector/bodies.ts) from a load process to a collector in its own process
// (fresh for each phase); neither client runs in the collector's process. Three phases per round:
// OTLP/HTTP protobuf (node's HTTP client posting pre-encoded bodies), OTLP/gRPC with a lean client
// (node:http2 streams sending the same bodies as pre-framed gRPC messages) and OTLP/gRPC with
// grpc-js's client (the official OTLP exporters' transport). The order reverses every round (6
// rounds, so each order runs three times). Prints
// spans/s stored for each, the collector's and the load's CPU per body, and the ratios of the
// medians: gRPC (lean client) / HTTP is the goal's ratio — it measures the collector's ingest, each
// load sending pre-encoded bodies as cheaply as its protocol allows — and gRPC (grpc-js) / HTTP
// beside it (on 2 shared cores grpc-js's own CPU per body lowers it). Goal (issue 16): ≥ 1.0.
// Also printed: how long the lean client waits from an answer's headers to its status trailers (what
// a gRPC client waits for; node:http2 writes the trailers a turn after the headers and data) — read
// in the load process (two clock reads per call), it adds no work to the collector. The collector
// process runs without bench:memory's RSS sampler (as in bench:collector), in every phase alike.
// Also printed per phase: the share of it the collector's main thread sat idle (event-loop utilization),
// and its busy time and CPU per body (the storing thread: the gRPC server itself runs on a session thread).
// `--json` prints one JSON object; `--no-grpc-js` runs the goal's two phases only. Run: npm run bench:grpc
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
  /** Lean gRPC client: median ms from an answer's headers to its status trailers. */
  statusWaitP50Ms?: number;
}

function startServer(): Promise<{ child: ChildProcess; endpoint: string; grpcAddress: string }> {
  // No RSS sampler in the collector process (server.ts): it is bench:memory's instrument, not the collector.
  const child = fork(join(__dirname, 'collector', 'server.js'), [JSON.stringify({ maxSpans: 2_000_000, maxTraces: 100_000, grpcPort: 0, sampleMemory: false })], {
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

/** The collector process's CPU ms (all threads) and its main thread's event-loop idle and active ms so far. */
function serverCpuMs(child: ChildProcess): Promise<{ cpu: number; idle: number; active: number; mainCpu: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: NodeJS.CpuUsage; elu: { idle: number; active: number }; threads?: { main: number } }) =>
      resolve({ cpu: (m.cpu.user + m.cpu.system) / 1000, idle: m.elu.idle, active: m.elu.active, mainCpu: m.threads?.main ?? NaN }),
    );
    child.send({ type: 'cpu' });
  });
}

/**
 * Runs the load; `serverCpuMs` is the collector process's CPU time (all threads) while measured,
 * `serverIdle` the share of that time its main thread's event loop was idle (waiting in epoll).
 */
function load(options: object, server: ChildProcess): Promise<LoadResult & { serverCpuMs: number; serverIdle: number; serverActiveMs: number; mainCpuMs: number }> {
  const child = fork(join(__dirname, 'collector', 'load.js'), [JSON.stringify(options)], { execArgv: ['--max-old-space-size=8192', ...(process.env.GRPC_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.GRPC_BENCH_PROF + '/load'] : [])], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  let cpu0 = { cpu: 0, idle: 0, active: 0, mainCpu: 0 };
  child.on('message', () =>
    void serverCpuMs(server).then((ms) => {
      cpu0 = ms;
      child.send({ type: 'go' });
    }),
  );
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load exited with ${code}`));
      void serverCpuMs(server).then((ms) => {
        const idle = ms.idle - cpu0.idle;
        resolve({ ...(JSON.parse(out) as LoadResult), serverCpuMs: ms.cpu - cpu0.cpu, serverIdle: idle / (idle + ms.active - cpu0.active), serverActiveMs: ms.active - cpu0.active, mainCpuMs: ms.mainCpu - cpu0.mainCpu });
      });
    }),
  );
}

type Phase = 'proto' | 'grpc' | 'grpc-js';
/** `--no-grpc-js`: the goal's two phases only (HTTP protobuf and the lean client), for quicker comparisons. */
const withGrpcJs = !process.argv.includes('--no-grpc-js');
const PHASES: readonly Phase[] = withGrpcJs ? ['proto', 'grpc', 'grpc-js'] : ['proto', 'grpc'];
const LABEL: Record<Phase, string> = { proto: 'OTLP/HTTP protobuf:    ', grpc: 'OTLP/gRPC, lean client:', 'grpc-js': 'OTLP/gRPC, grpc-js:    ' };

async function phase(kind: Phase, requests: number): Promise<LoadResult & { stored: number; serverCpuMs: number; serverIdle: number; serverActiveMs: number; mainCpuMs: number }> {
  const server = await startServer();
  try {
    const grpcPhase = kind !== 'proto';
    const r = await load(
      { endpoint: grpcPhase ? server.grpcAddress : server.endpoint, format: grpcPhase ? 'grpc' : 'proto', grpcClient: kind === 'grpc' ? 'http2' : 'grpc-js', requests, warmup: 40, concurrency: 4, templates: 8, channels },
      server.child,
    );
    const s = await stats(server.child);
    if (s.spans !== r.sentSpans) throw new Error(`${kind}: ${r.sentSpans} spans sent, ${s.spans} stored (${JSON.stringify(r.statuses)})`);
    return { ...r, stored: s.spans };
  } finally {
    await stop(server.child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const fixed = (x: number, digits = 2): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const requests = quick ? 200 : 600;
  // An even number of rounds: each order (HTTP first, HTTP last) is run as often as the other.
  const rounds = quick ? 2 : 6;
  const rates: Record<Phase, number[]> = { proto: [], grpc: [], 'grpc-js': [] };
  // Each round's own ratios against its HTTP phase: [lean, grpc-js].
  const roundRatios: [number, number][] = [];
  // CPU ms per body [collector, load] per round: on 2 shared cores the sum bounds the rate.
  const cpu: Record<Phase, [number, number][]> = { proto: [], grpc: [], 'grpc-js': [] };
  // Lean client, per phase: median ms from an answer's headers to its status trailers.
  const statusWaits: number[] = [];
  // The collector's main thread: share of each phase its event loop sat idle.
  const idle: Record<Phase, number[]> = { proto: [], grpc: [], 'grpc-js': [] };
  // The collector's main (storing) thread: ms per body its event loop was busy (wall time, not CPU).
  const active: Record<Phase, number[]> = { proto: [], grpc: [], 'grpc-js': [] };
  // The same thread's CPU ms per body (/proc, 10 ms ticks): what does not grow with descheduling.
  const mainCpu: Record<Phase, number[]> = { proto: [], grpc: [], 'grpc-js': [] };
  for (let i = 0; i < rounds; i++) {
    // The order reverses every round: on a shared machine the load drifts within a round.
    const order = i % 2 === 0 ? PHASES : [...PHASES].reverse();
    const got = {} as Record<Phase, number>;
    for (const kind of order) {
      const r = await phase(kind, requests);
      got[kind] = r.spansPerSec;
      rates[kind].push(r.spansPerSec);
      cpu[kind].push([r.serverCpuMs / requests, r.cpuMs / requests]);
      idle[kind].push(r.serverIdle);
      active[kind].push(r.serverActiveMs / requests);
      mainCpu[kind].push(r.mainCpuMs / requests);
      if (r.statusWaitP50Ms !== undefined) statusWaits.push(r.statusWaitP50Ms);
      const wait = r.statusWaitP50Ms !== undefined ? `; status ${r.statusWaitP50Ms.toFixed(2)} ms after the answer's headers` : '';
      log(`  ${LABEL[kind]} ${Math.round(r.spansPerSec).toLocaleString('en')} spans/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; CPU per body: collector ${(r.serverCpuMs / requests).toFixed(2)} ms, load ${(r.cpuMs / requests).toFixed(2)} ms; collector main thread idle ${(100 * r.serverIdle).toFixed(0)} %${wait})`);
    }
    roundRatios.push([got.grpc / got.proto, (got['grpc-js'] ?? NaN) / got.proto]);
    log(`  round ${i + 1} (${order.join(', ')}): lean ${roundRatios[i]![0].toFixed(2)}×` + (withGrpcJs ? `, grpc-js ${roundRatios[i]![1].toFixed(2)}×` : ''));
  }
  const med = (k: Phase): number => median(rates[k]);
  const cpuMed = (k: Phase): { collector: number; load: number } => ({ collector: fixed(median(cpu[k].map((c) => c[0])), 3), load: fixed(median(cpu[k].map((c) => c[1])), 3) });
  const result = {
    requests,
    rounds,
    spansPerBody: 512,
    grpcChannels: channels,
    httpProtobufSpansPerSec: Math.round(med('proto')),
    grpcSpansPerSec: Math.round(med('grpc')),
    grpcJsSpansPerSec: Math.round(med('grpc-js')),
    /** The goal's ratio: gRPC with the lean client / HTTP protobuf, medians. */
    ratio: fixed(med('grpc') / med('proto')),
    medianRoundRatio: fixed(median(roundRatios.map((r) => r[0]))),
    roundRatios: roundRatios.map((r) => fixed(r[0])),
    /** gRPC with grpc-js's client / HTTP protobuf, medians. */
    grpcJsRatio: fixed(med('grpc-js') / med('proto')),
    grpcJsMedianRoundRatio: fixed(median(roundRatios.map((r) => r[1]))),
    grpcJsRoundRatios: roundRatios.map((r) => fixed(r[1])),
    goal: 1.0,
    cpuMsPerBody: { proto: cpuMed('proto'), grpc: cpuMed('grpc'), 'grpc-js': cpuMed('grpc-js') },
    /** Lean client: median over the phases of the median ms from an answer's headers to its status. */
    leanStatusWaitMs: fixed(median(statusWaits), 3),
    /** Median share of each phase the collector's main thread was idle (event loop in epoll). */
    collectorIdle: { proto: fixed(median(idle.proto)), grpc: fixed(median(idle.grpc)), 'grpc-js': fixed(median(idle['grpc-js'])) },
    /** Median ms per body the collector's main (storing) thread was busy (event-loop active time). */
    mainThreadBusyMsPerBody: { proto: fixed(median(active.proto), 3), grpc: fixed(median(active.grpc), 3), 'grpc-js': fixed(median(active['grpc-js']), 3) },
    /** Median CPU ms per body of the collector's main (storing) thread. */
    mainThreadCpuMsPerBody: { proto: fixed(median(mainCpu.proto), 3), grpc: fixed(median(mainCpu.grpc), 3), 'grpc-js': fixed(median(mainCpu['grpc-js']), 3) },
  };
  if (asJson) process.stdout.write(JSON.stringify(result) + '\n');
  const c = result.cpuMsPerBody;
  const conn = `${channels} HTTP/2 connection${channels === 1 ? '' : 's'}`;
  log(`medians of ${rounds} rounds of ${requests} × 512 spans, order reversing each round; HTTP protobuf over 4 keep-alive sockets, gRPC over ${conn}:`);
  log(`  gRPC, lean node:http2 client (pre-framed bodies) / HTTP protobuf: ${result.ratio.toFixed(2)}× (rounds' own ratios ${result.roundRatios.join(', ')}; median ${result.medianRoundRatio.toFixed(2)}×); goal ≥ 1.0× — ${result.ratio >= 1 ? 'met' : 'not met'}`);
  if (withGrpcJs) log(`  gRPC, grpc-js client (the official exporters' transport) / HTTP protobuf: ${result.grpcJsRatio.toFixed(2)}× (rounds ${result.grpcJsRoundRatios.join(', ')}; median ${result.grpcJsMedianRoundRatio.toFixed(2)}×)`);
  log(`gRPC (lean client): the status trailers ${result.leanStatusWaitMs} ms after the answer's headers (median of the phases' medians)`);
  log(`collector main thread idle (medians): HTTP ${(100 * result.collectorIdle.proto).toFixed(0)} %, gRPC lean ${(100 * result.collectorIdle.grpc).toFixed(0)} %` + (withGrpcJs ? `, gRPC grpc-js ${(100 * result.collectorIdle['grpc-js']).toFixed(0)} %` : ''));
  const b = result.mainThreadBusyMsPerBody;
  log(`collector main (storing) thread busy per body (medians, wall ms): HTTP ${b.proto}, gRPC lean ${b.grpc}` + (withGrpcJs ? `, gRPC grpc-js ${b['grpc-js']}` : ''));
  const t = result.mainThreadCpuMsPerBody;
  log(`collector main (storing) thread CPU per body (medians, ms): HTTP ${t.proto}, gRPC lean ${t.grpc}` + (withGrpcJs ? `, gRPC grpc-js ${t['grpc-js']}` : ''));
  log(`CPU ms per 512-span body (medians), collector / load: HTTP ${c.proto.collector} / ${c.proto.load}; gRPC lean ${c.grpc.collector} / ${c.grpc.load}` + (withGrpcJs ? `; gRPC grpc-js ${c['grpc-js'].collector} / ${c['grpc-js'].load}` : ''));
}

main().catch((e: unknown) => {
  process.stderr.write(`grpcBench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
