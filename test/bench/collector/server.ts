// The collector under test, in its own process (forked by collectorBench and memoryBench with an
// IPC channel). argv[2]: JSON options. Messages in: {type:'stats', gc?:boolean} | {type:'cpu'} |
// {type:'memory'} | {type:'stop'}; out: {type:'ready', endpoint, grpcAddress}, {type:'stats', ...},
// {type:'cpu', cpu}, {type:'memory', ...} (peak RSS and event-loop delay since the last ask).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Collector } from '../../../src/collector';

interface ServerOptions {
  maxSpans?: number;
  maxTraces?: number;
  /** Default: large enough that the span limits above are the ones that apply. */
  maxBytes?: number;
  decodeThreads?: number;
  protobufOnWorkers?: boolean;
  /** Also serve OTLP/gRPC on a port (0: free); its address is sent with 'ready'. */
  grpcPort?: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  const collector = new Collector({
    maxSpans: options.maxSpans,
    maxTraces: options.maxTraces,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024 * 1024,
    decodeThreads: options.decodeThreads,
    protobufOnWorkers: options.protobufOnWorkers,
    grpcPort: options.grpcPort,
  });
  const { endpoint } = await collector.start();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  sampler.unref();
  process.on('message', (m: { type: string; gc?: boolean }) => {
    if (m.type === 'stats') {
      if (m.gc && gc) {
        gc();
        gc();
      }
      process.send?.({ type: 'stats', stats: collector.store.stats(), heapUsed: process.memoryUsage().heapUsed, baseHeap });
    } else if (m.type === 'cpu') {
      process.send?.({ type: 'cpu', cpu: process.cpuUsage() });
    } else if (m.type === 'memory') {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      process.send?.({ type: 'memory', peakRss, rss: process.memoryUsage.rss(), delayMaxMs: delay.max / 1e6, delayP99Ms: delay.percentile(99) / 1e6, stats: collector.store.stats() });
      peakRss = process.memoryUsage.rss();
      delay.reset();
    } else if (m.type === 'stop') {
      clearInterval(sampler);
      delay.disable();
      void collector.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', endpoint, grpcAddress: collector.grpcAddress });
}

void main();
