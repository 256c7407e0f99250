import type { AcceptedBody } from './ingest/otlpHttpReceiver';
import type { ExtraCounters } from './store/spanStoreTypes';

export interface ForwardOptions {
  /** Full OTLP/HTTP traces URL, e.g. http://tempo:4318/v1/traces (a base URL gets /v1/traces). */
  url: string;
  headers?: Record<string, string>;
  /** Batches waiting at most (default 256); beyond it the oldest is dropped and counted. */
  maxQueue?: number;
  /** Bytes waiting at most (default 64 MiB). */
  maxQueueBytes?: number;
  /** Tries per batch (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled on each retry up to maxBackoffMs (defaults 200 ms, 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
}

/** Retryable per the OTLP/HTTP spec. */
const RETRYABLE = new Set([429, 502, 503, 504]);

export function forwardUrl(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/v1/traces')) u.pathname = u.pathname.replace(/\/+$/, '') + '/v1/traces';
  return u.toString();
}

/**
 * Sends every accepted batch, unchanged, to another OTLP/HTTP endpoint. Enqueueing is O(1) and
 * never waits: ingest is never slowed by a slow or dead endpoint. One request in flight at a time.
 */
export class Forwarder {
  private readonly queue: AcceptedBody[] = [];
  private queuedBytes = 0;
  private busy = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<AbortController>();
  readonly url: string;
  lastError = '';

  constructor(
    private readonly options: ForwardOptions,
    private readonly counters: ExtraCounters,
    private readonly onWarning: (message: string) => void = () => {},
  ) {
    this.url = forwardUrl(options.url);
  }

  enqueue(batch: AcceptedBody): void {
    if (this.stopped) return;
    const maxQueue = this.options.maxQueue ?? 256;
    const maxBytes = this.options.maxQueueBytes ?? 64 * 1024 * 1024;
    this.queue.push(batch);
    this.queuedBytes += batch.body.length;
    // The head is in flight while busy: drop the oldest waiting batch instead.
    const first = this.busy ? 1 : 0;
    while (this.queue.length > first + 1 && (this.queue.length > maxQueue || this.queuedBytes > maxBytes)) {
      const dropped = this.queue.splice(first, 1)[0]!;
      this.queuedBytes -= dropped.body.length;
      this.counters.forwardDropped++;
      this.counters.forwardFailures++;
    }
    this.counters.forwardQueued = this.queue.length;
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.stopped || this.queue.length === 0) return;
    this.busy = true;
    const batch = this.queue[0]!;
    void this.sendWithRetry(batch, 1).finally(() => {
      if (this.queue[0] === batch) {
        this.queue.shift();
        this.queuedBytes -= batch.body.length;
      }
      this.counters.forwardQueued = this.queue.length;
      this.busy = false;
      this.pump();
    });
  }

  private async sendWithRetry(batch: AcceptedBody, attempt: number): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (;;) {
      if (this.stopped) return;
      const result = await this.sendOnce(batch);
      if (result === 'ok') {
        this.counters.forwardedBatches++;
        return;
      }
      if (result === 'fatal' || attempt >= maxAttempts) {
        this.counters.forwardFailures++;
        this.onWarning(`forwarding to ${this.url} failed: ${this.lastError}`);
        return;
      }
      const delay = Math.min(this.options.maxBackoffMs ?? 10_000, (this.options.initialBackoffMs ?? 200) * 2 ** (attempt - 1));
      attempt++;
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(resolve, delay * (0.5 + Math.random() / 2));
        this.timer.unref();
      });
    }
  }

  private async sendOnce(batch: AcceptedBody): Promise<'ok' | 'retry' | 'fatal'> {
    const ac = new AbortController();
    this.inflight.add(ac);
    const timeout = setTimeout(() => ac.abort(), this.options.timeoutMs ?? 10_000);
    timeout.unref();
    try {
      const headers: Record<string, string> = { ...this.options.headers, 'content-type': batch.contentType };
      if (batch.contentEncoding) headers['content-encoding'] = batch.contentEncoding;
      const res = await fetch(this.url, { method: 'POST', headers, body: batch.body, signal: ac.signal });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      this.lastError = `HTTP ${res.status}`;
      return RETRYABLE.has(res.status) ? 'retry' : 'fatal';
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      this.lastError = `${e instanceof Error ? e.message : String(e)}${cause}`;
      return 'retry';
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(ac);
    }
  }

  /** Waits (up to `timeoutMs`) until the queue is empty. */
  async drain(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const ac of this.inflight) ac.abort();
    this.counters.forwardDropped += this.queue.length;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.counters.forwardQueued = 0;
  }
}
