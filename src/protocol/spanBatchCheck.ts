/**
 * The check of a {@link SpanBatch} that arrives in the webview (`isSpanBatch`), and the parsers of
 * the attribute values it carries as JSON text. A batch crosses a trust boundary: it is checked
 * whole before anything reads it, so that a hand-made one can draw a wrong tree, never an unsafe one.
 */
import { AttrKind, PARENT_ELSEWHERE, STATUS_NAMES, type SpanBatch } from './spanBatch';
import { ID_WORDS, TIME_WORDS } from './spanColumns';
import { isAttrValue, type AttrValue } from './spanView';

/** An array attribute's value from its JSON text; `undefined` unless it is an array of strings, numbers and booleans. */
export function parseArrayAttr(json: string): AttrValue | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  for (const x of v) if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return undefined;
  return v as AttrValue;
}

const isU32 = (v: unknown, length: number): v is Uint32Array => v instanceof Uint32Array && v.length === length;
const isI32 = (v: unknown, length: number): v is Int32Array => v instanceof Int32Array && v.length === length;
const isU8 = (v: unknown, length: number): v is Uint8Array => v instanceof Uint8Array && v.length === length;

/** String ends ascending, the last at the end of the text. */
function stringsOk(textEnd: Uint32Array, length: number): boolean {
  let bad = 0;
  for (let k = 1; k < textEnd.length; k++) bad |= textEnd[k]! < textEnd[k - 1]! ? 1 : 0;
  return bad === 0 && (textEnd.length === 0 || textEnd[textEnd.length - 1] === length);
}

/** The per-span columns: refs inside the table, parents inside the batch, known statuses, ascending ranges. */
function spansOk(b: SpanBatch, strings: number): boolean {
  const { parent, name, status, statusMessage, attrFrom, eventFrom, traceState, linkFrom } = b;
  const n = parent.length;
  // Refs are compared as unsigned 32-bit numbers (>>> 0), so -1 ("none") is caught where it is not allowed.
  const none = 0xffffffff;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    const message = statusMessage[i]! >>> 0;
    const state = traceState[i]! >>> 0;
    bad |=
      (p >= n || p < PARENT_ELSEWHERE ? 1 : 0) |
      (name[i]! >= strings ? 1 : 0) |
      (message >= strings && message !== none ? 1 : 0) |
      (state >= strings && state !== none ? 1 : 0) |
      (linkFrom[i + 1]! < linkFrom[i]! ? 1 : 0) |
      (status[i]! >= STATUS_NAMES.length ? 1 : 0) |
      (attrFrom[i + 1]! < attrFrom[i]! ? 1 : 0) |
      (eventFrom[i + 1]! < eventFrom[i]! ? 1 : 0);
  }
  return bad === 0;
}

/** Odd rows ascending and inside the batch, their texts' refs inside the table (or -1). */
function oddIdsOk(b: SpanBatch, strings: number): boolean {
  const { oddIdRows, oddIdText } = b;
  const n = b.parent.length;
  let bad = 0;
  for (let k = 0; k < oddIdRows.length; k++) bad |= (oddIdRows[k]! >= n ? 1 : 0) | (k > 0 && oddIdRows[k]! <= oddIdRows[k - 1]! ? 1 : 0);
  for (let k = 0; k < oddIdText.length; k++) {
    const r = oddIdText[k]! >>> 0;
    bad |= r >= strings && r !== 0xffffffff ? 1 : 0;
  }
  return bad === 0;
}

function eventsOk(b: SpanBatch, strings: number): boolean {
  const { eventName, eventAttrFrom } = b;
  let bad = 0;
  for (let e = 0; e < eventName.length; e++) bad |= (eventName[e]! >= strings ? 1 : 0) | (eventAttrFrom[e + 1]! < eventAttrFrom[e]! ? 1 : 0);
  return bad === 0;
}

function linksOk(b: SpanBatch, strings: number): boolean {
  const { linkTraceId, linkSpanId, linkTraceState, linkAttrFrom } = b;
  let bad = 0;
  for (let l = 0; l < linkTraceId.length; l++) {
    const state = linkTraceState[l]! >>> 0;
    bad |= (linkTraceId[l]! >= strings ? 1 : 0) | (linkSpanId[l]! >= strings ? 1 : 0) | (state >= strings && state !== 0xffffffff ? 1 : 0) | (linkAttrFrom[l + 1]! < linkAttrFrom[l]! ? 1 : 0);
  }
  return bad === 0;
}

/** Keys inside the table; values below a limit per type (refs, number indices, 0/1), unknown types have limit 0. */
function attributesOk(b: SpanBatch, strings: number): boolean {
  const { attrKey, attrType, attrValue } = b;
  const limit = new Uint32Array(256);
  limit[AttrKind.string] = strings;
  limit[AttrKind.number] = b.numbers.length;
  limit[AttrKind.boolean] = 2;
  limit[AttrKind.array] = strings;
  limit[AttrKind.int] = strings;
  limit[AttrKind.double] = b.numbers.length;
  limit[AttrKind.bytes] = strings;
  limit[AttrKind.structure] = strings;
  limit[AttrKind.empty] = 1;
  limit[AttrKind.truncated] = Math.max(0, b.numbers.length - 1);
  let bad = 0;
  for (let a = 0; a < attrKey.length; a++) bad |= (attrKey[a]! >= strings ? 1 : 0) | (attrValue[a]! >= limit[attrType[a]!]! ? 1 : 0);
  return bad === 0;
}

