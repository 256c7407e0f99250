// A collector in a process of its own with a bounded heap, for tests that send it more than its
// budget (hostileMemory.test.ts). Reports its endpoint, then answers {type:'memory'} with its heap
// after a full GC. argv[2]: JSON CollectorOptions.
import { Collector, type CollectorOptions } from '../../../src/collector';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as CollectorOptions;
  const losses: string[] = [];
  const collector = new Collector({ ...options, onFirstLoss: (m) => losses.push(m) });
  const { endpoint } = await collector.start();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'memory', heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, stats: collector.store.stats(), losses });
    } else if (m.type === 'stop') {
      void collector.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', endpoint });
}

void main();
