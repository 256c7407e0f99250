/**
 * The extension ⇄ timeline webview protocol: one union per direction, the state the webview
 * persists (getState/setState, restored by the panel serializer), and validators for what arrives
 * on either side. Everything is structured-clone safe JSON.
 */
import type { BatchCursor, CallCountDiff, RunSummary, StepDiff } from './collectorTypes';
import type { SpanBatch } from './spanBatch';
import { isSpanBatch } from './spanBatchCheck';
import { isAttrValue, type AttrValue } from './spanView';
import { parseSignalHostToWebview, parseSignalWebviewToHost, type SignalHostToWebview, type SignalWebviewToHost } from './signalMessages';

/** Search and filter of the waterfall; all given criteria must hold. */
export interface TimelineFilter {
  /** Words match span names; `key=value` matches an attribute (`key=` its presence). */
  text: string;
  errorsOnly: boolean;
  /** 0 for no minimum. */
  minDurationMs: number;
}

export type CriticalPathMode = 'off' | 'run' | 'pass';

/** One `key=value` token of the search: `value` is a case-insensitive part of the attribute's text ('' asks for the key only). */
export interface AttrToken {
  key: string;
  value: string;
}

export type CompareRunLabel = Pick<RunSummary, 'traceId' | 'plan' | 'startMs' | 'durationMs' | 'status' | 'spanCount' | 'errorCount'> &
  Partial<Pick<RunSummary, 'exportName' | 'runKind'>>;

/**
 * One added, removed or changed step of a comparison: the collector's step diff, with `calls`
 * narrowed to the calls whose count differs (for added/removed steps: the calls they made).
 */
export interface CompareRow extends StepDiff {
  change: 'added' | 'removed' | 'changed';
  /** Call totals per service (the first word of the call name, e.g. `ELBv2`) where they differ. */
  services: CallCountDiff[];
}

export interface CompareView {
  a: CompareRunLabel;
  b: CompareRunLabel;
  durationDeltaMs: number;
  /** What changed, in sentences, most telling first. */
  headline: string[];
  rows: CompareRow[];
  unchangedCount: number;
}

// ---- extension → webview ----

export type HostToWebview =
  /**
   * Replace what is shown with this run. `live`: more spans may come. `resource`: the attributes
   * of the process that sent the spans (sent once, not per span). Spans travel as columns
   * (`encodeSpanBatch`).
   */
  | {
      type: 'showRun';
      traceId: string;
      title: string;
      spans: SpanBatch;
      live: boolean;
      resource?: Record<string, AttrValue>;
      /** Select the first step of this procedure id (Open Trace from a procedure's CodeLens). */
      focusProcedureId?: string;
      /** Workspace folders: paths under them are shown relative. */
      workspaceRoots?: string[];
      /** Select this span (a link followed from another run). */
      focusSpanId?: string;
    }
  /**
   * Spans added to the run shown since the last message (the host asks the store for "the batch
   * since" what it sent). A span id seen again takes the newer span. `replace`: the batch is the
   * whole run (spans were replaced in the store), shown instead of what the webview has.
   */
  | { type: 'updateRun'; traceId: string; spans: SpanBatch; live: boolean; replace?: boolean; resource?: Record<string, AttrValue> }
  | { type: 'showCompare'; compare: CompareView }
  /** The run is not in the store (any more). */
  | { type: 'runGone'; traceId: string; message: string }
  /** Answer to `openCode`. */
  | { type: 'codeResult'; spanId: string; ok: boolean; message?: string }
  /** A line for the details pane, e.g. why a link could not be followed. */
  | { type: 'notice'; text: string }
  /**
   * Answer to `spanDetails`: the whole span (attributes, events, links) as a batch of one span
   * with every attribute; without it, `message` says why (the run or span is no longer stored).
   */
  | { type: 'spanDetails'; traceId: string; spanId: string; span?: SpanBatch; message?: string }
  /**
   * Answer to `matchAttributes` number `seq`: the ids of the run's spans whose attributes match
   * `query`'s tokens, among all its spans (`full`) or among those added since the cursor asked
   * with. `cursor`: where the answer stands (to ask with next time); absent when the run is gone.
   */
  | { type: 'attributeMatches'; traceId: string; query: string; seq: number; spanIds: string[]; full: boolean; cursor?: BatchCursor }
  /** The run's log records and metric series (signalMessages.ts). */
  | SignalHostToWebview;

// ---- webview → extension ----

