// The collector under test, in its own process (forked by collectorBench with an IPC channel).
// argv[2]: JSON options. Messages in: {type:'stats', gc?:boolean} | {type:'cpu'} | {type:'stop'};
// out: {type:'ready', endpoint, grpcAddress}, {type:'stats', ...}, {type:'cpu', cpu}.
import { Collector } from '../../../src/collector';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as { maxSpans?: number; maxTraces?: number; decodeThreads?: number; grpcPort?: number };
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  const collector = new Collector({ maxSpans: options.maxSpans, maxTraces: options.maxTraces, decodeThreads: options.decodeThreads, grpcPort: options.grpcPort });
  const { endpoint } = await collector.start();
  process.on('message', (m: { type: string; gc?: boolean }) => {
    if (m.type === 'stats') {
      if (m.gc && gc) {
        gc();
        gc();
      }
      process.send?.({ type: 'stats', stats: collector.store.stats(), heapUsed: process.memoryUsage().heapUsed, baseHeap });
    } else if (m.type === 'cpu') {
      process.send?.({ type: 'cpu', cpu: process.cpuUsage() });
    } else if (m.type === 'stop') {
      void collector.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', endpoint, grpcAddress: collector.grpcAddress });
}

void main();