/** Truncated values (few): a size, then a string ref. */
function truncatedOk(b: SpanBatch, strings: number): boolean {
  const { attrType, attrValue, numbers } = b;
  for (let a = attrType.indexOf(AttrKind.truncated); a !== -1; a = attrType.indexOf(AttrKind.truncated, a + 1)) {
    const x = attrValue[a]!;
    const r = numbers[x + 1]!;
    if (!(numbers[x]! >= 0) || !(Number.isInteger(r) && r >= 0 && r < strings)) return false;
  }
  return true;
}

/** A structure attribute's value from its JSON text; `undefined` unless it is a tagged list or kvlist. */
export function parseStructureAttr(json: string): AttrValue | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ((v as { kind?: unknown }).kind === 'array' || (v as { kind?: unknown }).kind === 'kvlist') && isAttrValue(v) ? v : undefined;
}

/**
 * Every attribute of `kind` parses with `parse`: array attributes (few) to arrays of plain values,
 * structure attributes (rare) to tagged lists and kvlists.
 */
function attrsParse(b: SpanBatch, kind: (typeof AttrKind)[keyof typeof AttrKind], parse: (text: string) => unknown): boolean {
  const { attrType, attrValue, text, textEnd } = b;
  for (let a = attrType.indexOf(kind); a !== -1; a = attrType.indexOf(kind, a + 1)) {
    const x = attrValue[a]!;
    if (parse(text.slice(x === 0 ? 0 : textEnd[x - 1], textEnd[x])) === undefined) return false;
  }
  return true;
}

/**
 * The whole batch checked (the webview side): every column of the right type and length, every
 * string ref inside the table, parents inside the batch, ranges ascending and tiling their entries, statuses
 * and attribute types known, booleans 0/1, number indices inside `numbers`, array attributes
 * arrays of plain values. It runs on every 100k-span trace before anything is drawn, cold: one
 * small function per pass, with no branch inside a pass, so each is optimized once and stays so.
 */
export function isSpanBatch(v: unknown): v is SpanBatch {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<keyof SpanBatch, unknown>;
  if (typeof b.summary !== 'boolean' || typeof b.text !== 'string' || !(b.textEnd instanceof Uint32Array) || !(b.parent instanceof Int32Array)) return false;
  if (!(b.eventName instanceof Uint32Array) || !(b.attrKey instanceof Uint32Array) || !(b.oddIdRows instanceof Uint32Array)) return false;
  const strings = b.textEnd.length;
  const n = b.parent.length;
  const events = b.eventName.length;
  const attrs = b.attrKey.length;
  if (!(isU32(b.ids, n * ID_WORDS) && isU32(b.times, n * TIME_WORDS) && isI32(b.oddIdText, 3 * b.oddIdRows.length) && isU32(b.name, n))) return false;
  if (!(isU8(b.status, n) && isI32(b.statusMessage, n) && isU32(b.attrFrom, n + 1) && isU32(b.eventFrom, n + 1))) return false;
  if (!(isU32(b.eventTimes, 2 * events) && isU32(b.eventAttrFrom, events + 1) && isU8(b.attrType, attrs) && isU32(b.attrValue, attrs))) return false;
  if (!(b.numbers instanceof Float64Array)) return false;
  if (!(isU8(b.kind, n) && isI32(b.traceState, n) && isU32(b.flags, n) && isU32(b.linkFrom, n + 1) && b.linkTraceId instanceof Uint32Array)) return false;
  const links = b.linkTraceId.length;
  if (!(isU32(b.linkSpanId, links) && isI32(b.linkTraceState, links) && isU32(b.linkFlags, links) && isU32(b.linkAttrFrom, links + 1))) return false;
  const batch = b as unknown as SpanBatch;
  // The layout encodeSpanBatch writes: the spans' attributes, then the events', each in order.
  const spanAttrs = batch.attrFrom[n]!;
  if (batch.attrFrom[0] !== 0 || batch.eventFrom[0] !== 0 || batch.eventFrom[n] !== events) return false;
  if (batch.eventAttrFrom[0] !== spanAttrs || batch.linkFrom[0] !== 0 || batch.linkFrom[n] !== links) return false;
  if (batch.linkAttrFrom[0] !== batch.eventAttrFrom[events] || batch.linkAttrFrom[links] !== attrs) return false;
  return (
    stringsOk(batch.textEnd, batch.text.length) &&
    spansOk(batch, strings) &&
    oddIdsOk(batch, strings) &&
    eventsOk(batch, strings) &&
    linksOk(batch, strings) &&
    attributesOk(batch, strings) &&
    truncatedOk(batch, strings) &&
    attrsParse(batch, AttrKind.array, parseArrayAttr) &&
    attrsParse(batch, AttrKind.structure, parseStructureAttr)
  );
}