export type WebviewToHost =
  /** The page is loaded and listening; the host answers with what to show. */
  | { type: 'ready' }
  | { type: 'openCode'; traceId: string; spanId: string }
  | { type: 'copy'; text: string }
  /** The open comparison, from the compare view ("Go to code" of a step of run a or b). */
  | { type: 'openRun'; traceId: string }
  /** Follow a span link to another trace: open it, with the linked span selected, when the collector has it. */
  | { type: 'openLink'; traceId: string; spanId: string }
  /** A render finished: rows visible, spans, milliseconds since the data arrived. */
  | { type: 'rendered'; spans: number; rows: number; ms: number }
  | { type: 'log'; level: 'info' | 'error'; message: string }
  /** The whole of a span of a summary batch (see `SpanBatch.summary`), to show its details. */
  | { type: 'spanDetails'; traceId: string; spanId: string }
  /**
   * The search's `key=value` tokens, matched where all attributes are (a summary batch holds only
   * some); `query` and `seq` (the page's count of its asks) identify the answer. `since`: the
   * cursor of the last answer to the same query, to search only the spans added after it (live).
   */
  | { type: 'matchAttributes'; traceId: string; query: string; seq: number; tokens: AttrToken[]; since?: BatchCursor }
  | SignalWebviewToHost;

/** What the webview keeps with setState; the serializer restores a panel from it. */
export type TimelineState =
  | {
      view: 'run';
      traceId: string;
      collapsed: string[];
      filter: TimelineFilter;
      selected?: string;
      window?: { startMs: number; endMs: number };
      critical: CriticalPathMode;
      /** The run's Logs or Metrics tab, when one was open (the waterfall otherwise). */
      tab?: 'logs' | 'metrics';
    }
  | { view: 'compare'; a: string; b: string };

// ---- validation ----

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const optStr = (v: unknown): boolean => v === undefined || isStr(v);
const optStrings = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.length <= 100 && v.every(isStr));
const optNum = (v: unknown): boolean => v === undefined || isNum(v);
const MAX_TEXT = 1_000_000;

const STATUSES: ReadonlySet<unknown> = new Set(['unset', 'ok', 'error']);
const RUN_STATUSES: ReadonlySet<unknown> = new Set(['converged', 'failed', 'cancelled', 'not_converged', 'running', 'incomplete']);

export { isAttrValue };

function isAttributes(v: unknown): v is Record<string, AttrValue> {
  if (!isObj(v)) return false;
  for (const k in v) if (!isAttrValue(v[k])) return false;
  return true;
}

const optAttrs = (v: unknown): boolean => v === undefined || isAttributes(v);

function isFilter(v: unknown): v is TimelineFilter {
  return isObj(v) && isStr(v.text) && v.text.length < 1000 && isBool(v.errorsOnly) && isNum(v.minDurationMs);
}

function isCursor(v: unknown): v is BatchCursor {
  return isObj(v) && Number.isSafeInteger(v.generation) && Number.isSafeInteger(v.spans) && (v.spans as number) >= 0;
}

const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isAttrToken(v: unknown): v is AttrToken {
  return isObj(v) && isStr(v.key) && v.key.length < 1000 && isStr(v.value) && v.value.length < 1000;
}

function isRunLabel(v: unknown): v is CompareRunLabel {
  return (
    isObj(v) && isStr(v.traceId) && isStr(v.plan) && isNum(v.startMs) && isNum(v.durationMs) &&
    RUN_STATUSES.has(v.status) && isNum(v.spanCount) && isNum(v.errorCount) && optStr(v.exportName) &&
    (v.runKind === undefined || v.runKind === 'run' || v.runKind === 'debug')
  );
}

function isCallDiff(v: unknown): v is CallCountDiff {
  return isObj(v) && isStr(v.name) && isNum(v.countA) && isNum(v.countB);
}

function isCompareRow(v: unknown): v is CompareRow {
  if (!isObj(v)) return false;
  if (v.change !== 'added' && v.change !== 'removed' && v.change !== 'changed') return false;
  if (!isStr(v.procedureId) || !optStr(v.procedureType) || !isNum(v.pass) || !isNum(v.occurrence)) return false;
  if (!optStr(v.spanIdA) || !optStr(v.spanIdB) || !optNum(v.durationMsA) || !optNum(v.durationMsB)) return false;
  if ((v.statusA !== undefined && !STATUSES.has(v.statusA)) || (v.statusB !== undefined && !STATUSES.has(v.statusB))) return false;
  return (
    Array.isArray(v.calls) && v.calls.every(isCallDiff) && Array.isArray(v.services) && v.services.every(isCallDiff) &&
    Array.isArray(v.reasons) && v.reasons.every(isStr)
  );
}

export function isCompareView(v: unknown): v is CompareView {
  return (
    isObj(v) && isRunLabel(v.a) && isRunLabel(v.b) && isNum(v.durationDeltaMs) && isNum(v.unchangedCount) &&
    Array.isArray(v.headline) && v.headline.every(isStr) && Array.isArray(v.rows) && v.rows.every(isCompareRow)
  );
}

