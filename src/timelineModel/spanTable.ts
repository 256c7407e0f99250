/**
 * The spans of one run as the webview holds them: a validated {@link SpanBatch}, read in place.
 * Strings are cut from the batch's text only when asked for (a visible row's name, the selected
 * span's details), ids made hex text only when shown or searched, times made milliseconds once
 * (the columns the waterfall lays out), attributes are found by key without building objects, and a whole
 * {@link SpanView} is made only for the one span whose details are shown.
 */
import { AttrKind, PARENT_NONE, STATUS_NAMES, type SpanBatch } from '../protocol/spanBatch';
import { parseArrayAttr, parseStructureAttr } from '../protocol/spanBatchCheck';
import { ID_WORDS, nanoWordsToMs, PARENT_AT, SPAN_AT, TIME_WORDS, TRACE_AT, wordsToHex } from '../protocol/spanColumns';
import { oddEntries, SpanRowIndex } from './spanRowIndex';
import { doubleText, setAttribute, type AttrValue, type SpanEventView, type SpanLinkView, type SpanStatusName, type SpanView } from '../protocol/spanView';

export class SpanTable {
  readonly size: number;
  /** Array and structure attributes, parsed on first use, by entry. */
  private arrays = new Map<number, AttrValue>();
  /** Lower-cased strings by ref, made on first use (the filter's matching). */
  private lowered = new Map<number, string>();

  /** Epoch milliseconds of each span's start and end, from the batch's nanosecond words. */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** By row: the row's entry among the batch's odd ids, or -1 (undefined: none has odd ids). */
  private readonly odd: Int32Array | undefined;
  private rowIndex: SpanRowIndex | undefined;

  /** `appendedTo`: the table this one's batch grew from by appended rows (its id index is kept and extended). */
  constructor(
    readonly batch: SpanBatch,
    appendedTo?: SpanTable,
  ) {
    this.size = batch.parent.length;
    const times = layOut(batch.times, this.size);
    this.startMs = times.start;
    this.endMs = times.end;
    this.odd = oddEntries(batch);
    if (appendedTo?.rowIndex && appendedTo.size <= this.size) {
      this.rowIndex = appendedTo.rowIndex;
      this.rowIndex.grown(batch, this.odd);
      appendedTo.rowIndex = undefined;
    }
  }

  /** Span id → last row with it, and each row's parent row (made on first use). */
  get rows(): SpanRowIndex {
    return (this.rowIndex ??= new SpanRowIndex(this.batch, this.odd));
  }

  /** The text of row's odd id `which` (0 trace, 1 span, 2 parent), or undefined where it is words. */
  private oddText(row: number, which: number): string | undefined {
    const k = this.odd === undefined ? -1 : this.odd[row]!;
    const ref = k === -1 ? -1 : this.batch.oddIdText[3 * k + which]!;
    return ref === -1 ? undefined : this.str(ref);
  }

  traceId(row: number): string {
    return this.oddText(row, 0) ?? wordsToHex(this.batch.ids, row * ID_WORDS + TRACE_AT, 4);
  }

  /** Undefined for a root. */
  parentSpanId(row: number): string | undefined {
    if (this.batch.parent[row] === PARENT_NONE) return undefined;
    return this.oddText(row, 2) ?? wordsToHex(this.batch.ids, row * ID_WORDS + PARENT_AT, 2);
  }

  /** Epoch milliseconds of event `e`. */
  eventMs(e: number): number {
    return nanoWordsToMs(this.batch.eventTimes[2 * e]!, this.batch.eventTimes[2 * e + 1]!);
  }

  /** Where string `ref` starts in the text. */
  from(ref: number): number {
    return ref === 0 ? 0 : this.batch.textEnd[ref - 1]!;
  }

  /** Where string `ref` ends in the text. */
  to(ref: number): number {
    return this.batch.textEnd[ref]!;
  }

  str(ref: number): string {
    return this.batch.text.slice(this.from(ref), this.to(ref));
  }

  /** String `ref` equals `s` (compared in place). */
  strIs(ref: number, s: string): boolean {
    const a = this.from(ref);
    return this.to(ref) - a === s.length && this.batch.text.startsWith(s, a);
  }

  lower(ref: number): string {
    let s = this.lowered.get(ref);
    if (s === undefined) this.lowered.set(ref, (s = this.str(ref).toLowerCase()));
    return s;
  }

  spanId(row: number): string {
    return this.oddText(row, 1) ?? wordsToHex(this.batch.ids, row * ID_WORDS + SPAN_AT, 2);
  }

  name(row: number): string {
    return this.str(this.batch.name[row]!);
  }

  status(row: number): SpanStatusName {
    return STATUS_NAMES[this.batch.status[row]!]!;
  }

  statusMessage(row: number): string | undefined {
    const r = this.batch.statusMessage[row]!;
    return r === -1 ? undefined : this.str(r);
  }

  /** The entry of attribute `key` among entries `from .. to - 1` (the first, should a hand-made batch repeat a key), or -1. */
  findAttr(from: number, to: number, key: string): number {
    for (let e = from; e < to; e++) if (this.strIs(this.batch.attrKey[e]!, key)) return e;
    return -1;
  }

