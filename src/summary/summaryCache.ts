import { summarizeRun, type PlanRunSummary } from './runSummary';
import type { SpanSource } from './spanSource';

/** What the cache needs to know about stored traces: a version that changes with every change, and the spans. */
export interface VersionedTraces {
  /** Undefined when the trace is not (or no longer) stored. */
  version(traceId: string): number | undefined;
  /** True once the trace counts as complete (its root arrived, or it went idle). */
  complete(traceId: string): boolean;
  spans(traceId: string): SpanSource | undefined;
}

export interface SummaryCacheOptions {
  /**
   * A trace still running is summarised again at most once per this many ms, or per ten times its
   * last cost when that is longer (default 250): its figures are a preview, and a summary of a
   * 100k-span trace must not run on every change. A complete trace is always summarised at once.
   */
  runningIntervalMs?: number;
  now?: () => number;
}

interface Entry {
  version: number;
  summary: PlanRunSummary;
  computedAt: number;
  costMs: number;
}

/**
 * Run summaries keyed by trace id and version: computed once when a trace completes (or is first
 * asked for), reused by every view until the trace changes again (a re-sent span bumps its
 * version: last write wins). Views read summaries from here instead of walking spans.
 */
export class SummaryCache {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly runningIntervalMs: number;
  private readonly now: () => number;
  /** Summaries computed / served from the cache (tests and the bench read them). */
  computed = 0;
  reused = 0;

  constructor(
    private readonly traces: VersionedTraces,
    options: SummaryCacheOptions = {},
  ) {
    this.runningIntervalMs = Math.max(0, options.runningIntervalMs ?? 250);
    this.now = options.now ?? (() => performance.now());
  }

  /** The summary of a stored trace's current version (pinned step attributes included when asked). */
  get(traceId: string, pin: readonly string[] = []): PlanRunSummary | undefined {
    const version = this.traces.version(traceId);
    if (version === undefined) {
      this.entries.delete(traceId);
      return undefined;
    }
    const key = pin.join('\u0000');
    let byPin = this.entries.get(traceId);
    const have = byPin?.get(key);
    if (have && have.version === version) {
      this.reused++;
      return have.summary;
    }
    if (have && !this.traces.complete(traceId) && this.now() - have.computedAt < Math.max(this.runningIntervalMs, have.costMs * 10)) {
      // Running: the preview computed a moment ago stands until the interval has passed.
      this.reused++;
      return have.summary;
    }
    const src = this.traces.spans(traceId);
    if (!src) return undefined;
    const t0 = this.now();
    const summary = summarizeRun(src, pin.length ? { pin } : {});
    const t1 = this.now();
    this.computed++;
    if (!byPin) this.entries.set(traceId, (byPin = new Map()));
    byPin.set(key, { version, summary, computedAt: t1, costMs: t1 - t0 });
    return summary;
  }

  /**
   * Told which traces changed: summarises those that are complete now (once per version), and
   * forgets those that are gone. Returns the ids of the traces summarised.
   */
  changed(traceIds: Iterable<string>): string[] {
    const done: string[] = [];
    for (const id of traceIds) {
      const version = this.traces.version(id);
      if (version === undefined) {
        this.entries.delete(id);
        continue;
      }
      if (!this.traces.complete(id)) continue;
      const before = this.computed;
      this.get(id);
      if (this.computed !== before) done.push(id);
    }
    return done;
  }

  /** Forgets everything (the store was replaced). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
