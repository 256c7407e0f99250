/**
 * Two span batches as one (live updates append the spans that arrived to the run's batch): the
 * second batch's string refs move past the first one's strings, its parent positions past the
 * first one's spans, and the entries keep the layout `isSpanBatch` asks for — all spans'
 * attributes, then all events', then all links'. Ids and times are words, copied as they are: a
 * parent of the second batch's spans that is in the first is found by its words (SpanRowIndex).
 */
import { AttrKind, type SpanBatch } from '../protocol/spanBatch';

type Column = Uint32Array | Int32Array | Float64Array | Uint8Array;

function joined<T extends Column>(a: T, b: T, make: (n: number) => T, shift = 0, keep = (_x: number) => true): T {
  const out = make(a.length + b.length);
  out.set(a);
  if (shift === 0) out.set(b, a.length);
  else for (let i = 0; i < b.length; i++) out[a.length + i] = keep(b[i]!) ? b[i]! + shift : b[i]!;
  return out;
}

/** Offsets of `n` items (n + 1 entries): a's first n, then b's moved by `shift`. */
function joinedOffsets(a: Uint32Array, b: Uint32Array, shiftA: number, shiftB: number): Uint32Array {
  const out = new Uint32Array(a.length + b.length - 1);
  if (shiftA === 0) out.set(a.subarray(0, a.length - 1));
  else for (let i = 0; i < a.length - 1; i++) out[i] = a[i]! + shiftA;
  for (let i = 0; i < b.length; i++) out[a.length - 1 + i] = b[i]! + shiftB;
  return out;
}

/** The spans of `b` after those of `a`. */
export function concatBatches(a: SpanBatch, b: SpanBatch): SpanBatch {
  const strings = a.textEnd.length;
  const spans = a.parent.length;
  const u32 = (n: number) => new Uint32Array(n);
  const i32 = (n: number) => new Int32Array(n);
  const f64 = (n: number) => new Float64Array(n);
  const u8 = (n: number) => new Uint8Array(n);
  const notNone = (x: number) => x !== -1;
  const position = (x: number) => x >= 0;
  // Entries: [a's span attrs][b's span attrs][a's event attrs][b's event attrs][a's link attrs][b's link attrs].
  const sa = a.attrFrom[a.attrFrom.length - 1]!;
  const sb = b.attrFrom[b.attrFrom.length - 1]!;
  const ea = a.linkAttrFrom[0]!;
  const eb = b.linkAttrFrom[0]!;
  const na = a.attrKey.length;
  const nb = b.attrKey.length;
  const attrs = na + nb;
  const attrKey = new Uint32Array(attrs);
  const attrType = new Uint8Array(attrs);
  const attrValue = new Uint32Array(attrs);
  /** Copies entries of `src`, with string refs moved by `shift` and number indices by `numberShift`. */
  const put = (src: SpanBatch, from: number, to: number, at: number, shift: number, numberShift: number): void => {
    attrKey.set(src.attrKey.subarray(from, to), at);
    attrType.set(src.attrType.subarray(from, to), at);
    attrValue.set(src.attrValue.subarray(from, to), at);
    if (shift === 0 && numberShift === 0) return;
    for (let e = from; e < to; e++) {
      attrKey[at + e - from]! += shift;
      const type = src.attrType[e];
      if (type === AttrKind.string || type === AttrKind.array || type === AttrKind.int || type === AttrKind.bytes || type === AttrKind.structure) attrValue[at + e - from]! += shift;
      else if (type === AttrKind.number || type === AttrKind.double || type === AttrKind.truncated) attrValue[at + e - from]! += numberShift;
    }
  };
  put(a, 0, sa, 0, 0, 0);
  put(b, 0, sb, sa, strings, a.numbers.length);
  put(a, sa, ea, sa + sb, 0, 0);
  put(b, sb, eb, sa + sb + (ea - sa), strings, a.numbers.length);
  put(a, ea, na, ea + eb, 0, 0);
  put(b, eb, nb, ea + eb + (na - ea), strings, a.numbers.length);
  // A truncated value's text ref sits in `numbers`, after its size: b's move past a's strings.
  const numbers = joined(a.numbers, b.numbers, f64);
  for (let e = b.attrType.indexOf(AttrKind.truncated); e !== -1; e = b.attrType.indexOf(AttrKind.truncated, e + 1)) numbers[a.numbers.length + b.attrValue[e]! + 1]! += strings;
  return {
    // Spans of a summary batch still have attributes to be asked for.
    summary: a.summary || b.summary,
    text: a.text + b.text,
    textEnd: joined(a.textEnd, b.textEnd, u32, a.text.length),
    ids: joined(a.ids, b.ids, u32),
    parent: joined(a.parent, b.parent, i32, spans, position),
    oddIdRows: joined(a.oddIdRows, b.oddIdRows, u32, spans),
    oddIdText: joined(a.oddIdText, b.oddIdText, i32, strings, notNone),
    name: joined(a.name, b.name, u32, strings),
    times: joined(a.times, b.times, u32),
    status: joined(a.status, b.status, u8),
    statusMessage: joined(a.statusMessage, b.statusMessage, i32, strings, notNone),
    attrFrom: joinedOffsets(a.attrFrom, b.attrFrom, 0, sa),
    eventFrom: joinedOffsets(a.eventFrom, b.eventFrom, 0, a.eventName.length),
    eventName: joined(a.eventName, b.eventName, u32, strings),
    eventTimes: joined(a.eventTimes, b.eventTimes, u32),
    // a's event attrs moved past b's span attrs; b's past all of a's entries.
    eventAttrFrom: joinedOffsets(a.eventAttrFrom, b.eventAttrFrom, sb, ea),
    kind: joined(a.kind, b.kind, u8),
    traceState: joined(a.traceState, b.traceState, i32, strings, notNone),
    flags: joined(a.flags, b.flags, u32),
    linkFrom: joinedOffsets(a.linkFrom, b.linkFrom, 0, a.linkTraceId.length),
    linkTraceId: joined(a.linkTraceId, b.linkTraceId, u32, strings),
    linkSpanId: joined(a.linkSpanId, b.linkSpanId, u32, strings),
    linkTraceState: joined(a.linkTraceState, b.linkTraceState, i32, strings, notNone),
    linkFlags: joined(a.linkFlags, b.linkFlags, u32),
    // a's link attrs moved past b's span and event attrs; b's past all of a's entries.
    linkAttrFrom: joinedOffsets(a.linkAttrFrom, b.linkAttrFrom, sb + (eb - sb), na),
    attrKey,
    attrType,
    attrValue,
    numbers,
  };
}