  /** The entry of span `row`'s attribute `key`, or -1. */
  attrEntry(row: number, key: string): number {
    return this.findAttr(this.batch.attrFrom[row]!, this.batch.attrFrom[row + 1]!, key);
  }

  attr(row: number, key: string): AttrValue | undefined {
    const e = this.attrEntry(row, key);
    return e === -1 ? undefined : this.value(e);
  }

  /** Attribute entry `e` is the string `s`. */
  valueIs(e: number, s: string): boolean {
    return this.batch.attrType[e] === AttrKind.string && this.strIs(this.batch.attrValue[e]!, s);
  }

  value(e: number): AttrValue {
    const x = this.batch.attrValue[e]!;
    switch (this.batch.attrType[e]) {
      case AttrKind.string:
        return this.str(x);
      case AttrKind.boolean:
        return x === 1;
      case AttrKind.array:
      case AttrKind.structure: {
        let v = this.arrays.get(e);
        // Checked when the batch arrived (isSpanBatch), so this parses.
        if (v === undefined) this.arrays.set(e, (v = (this.batch.attrType[e] === AttrKind.array ? parseArrayAttr(this.str(x)) : parseStructureAttr(this.str(x))) ?? []));
        return v;
      }
      case AttrKind.int:
        return { kind: 'int', value: this.str(x) };
      case AttrKind.double:
        return { kind: 'double', value: doubleText(this.batch.numbers[x]!) };
      case AttrKind.bytes:
        return { kind: 'bytes', base64: this.str(x) };
      case AttrKind.empty:
        return { kind: 'empty' };
      case AttrKind.truncated:
        return { kind: 'truncated', value: this.str(this.batch.numbers[x + 1]!), length: this.batch.numbers[x]! };
      default:
        return this.batch.numbers[x]!;
    }
  }

  /** Entries `from .. to - 1` as an object (own properties only, whatever the keys are called; the first of a repeated key, as {@link findAttr}). */
  attributes(from: number, to: number): Record<string, AttrValue> {
    const pairs = new Map<string, AttrValue>();
    for (let e = from; e < to; e++) {
      const key = this.str(this.batch.attrKey[e]!);
      if (!pairs.has(key)) pairs.set(key, this.value(e));
    }
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of pairs) setAttribute(out, k, v);
    return out;
  }

  /** The links of span `row`. */
  links(row: number): SpanLinkView[] {
    const b = this.batch;
    const out: SpanLinkView[] = [];
    for (let l = b.linkFrom[row]!; l < b.linkFrom[row + 1]!; l++) {
      const link: SpanLinkView = { traceId: this.str(b.linkTraceId[l]!), spanId: this.str(b.linkSpanId[l]!), attributes: this.attributes(b.linkAttrFrom[l]!, b.linkAttrFrom[l + 1]!) };
      const state = b.linkTraceState[l]!;
      if (state !== -1) link.traceState = this.str(state);
      if (b.linkFlags[l]) link.flags = b.linkFlags[l]!;
      out.push(link);
    }
    return out;
  }

  /** Span `row` has an event named `name`. */
  hasEvent(row: number, name: string): boolean {
    const b = this.batch;
    for (let e = b.eventFrom[row]!; e < b.eventFrom[row + 1]!; e++) if (this.strIs(b.eventName[e]!, name)) return true;
    return false;
  }

  /** The whole span, as the details pane shows it. */
  span(row: number): SpanView {
    const b = this.batch;
    const events: SpanEventView[] = [];
    for (let e = b.eventFrom[row]!; e < b.eventFrom[row + 1]!; e++) {
      events.push({ name: this.str(b.eventName[e]!), timeMs: this.eventMs(e), attributes: this.attributes(b.eventAttrFrom[e]!, b.eventAttrFrom[e + 1]!) });
    }
    const s: SpanView = {
      traceId: this.traceId(row),
      spanId: this.spanId(row),
      name: this.name(row),
      startMs: this.startMs[row]!,
      endMs: this.endMs[row]!,
      status: this.status(row),
      attributes: this.attributes(b.attrFrom[row]!, b.attrFrom[row + 1]!),
      events,
    };
    const parent = this.parentSpanId(row);
    if (parent !== undefined) s.parentSpanId = parent;
    const message = this.statusMessage(row);
    if (message !== undefined) s.statusMessage = message;
    if (b.kind[row]) s.kind = b.kind[row]!;
    const state = b.traceState[row]!;
    if (state !== -1) s.traceState = this.str(state);
    if (b.flags[row]) s.flags = b.flags[row]!;
    if (b.linkFrom[row + 1]! > b.linkFrom[row]!) s.links = this.links(row);
    return s;
  }
}

const toMs = nanoWordsToMs;
const WORDS = TIME_WORDS;

/** Milliseconds of every span's start and end: one conversion a time, when the page lays the spans out. */
function layOut(times: Uint32Array, n: number): { start: Float64Array; end: Float64Array } {
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * WORDS;
    start[i] = toMs(times[at]!, times[at + 1]!);
    end[i] = toMs(times[at + 2]!, times[at + 3]!);
  }
  return { start, end };
}
