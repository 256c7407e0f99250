import type { SpanView } from '../protocol/spanView';
import { renderWaterfall } from '../text/waterfall';
import { summarizeRun, type PlanRunSummary } from '../summary/runSummary';
import { spanViewSource } from '../summary/spanSource';
import { SpanIndex } from './spanMatch';

/** The spans of one run, to query with selectors (see docs/trace-tests.md for the grammar). */
export class RunTrace {
  private indexCache: SpanIndex | undefined;
  private summaryCache: PlanRunSummary | undefined;
  private spansOf: (() => readonly SpanView[]) | undefined;

  /**
   * `spans` may be a function: the spans are then converted and indexed on the first query, so a
   * run whose trace is never asserted on costs no more than the traced run itself.
   */
  constructor(
    spans: readonly SpanView[] | (() => readonly SpanView[]),
    private readonly pin: readonly string[] = [],
  ) {
    if (typeof spans === 'function') this.spansOf = spans;
    else this.indexCache = new SpanIndex(spans);
  }

  private get index(): SpanIndex {
    if (!this.indexCache) {
      this.indexCache = new SpanIndex(this.spansOf!());
      this.spansOf = undefined;
    }
    return this.indexCache;
  }

  /** Every span of the run, in start order. */
  get spans(): readonly SpanView[] {
    return this.index.spans;
  }

  get traceId(): string {
    return this.index.spans[0]?.traceId ?? '';
  }

  /** The run's shape and timings (passes, steps, calls by service/operation), computed once. */
  get summary(): PlanRunSummary {
    return (this.summaryCache ??= summarizeRun(spanViewSource(this.index.spans), { pin: this.pin }));
  }

  /** Spans matching the selector, in start order. Throws SelectorSyntaxError for a bad selector. */
  find(selector: string): SpanView[] {
    return this.index.select(selector);
  }

  /** The one span matching the selector; throws when none or several match. */
  get(selector: string): SpanView {
    const found = this.find(selector);
    if (found.length !== 1) throw new Error(`expected one span for ${selector}, found ${found.length}`);
    return found[0]!;
  }

  /** A text waterfall of the given spans and their descendants (the whole run by default). */
  waterfall(of?: readonly SpanView[], options: { width?: number; maxRows?: number } = {}): string {
    const spans = of ? this.index.subtree(of) : this.index.spans;
    return renderWaterfall([...spans], { width: options.width ?? 100, maxRows: options.maxRows ?? 40, color: false });
  }

  /** The step spans that contain (or are) each span, nearest first, without duplicates. */
  enclosingSteps(spans: readonly SpanView[]): SpanView[] {
    const out = new Set<SpanView>();
    for (const s of spans) {
      for (const p of [s, ...this.index.ancestors(s)]) {
        if (this.index.kind(p) === 'step') {
          out.add(p);
          break;
        }
      }
    }
    return [...out];
  }

  kindOf(span: SpanView): string {
    return this.index.kind(span);
  }
}
