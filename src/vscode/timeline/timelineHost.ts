import type * as vscode from 'vscode';
import type { AttributeMatches, BatchCursor, RunDiff, RunSummary, StoreChange, TraceBatch } from '../../protocol/collectorTypes';
import type { SpanBatch } from '../../protocol/spanBatch';
import type { AttrValue, SpanView } from '../../protocol/spanView';
import type { AttrToken } from '../../protocol/timelineMessages';
import type { CodeTarget } from '../../timelineModel/codeTarget';
import type { Collector } from '../../collector';

/** The collector's stores of the other signals: a run's log records and metric series. */
export type SignalStores = Pick<Collector, 'logs' | 'metrics'>;

/** The part of the collector's store the timeline reads. */
export interface TimelineStore {
  /** A span and its ancestors, nearest first (see SpanStore.spanChain). */
  spanChain(traceId: string, spanId: string): SpanView[];
  /** The run's timeline batch: all of it, or what was added since `since` (see SpanStore.batchSince). */
  batchSince(traceId: string, since?: BatchCursor, options?: { summary?: boolean }): TraceBatch | undefined;
  /** One span whole, as a batch of one (see SpanStore.spanBatch). */
  spanBatch(traceId: string, spanId: string): SpanBatch | undefined;
  /** The ids of the spans whose attributes match every token, all or since `since` (see SpanStore.matchSpans). */
  matchSpans(traceId: string, tokens: readonly AttrToken[], since?: BatchCursor): AttributeMatches | undefined;
  run(traceId: string): RunSummary | undefined;
  runs(): RunSummary[];
  diff(a: string, b: string): RunDiff | undefined;
  /** Optional: the resource a trace's spans were sent with. */
  resourceOf?(traceId: string): Record<string, AttrValue> | undefined;
}

/** What a timeline panel needs from the rest of the extension. */
export interface TimelineHost {
  readonly extensionUri: vscode.Uri;
  /** The store, starting the collector when needed. */
  store(): Promise<TimelineStore | undefined>;
  readonly onDidChangeStore: vscode.Event<StoreChange>;
  /** Resolves and opens the code of a span (chain: the span, then its ancestors). */
  revealCode(chain: readonly SpanView[]): Promise<CodeTarget | undefined>;
  copy(text: string): Promise<void>;
  log(message: string): void;
  /** Opens a run in the run panel (from the compare view, or a followed link: then with that span selected). */
  openRun(traceId: string, focusSpanId?: string): Promise<void>;
  /** Optional: the collector's log and metric stores, while it runs (the run's logs and metrics). */
  signals?(): SignalStores | undefined;
}
