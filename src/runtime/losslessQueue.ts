import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';

/** What a {@link LosslessQueue} exports to: the shape of OpenTelemetry's span and log record exporters. */
export interface BatchExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface LosslessProcessorOptions {
  /** Items (spans, log records) per export call. */
  maxBatch?: number;
  /** Queue length at which producers are asked to wait (see {@link LosslessQueue.needsDrain}). */
  highWater?: number;
  /** Queue length at which waiting producers resume. */
  lowWater?: number;
  /** How long a partial batch may wait before it is exported. */
  scheduleDelayMs?: number;
  maxInFlight?: number;
  /** Attempts per batch before its items are counted as dropped. */
  retries?: number;
  /** First retry delay; doubled on each further attempt. */
  retryDelayMs?: number;
}

export interface DeliveryStats {
  produced: number;
  delivered: number;
  dropped: number;
  failedExports: number;
  queued: number;
}

/**
 * A batching export queue that never drops an item to keep up. The SDK's batch processors drop
 * spans and log records once their queue is full, which with fast steps is nearly all of them;
 * this one keeps every item and instead exposes backpressure: the scheduler awaits {@link drain}
 * when {@link needsDrain} is true. Items are lost only when an export keeps failing after
 * retries, and then they are counted in `stats.dropped`. Shared by the span and log record
 * processors.
 */
export class LosslessQueue<T> {
  private queue: T[] = [];
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private drainWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly o: Required<LosslessProcessorOptions>;
  private readonly counters = { produced: 0, delivered: 0, dropped: 0, failedExports: 0 };

  constructor(
    private readonly exporter: BatchExporter<T>,
    options: LosslessProcessorOptions = {},
  ) {
    this.o = {
      maxBatch: options.maxBatch ?? 512,
      highWater: options.highWater ?? 16_384,
      lowWater: options.lowWater ?? 4_096,
      scheduleDelayMs: options.scheduleDelayMs ?? 200,
      maxInFlight: options.maxInFlight ?? 2,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 100,
    };
  }

  get stats(): DeliveryStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** True when producers should await {@link drain} before making more items. */
  get needsDrain(): boolean {
    return this.queue.length >= this.o.highWater;
  }

  /** Queues one item for export (counted as dropped once the queue is shut down). */
  protected enqueue(item: T): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    this.counters.produced++;
    this.queue.push(item);
    if (this.queue.length >= this.o.maxBatch) this.pump();
    else this.armTimer();
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump(true);
    }, this.o.scheduleDelayMs);
    this.timer.unref();
  }

  /** Resolves once the queue is back under the low-water mark. */
  drain(): Promise<void> {
    if (this.queue.length < this.o.lowWater) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.pump();
    });
  }

  /** Exports everything queued; resolves when nothing is queued or in flight. */
  forceFlush(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.pump(true);
    });
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await this.forceFlush();
      this.closed = true;
      await this.exporter.shutdown();
    })();
    return this.shutdownPromise;
  }

  private pump(flushPartial = false): void {
    if (this.timer && (flushPartial || this.queue.length >= this.o.maxBatch)) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      if (!flushPartial && this.queue.length < this.o.maxBatch && this.idleWaiters.length === 0) break;
      const batch = this.queue.splice(0, this.o.maxBatch);
      this.inFlight++;
      this.send(batch, 0);
    }
    if (this.queue.length > 0) this.armTimer();
    this.settle();
  }

  private send(batch: T[], attempt: number): void {
    const done = (result: ExportResult) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.counters.delivered += batch.length;
      } else if (attempt + 1 < this.o.retries) {
        this.counters.failedExports++;
        // Not unref'd: a flush waiting on this retry must keep the process alive.
        setTimeout(() => this.send(batch, attempt + 1), this.o.retryDelayMs * 2 ** attempt);
        return;
      } else {
        this.counters.failedExports++;
        this.counters.dropped += batch.length;
      }
      this.inFlight--;
      this.pump(this.idleWaiters.length > 0 || this.drainWaiters.length > 0);
    };
    context.with(suppressTracing(context.active()), () => {
      try {
        this.exporter.export(batch, done);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
  }

  private settle(): void {
    if (this.queue.length < this.o.lowWater && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    if (this.queue.length === 0 && this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
