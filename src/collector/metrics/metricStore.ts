import type { AttrValue } from '../../protocol/spanView';
import { MemoryBudget } from '../store/memoryBudget';

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

/** One data point as decoded: gauges and sums have `value`; histograms and summaries `count` and `sum`. */
export interface MetricPoint {
  timeMs: number;
  value?: number;
  count?: number;
  sum?: number;
}

/** A decoded point with what identifies its series. */
export interface DecodedMetricPoint extends MetricPoint {
  serviceName: string;
  name: string;
  unit: string;
  kind: MetricKind;
  attributes: Record<string, AttrValue>;
}

/** One series as the read API answers it: the latest points, oldest first. */
export interface MetricSeries {
  serviceName: string;
  name: string;
  unit: string;
  kind: MetricKind;
  attributes: Record<string, AttrValue>;
  points: MetricPoint[];
}

export interface MetricStoreOptions {
  /** Without a shared budget: estimated heap bytes kept at most (default 16 MiB): least recently updated series go first. */
  maxBytes?: number;
  /** The budget shared with spans and log records (the Collector's): series count against it. */
  budget?: MemoryBudget;
  /** Points kept per series (default 120: two minutes of a 1 s export interval). */
  window?: number;
}

interface Series extends MetricSeries {
  bytes: number;
  /** When its latest point arrived, on the budget's clock (its age for eviction). */
  updatedAt: number;
}

const POINT_BYTES = 64;

/**
 * The latest points of each metric series (per service, metric and attributes) in a bounded
 * window, within a byte budget.
 */
export class MetricStore {
  readonly maxBytes: number;
  readonly window: number;
  private readonly series = new Map<string, Series>();
  private bytes = 0;
  private accepted = 0;
  private evictedSeries = 0;
  readonly budget: MemoryBudget;
  private readonly addListeners = new Set<(services: ReadonlySet<string>) => void>();

  constructor(options: MetricStoreOptions = {}) {
    this.budget = options.budget ?? new MemoryBudget(Math.max(1024, options.maxBytes ?? 16 * 1024 * 1024));
    this.maxBytes = this.budget.maxBytes;
    this.window = Math.max(1, options.window ?? 120);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    this.budget.register({
      signal: 'metrics',
      get bytes() {
        return store.bytes;
      },
      get units() {
        return store.series.size;
      },
      // The map is in order of last update: its first series is the least recently updated.
      nextEvictionAge: () => (this.series.values().next().value as Series | undefined)?.updatedAt,
      evictOne: () => this.evictOldest(),
    });
  }

  add(points: readonly DecodedMetricPoint[]): void {
    const now = this.budget.clock();
    for (const p of points) {
      const key = `${p.serviceName}\u0000${p.name}\u0000${JSON.stringify(p.attributes)}`;
      let s = this.series.get(key);
      if (s) this.series.delete(key);
      else {
        const bytes = 200 + key.length * 2;
        s = { serviceName: p.serviceName, name: p.name, unit: p.unit, kind: p.kind, attributes: p.attributes, points: [], bytes, updatedAt: now };
        this.bytes += bytes;
      }
      s.updatedAt = now;
      this.series.set(key, s);
      const point: MetricPoint = { timeMs: p.timeMs };
      if (p.value !== undefined) point.value = p.value;
      if (p.count !== undefined) point.count = p.count;
      if (p.sum !== undefined) point.sum = p.sum;
      s.points.push(point);
      s.bytes += POINT_BYTES;
      this.bytes += POINT_BYTES;
      if (s.points.length > this.window) {
        s.points.shift();
        s.bytes -= POINT_BYTES;
        this.bytes -= POINT_BYTES;
      }
    }
    this.accepted += points.length;
    this.budget.enforce();
    if (this.addListeners.size && points.length) {
      const services = new Set(points.map((p) => p.serviceName));
      for (const f of this.addListeners) f(services);
    }
  }

  /** Gives up the least recently updated series (the budget asks); returns its bytes, 0 when none is left. */
  private evictOldest(): number {
    const first = this.series.entries().next().value;
    if (!first) return 0;
    const [key, oldest] = first;
    this.series.delete(key);
    this.bytes -= oldest.bytes;
    this.evictedSeries++;
    return oldest.bytes;
  }

  /** Called after points were stored, with the services that sent them. */
  onDidAdd(listener: (services: ReadonlySet<string>) => void): { dispose(): void } {
    this.addListeners.add(listener);
    return { dispose: () => this.addListeners.delete(listener) };
  }

  /** Series, optionally of one service and/or one metric name, with points after `sinceMs`. */
  query(filter: { service?: string; name?: string; sinceMs?: number } = {}): MetricSeries[] {
    const out: MetricSeries[] = [];
    for (const s of this.series.values()) {
      if (filter.service && s.serviceName !== filter.service) continue;
      if (filter.name && s.name !== filter.name) continue;
      const points = filter.sinceMs ? s.points.filter((p) => p.timeMs >= filter.sinceMs!) : s.points.slice();
      out.push({ serviceName: s.serviceName, name: s.name, unit: s.unit, kind: s.kind, attributes: s.attributes, points });
    }
    return out.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.name.localeCompare(b.name));
  }

  stats(): { series: number; bytes: number; maxBytes: number; acceptedPoints: number; evictedSeries: number } {
    return { series: this.series.size, bytes: this.bytes, maxBytes: this.maxBytes, acceptedPoints: this.accepted, evictedSeries: this.evictedSeries };
  }
}
