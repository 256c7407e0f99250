/**
 * What the details pane shows for one span, as plain strings: identity, times, status, typed
 * attributes, events (exceptions with their stack), its log lines, and the resource. Pure, so the
 * webview only lays text out.
 */
import { Attr } from '../protocol/attributes';
import type { AttrValue, SpanView } from '../protocol/spanView';
import { attrText } from './rowFilter';
import { isLogEvent, nodeLabel, type SpanTree } from './spanTree';
import { formatDuration } from '../text/duration';

export type AttrType = 'string' | 'int' | 'double' | 'bool' | 'string[]' | 'int[]' | 'double[]' | 'bool[]' | 'array' | 'kvlist' | 'bytes' | 'empty' | 'truncated';

export interface DetailField {
  key: string;
  value: string;
  type?: AttrType;
}

export interface DetailException {
  type: string;
  message: string;
  stack: string;
  atMs: string;
}

export interface DetailLog {
  atMs: string;
  severity: string;
  message: string;
  /** Further fields of the log line, `key=value`. */
  fields: string;
}

/** A link of the span to another span, and whether that span can be opened from here. */
export interface DetailLink {
  traceId: string;
  spanId: string;
  /** W3C trace state and flags, as text ('' when absent). */
  traceState: string;
  flags: string;
  attributes: DetailField[];
  /** The linked span is in the run shown (then `node` is its index in the tree). */
  inThisRun: boolean;
  node: number;
}

export interface DetailEvent {
  name: string;
  atMs: string;
  attributes: DetailField[];
}

export interface SpanDetails {
  title: string;
  kind: string;
  fields: DetailField[];
  attributes: DetailField[];
  exceptions: DetailException[];
  logs: DetailLog[];
  events: DetailEvent[];
  links: DetailLink[];
  resource: DetailField[];
  /** True when "Go to code" can be offered (a step, a span with `code.*`, or under a step). */
  hasCode: boolean;
  /**
   * Set while the span's attributes, events and links are on their way from the host (a summary
   * batch holds only some, see SpanBatch.summary), or why they cannot come: shown in their place.
   */
  pending?: string;
}

export function attrType(v: AttrValue): AttrType {
  if (typeof v === 'object' && !Array.isArray(v)) {
    if (v.kind === 'int' || v.kind === 'double' || v.kind === 'bytes' || v.kind === 'kvlist' || v.kind === 'empty' || v.kind === 'truncated') return v.kind;
    return 'array';
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return 'array';
    const t = attrType(v[0] as AttrValue);
    return v.every((x) => attrType(x as AttrValue) === t) ? (`${t}[]` as AttrType) : 'array';
  }
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  return 'string';
}