/** What the webview accepts from the extension; `undefined` for anything else. */
export function parseHostToWebview(v: unknown): HostToWebview | undefined {
  if (!isObj(v) || !isStr(v.type)) return undefined;
  switch (v.type) {
    case 'showRun':
      return isStr(v.traceId) && isStr(v.title) && isBool(v.live) && optAttrs(v.resource) && optStr(v.focusProcedureId) && optStrings(v.workspaceRoots) && optStr(v.focusSpanId) && isSpanBatch(v.spans)
        ? (v as HostToWebview)
        : undefined;
    case 'updateRun':
      return isStr(v.traceId) && isBool(v.live) && (v.replace === undefined || isBool(v.replace)) && optAttrs(v.resource) && isSpanBatch(v.spans) ? (v as HostToWebview) : undefined;
    case 'showCompare':
      return isCompareView(v.compare) ? (v as HostToWebview) : undefined;
    case 'runGone':
      return isStr(v.traceId) && isStr(v.message) ? (v as HostToWebview) : undefined;
    case 'codeResult':
      return isStr(v.spanId) && isBool(v.ok) && optStr(v.message) ? (v as HostToWebview) : undefined;
    case 'notice':
      return isStr(v.text) ? { type: 'notice', text: v.text.slice(0, 1000) } : undefined;
    case 'spanDetails':
      return isStr(v.traceId) && isStr(v.spanId) && optStr(v.message) && (v.span === undefined || (isSpanBatch(v.span) && v.span.parent.length === 1 && !v.span.summary))
        ? (v as HostToWebview)
        : undefined;
    case 'attributeMatches':
      return isStr(v.traceId) && isStr(v.query) && isSeq(v.seq) && Array.isArray(v.spanIds) && v.spanIds.every(isStr) && isBool(v.full) && (v.cursor === undefined || isCursor(v.cursor))
        ? (v as HostToWebview)
        : undefined;
    default:
      return parseSignalHostToWebview(v);
  }
}

/** What the extension accepts from the webview; `undefined` for anything else. */
export function parseWebviewToHost(v: unknown): WebviewToHost | undefined {
  if (!isObj(v) || !isStr(v.type)) return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openCode':
      return isStr(v.traceId) && isStr(v.spanId) ? { type: 'openCode', traceId: v.traceId, spanId: v.spanId } : undefined;
    case 'copy':
      return isStr(v.text) && v.text.length <= MAX_TEXT ? { type: 'copy', text: v.text } : undefined;
    case 'openRun':
      return isStr(v.traceId) ? { type: 'openRun', traceId: v.traceId } : undefined;
    case 'openLink':
      return isStr(v.traceId) && /^[0-9a-f]{32}$/.test(v.traceId) && isStr(v.spanId) && /^[0-9a-f]{16}$/.test(v.spanId) ? { type: 'openLink', traceId: v.traceId, spanId: v.spanId } : undefined;
    case 'rendered':
      return isNum(v.spans) && isNum(v.rows) && isNum(v.ms) ? { type: 'rendered', spans: v.spans, rows: v.rows, ms: v.ms } : undefined;
    case 'spanDetails':
      return isStr(v.traceId) && isStr(v.spanId) ? { type: 'spanDetails', traceId: v.traceId, spanId: v.spanId } : undefined;
    case 'matchAttributes':
      return isStr(v.traceId) && isStr(v.query) && v.query.length < 2000 && isSeq(v.seq) && Array.isArray(v.tokens) && v.tokens.length <= 50 && v.tokens.every(isAttrToken) && (v.since === undefined || isCursor(v.since))
        ? {
            type: 'matchAttributes',
            traceId: v.traceId,
            query: v.query,
            seq: v.seq,
            tokens: v.tokens.map((t) => ({ key: t.key, value: t.value })),
            ...(v.since ? { since: { generation: v.since.generation, spans: v.since.spans } } : {}),
          }
        : undefined;
    case 'log':
      return (v.level === 'info' || v.level === 'error') && isStr(v.message)
        ? { type: 'log', level: v.level, message: v.message.slice(0, 10_000) }
        : undefined;
    default:
      return parseSignalWebviewToHost(v);
  }
}

/** A persisted webview state, as the serializer gets it back; `undefined` when unusable. */
export function parseTimelineState(v: unknown): TimelineState | undefined {
  if (!isObj(v)) return undefined;
  if (v.view === 'compare') return isStr(v.a) && isStr(v.b) ? { view: 'compare', a: v.a, b: v.b } : undefined;
  if (v.view !== 'run' || !isStr(v.traceId)) return undefined;
  const collapsed = Array.isArray(v.collapsed) ? v.collapsed.filter(isStr) : [];
  const filter = isFilter(v.filter) ? v.filter : { text: '', errorsOnly: false, minDurationMs: 0 };
  const critical = v.critical === 'run' || v.critical === 'pass' ? v.critical : 'off';
  const s: TimelineState = { view: 'run', traceId: v.traceId, collapsed, filter, critical };
  if (isStr(v.selected)) s.selected = v.selected;
  const w = v.window;
  if (isObj(w) && isNum(w.startMs) && isNum(w.endMs) && w.endMs > w.startMs) s.window = { startMs: w.startMs, endMs: w.endMs };
  if (v.tab === 'logs' || v.tab === 'metrics') s.tab = v.tab;
  return s;
}
