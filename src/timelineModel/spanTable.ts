/**
 * The spans of one run as the webview holds them: a validated {@link SpanBatch}, read in place.
 * Strings are cut from the batch's text only when asked for (a visible row's name, the selected
 * span's details), attributes are found by key without building objects, and a whole
 * {@link SpanView} is made only for the one span whose details are shown.
 */
import { AttrKind, parseArrayAttr, parseStructureAttr, STATUS_NAMES, type SpanBatch } from '../protocol/spanBatch';
import { doubleText, setAttribute, type AttrValue, type SpanEventView, type SpanLinkView, type SpanStatusName, type SpanView } from '../protocol/spanView';

export class SpanTable {
  readonly size: number;
  /** Array and structure attributes, parsed on first use, by entry. */
  private arrays = new Map<number, AttrValue>();
  /** Lower-cased strings by ref, made on first use (the filter's matching). */
  private lowered = new Map<number, string>();

  constructor(readonly batch: SpanBatch) {
    this.size = batch.spanId.length;
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
    return this.str(this.batch.spanId[row]!);
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
      events.push({ name: this.str(b.eventName[e]!), timeMs: b.eventTimeMs[e]!, attributes: this.attributes(b.eventAttrFrom[e]!, b.eventAttrFrom[e + 1]!) });
    }
    const s: SpanView = {
      traceId: this.str(b.traceId[row]!),
      spanId: this.spanId(row),
      name: this.name(row),
      startMs: b.startMs[row]!,
      endMs: b.endMs[row]!,
      status: this.status(row),
      attributes: this.attributes(b.attrFrom[row]!, b.attrFrom[row + 1]!),
      events,
    };
    const parent = b.parentSpanId[row]!;
    if (parent !== -1) s.parentSpanId = this.str(parent);
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
