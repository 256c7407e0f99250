// The collector under test, in its own process (forked by collectorBench and memoryBench with an
// IPC channel). argv[2]: JSON options. Messages in: {type:'stats', gc?:boolean} | {type:'cpu'} |
// {type:'memory'} | {type:'stop'}; out: {type:'ready', endpoint, grpcAddress}, {type:'stats', ...},
// {type:'cpu', cpu, elu, threads} (elu: the main thread's event-loop idle and active ms so far; threads: CPU ms of the storing thread, of the threads started after the collector was made — its decode workers — and of the others, where /proc is readable), {type:'memory', ...} (peak RSS, event-loop delay, full collections and garbage nudges since the last ask).
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { Collector } from '../../../src/collector';
import { memoryMap, type MemoryMap, type MemorySample } from './memoryMap';
import { ThreadCpu } from './threadCpu';

interface ServerOptions {
  maxSpans?: number;
  maxTraces?: number;
  /** Default: large enough that the span limits above are the ones that apply. */
  maxBytes?: number;
  decodeThreads?: number;
  protobufOnWorkers?: boolean;
  /** Also serve OTLP/gRPC on a port (0: free); its address is sent with 'ready'. */
  grpcPort?: number;
  limitHeapGrowth?: boolean;
  maxInFlightBytes?: number;
  /**
   * Sample RSS every 20 ms and read /proc/self/smaps near its peak (for bench:memory). Default on;
   * bench:collector turns it off: its reads cost the storing thread 2–4 % of its CPU, which is the
   * bench's instrument, not the collector.
   */
  sampleMemory?: boolean;
  /** Also keep a memory timeline (memoryMap.ts `MemorySample`, every 500 ms), sent with 'memory' (bench:memory --series). */
  series?: boolean;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  // Threads that exist before the collector is made are V8's and Node's own; later ones are its decode workers.
  const threadCpu = new ThreadCpu();
  const collector = new Collector({
    maxSpans: options.maxSpans,
    maxTraces: options.maxTraces,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024 * 1024,
    decodeThreads: options.decodeThreads,
    protobufOnWorkers: options.protobufOnWorkers,
    grpcPort: options.grpcPort,
    limitHeapGrowth: options.limitHeapGrowth,
    maxInFlightBytes: options.maxInFlightBytes,
  });
  const { endpoint } = await collector.start();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // The storing thread's full collections (their count and longest pause), and the garbage notice's
  // nudges (store/heapGarbage.ts), since the last 'memory' ask.
  let majorGcs = 0;
  let majorGcMaxMs = 0;
  let nudgesBefore = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind !== perfConstants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGcs++;
      majorGcMaxMs = Math.max(majorGcMaxMs, e.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let peakRss = process.memoryUsage.rss();
  // Where RSS goes at its peak: the heap (live and garbage), Buffers and ArrayBuffers (request
  // bodies, decoded copies), and the rest (decode workers' heaps, native).
  let atPeak = process.memoryUsage();
  let peakHeap = 0;
  let peakExternal = 0;
  // The mappings near the peak (read from /proc at most once a second while RSS climbs: a read
  // costs a few ms), and the main isolate's heap spaces then (young generation vs old).
  let mapAtPeak: MemoryMap | undefined;
  let spacesAtPeak: Record<string, number> = {};
  let mapRss = 0;
  let mapAt = 0;
  const spaces = (): Record<string, number> => Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1024 / 1024)]));
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapTotal);
    peakExternal = Math.max(peakExternal, m.external);
    if (m.rss > peakRss) {
      peakRss = m.rss;
      atPeak = m;
      const now = performance.now();
      if (m.rss > mapRss + 4 * 1024 * 1024 && now - mapAt >= 1000) {
        mapAt = now;
        mapRss = m.rss;
        mapAtPeak = memoryMap();
        spacesAtPeak = spaces();
      }
    }
  };
  const sampler = options.sampleMemory === false ? undefined : setInterval(sample, 20);
  sampler?.unref();
  // The timeline: a read of /proc/self/smaps costs the storing thread a few ms, hence opt-in.
  const series: MemorySample[] = [];
  const MiB = 1024 * 1024;
  const seriesTimer = options.series
    ? setInterval(() => {
        const m = process.memoryUsage();
        const old = getHeapSpaceStatistics().find((x) => x.space_name === 'old_space');
        const young = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
        const { largest: _, ...map } = memoryMap() ?? { largest: [] };
        const round = (n: number): number => Math.round(n / MiB);
        series.push({
          t: +(performance.now() / 1000).toFixed(1),
          rss: round(m.rss),
          newSpace: round(young?.space_size ?? 0),
          oldSpace: round(old?.space_size ?? 0),
          oldUsed: round(old?.space_used_size ?? 0),
          external: round(m.external),
          stored: round(collector.budget.usedBytes),
          storedOffHeap: round(collector.budget.offHeapBytes),
          map: 'rssMiB' in map ? (map as MemorySample['map']) : undefined,
        });
      }, 500)
    : undefined;
  seriesTimer?.unref();
  process.on('message', (m: { type: string; gc?: boolean }) => {
    if (m.type === 'stats') {
      if (m.gc && gc) {
        gc();
        gc();
      }
      const mem = process.memoryUsage();
      // The span chunks' columns (where the store has them) are pages V8 maps itself: not in arrayBuffers.
      const columns = (collector.store as { chunkColumnBytes?: number }).chunkColumnBytes ?? 0;
      process.send?.({ type: 'stats', stats: collector.store.stats(), heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers + columns, baseHeap });
    } else if (m.type === 'cpu') {
      process.send?.({ type: 'cpu', cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), threads: threadCpu.read() });
    } else if (m.type === 'memory') {
      sample();
      const nudges = collector.budget.garbage?.nudges ?? 0;
      const gcs = { majorGcs, majorGcMaxMs, nudges: nudges - nudgesBefore };
      nudgesBefore = nudges;
      majorGcs = 0;
      majorGcMaxMs = 0;
      process.send?.({ type: 'memory', gcs, series: series.splice(0), peakRss, atPeak, mapAtPeak, spacesAtPeak, mapNow: memoryMap(), spacesNow: spaces(), peakHeap, peakExternal, longestSliceMs: collector.takeLongestSliceMs(), rss: process.memoryUsage.rss(), delayMaxMs: delay.max / 1e6, delayP99Ms: delay.percentile(99) / 1e6, stats: collector.store.stats() });
      peakRss = process.memoryUsage.rss();
      peakHeap = 0;
      peakExternal = 0;
      mapRss = 0;
      mapAtPeak = undefined;
      delay.reset();
    } else if (m.type === 'stop') {
      clearInterval(sampler);
      clearInterval(seriesTimer);
      gcObserver.disconnect();
      delay.disable();
      void collector.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', endpoint, grpcAddress: collector.grpcAddress });
}

void main();