function typedFields(attrs: Record<string, AttrValue> | undefined, skip?: ReadonlySet<string>): DetailField[] {
  if (!attrs) return [];
  return Object.keys(attrs)
    .filter((k) => !skip?.has(k))
    .sort()
    .map((k) => ({ key: k, value: attrText(attrs[k]!), type: attrType(attrs[k]!) }));
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

const LOG_KEYS: ReadonlySet<string> = new Set([Attr.logSeverity, Attr.logMessage]);

/**
 * `resource`: the run's resource (the process that sent the spans). `span`: the whole span when
 * the tree's batch is a summary (the host sent it); a string instead says it is awaited, or why it
 * cannot come, and the details show what the batch has.
 */
export function spanDetails(tree: SpanTree, index: number, resource?: Record<string, AttrValue>, span?: SpanView | string): SpanDetails | undefined {
  if (!(index >= 0 && index < tree.size)) return undefined;
  const pending = typeof span === 'string' ? span : undefined;
  const s = typeof span === 'object' ? span : pending !== undefined ? identityOnly(tree.span(index)) : tree.span(index);
  const kind = tree.kind(index);
  const rel = (t: number) => `+${formatDuration(t - tree.startMs)}`;
  const fields: DetailField[] = [
    { key: 'name', value: s.name },
    { key: 'kind', value: kind },
    { key: 'trace id', value: s.traceId },
    { key: 'span id', value: s.spanId },
    { key: 'parent span id', value: s.parentSpanId ?? '(none)' },
    { key: 'start', value: `${iso(s.startMs)} (${rel(s.startMs)})` },
    { key: 'end', value: `${iso(s.endMs)} (${rel(s.endMs)})` },
    { key: 'duration', value: formatDuration(tree.totalMs(index)) },
    { key: 'self time', value: formatDuration(tree.selfMs[index]!) },
    { key: 'status', value: s.statusMessage ? `${s.status}: ${s.statusMessage}` : s.status },
  ];
  if (s.kind) fields.push({ key: 'span kind', value: SPAN_KINDS[s.kind] ?? String(s.kind) });
  if (s.traceState) fields.push({ key: 'trace state', value: s.traceState });
  if (s.flags) fields.push({ key: 'flags', value: flagsText(s.flags) });
  const extentEndMs = tree.extentEndMs[index]!;
  if (extentEndMs > s.endMs) fields.splice(9, 0, { key: 'with returned steps', value: formatDuration(extentEndMs - s.startMs) });
  const note = tree.rootNote(index);
  if (note) fields.push({ key: 'note', value: note });
  if (tree.truncated(index)) fields.push({ key: 'truncated', value: "some values were cut to the collector's caps; each keeps its original length" });
  const exceptions: DetailException[] = [];
  const logs: DetailLog[] = [];
  const events: DetailEvent[] = [];
  for (const e of s.events) {
    const a = e.attributes ?? {};
    if (e.name === 'exception') {
      exceptions.push({
        type: textOf(a[Attr.exceptionType]),
        message: textOf(a[Attr.exceptionMessage]),
        stack: textOf(a[Attr.exceptionStacktrace]),
        atMs: rel(e.timeMs),
      });
    } else if (isLogEvent(e.name)) {
      const extra = Object.keys(a)
        .filter((k) => !LOG_KEYS.has(k))
        .map((k) => `${k}=${attrText(a[k]!)}`)
        .join(' ');
      logs.push({ atMs: rel(e.timeMs), severity: textOf(a[Attr.logSeverity]) || 'info', message: textOf(a[Attr.logMessage]), fields: extra });
    } else events.push({ name: e.name, atMs: rel(e.timeMs), attributes: typedFields(a) });
  }
  const links: DetailLink[] = (s.links ?? []).map((l) => {
    const node = l.traceId === s.traceId ? (tree.byId.get(l.spanId) ?? -1) : -1;
    return { traceId: l.traceId, spanId: l.spanId, traceState: l.traceState ?? '', flags: l.flags ? flagsText(l.flags) : '', attributes: typedFields(l.attributes), inThisRun: node !== -1, node };
  });
  return {
    title: nodeLabel(tree, index),
    kind,
    fields,
    attributes: typedFields(s.attributes),
    exceptions,
    logs,
    events,
    links,
    resource: typedFields(resource),
    hasCode: hasCodeTarget(tree, index),
    ...(pending !== undefined ? { pending } : {}),
  };
}

/** A span of a summary batch without what the batch holds only in part (its attributes, events and links). */
export function identityOnly(s: SpanView): SpanView {
  const { links: _links, ...rest } = s;
  return { ...rest, attributes: {}, events: [] };
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP flags: the W3C trace flags (bit 0 sampled) and the is-remote bits (8: known, 9: remote). */
export function flagsText(flags: number): string {
  const parts = [`0x${flags.toString(16).padStart(2, '0')}`];
  if (flags & 1) parts.push('sampled');
  if (flags & 0x100) parts.push(flags & 0x200 ? 'remote parent' : 'local parent');
  return parts.join(' ');
}

function textOf(v: AttrValue | undefined): string {
  return v === undefined ? '' : attrText(v);
}

/** A step, a span with `code.filepath`, or a span below a step. */
export function hasCodeTarget(tree: SpanTree, index: number): boolean {
  for (let i = index; i !== -1; i = tree.parent[i]!) if (tree.kind(i) === 'step' || typeof tree.attr(i, Attr.codeFilepath) === 'string') return true;
  return false;
}
