// Rows from a span index: what the store keeps of a body a decoder indexed (see spanIndex.ts for
// the index's format and its other reader, `materialize`, which makes records).
import type { DecodeContext, RowBatch } from '../store/decodedBatch';
import type { DictionaryView } from '../store/idDictionary';
import { LARGE_TEXT_FROM } from '../store/largeText';
import { ID_WORDS, PARENT_AT, SPAN_AT, type ChunkSink, type SpanChunk } from '../store/spanChunk';
import { SLAB_WORDS, type SpanExtra, type SpanOrigin } from '../store/spanRecord';
import type { NodeBufferSlices } from './protoReader';
import { checkIndex, EMPTY_KEYS, F_FLAGS, F_KIND, F_NAME, F_ORIGIN, F_PARENT, F_SHAPE, F_SPAN, F_STATUS, F_TRACE, IndexError, NONE, SAME, shareExtra, SPAN_INTS, spanCount, unpackOrigin, V_DICT, V_INT, valueReader, type SpanIndex } from './spanIndex';

/**
 * An index over `body` as the store takes it (`SpanStore.ingest`): every offset and id checked now
 * (this throws, as `materialize` does, and the caller decodes the body in place instead), the rows
 * written when the store asks — ids as words read from the body's bytes, times copied, no record
 * and no id string per span. The index's arrays and the body must stay as they are until then.
 */
export function indexRows(ix: SpanIndex, body: Buffer, dict: DictionaryView, ctx: DecodeContext): RowBatch {
  const count = spanCount(ix, dict);
  checkIndex(ix, body.length, dict);
  const origins = ix.origins.map((o) => unpackOrigin(o, ctx));
  const extraOf = new Map<number, SpanExtra>();
  for (const [i, x] of ix.extras) {
    if (!(i >= 0 && i < count)) throw new IndexError('span index: extra out of range');
    extraOf.set(i, shareExtra(x, '', ctx));
  }
  return { count, rejected: ix.rejected, firstError: ix.firstError, append: (sink) => appendIndexRows(ix, body, dict, origins, extraOf, sink) };
}

/** Each byte's value as a lowercase hex digit (as OTLP/JSON writes ids), -1 for any other byte. */
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) HEX_DIGIT['0123456789abcdef'.charCodeAt(c)] = c;

/**
 * Writes the `n` words of the id at bytes[at…] into out[to…]: hex text (8 digits a word) or raw
 * bytes (4 a word, big-endian). False, with words partly written, when the text is not lowercase hex.
 */
function idWords(bytes: Uint8Array, at: number, text: boolean, out: Uint32Array, to: number, n: number): boolean {
  for (let k = 0; k < n; k++) {
    let x = 0;
    if (text) {
      for (let i = at + 8 * k, end = i + 8; i < end; i++) {
        const d = HEX_DIGIT[bytes[i]!]!;
        if (d < 0) return false;
        x = (x << 4) | d;
      }
    } else {
      const i = at + 4 * k;
      x = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    }
    out[to + k] = x >>> 0;
  }
  return true;
}

function appendIndexRows(ix: SpanIndex, body: Buffer, dict: DictionaryView, origins: SpanOrigin[], extraOf: Map<number, SpanExtra>, sink: ChunkSink): void {
  const { spans, times, values } = ix;
  const count = spans.length / SPAN_INTS;
  const slices = body as unknown as NodeBufferSlices;
  const strings = dict.strings;
  const valueAt = valueReader(ix, body, dict);
  const idText = ix.idText === true;
  const hasExtras = extraOf.size > 0;
  // The ids' words: trace (0–3), span (4, 5), parent (6, 7). A trace or parent named again by
  // the next spans (the same offset) keeps its words, read once.
  const w = new Uint32Array(ID_WORDS);
  let wordsOfTrace = -1;
  let wordsOfParent = -1;
  let traceOk = false;
  let parentOk = false;
  let chunk: SpanChunk | undefined;
  let originIn = new Int32Array(0);
  let lastKeys: string[] | undefined;
  let lastShape = -1;
  let trace = 0;
  let parent = -1;
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = sink.chunk();
    if (c !== chunk) {
      chunk = c;
      originIn = new Int32Array(origins.length).fill(-1);
      lastKeys = undefined;
    }
    const o = i * SPAN_INTS;
    const t = spans[o + F_TRACE]!;
    // A run of spans of one trace: the spans after its first are marked SAME.
    let run = 0;
    if (t >= 0) {
      trace = t;
      run = 1;
      while (i + run < count && spans[(i + run) * SPAN_INTS + F_TRACE] === SAME) run++;
    }
    const p = spans[o + F_PARENT]!;
    if (p >= 0) parent = p;
    const parentAt = p === NONE ? -1 : parent;
    const nameValue = spans[o + F_NAME]!;
    const nameArg = spans[o + F_NAME + 1]!;
    const name = c.nameIndex(nameValue === V_DICT ? strings[nameArg]! : slices.utf8Slice(nameValue, nameValue + nameArg));
    const shapeId = spans[o + F_SHAPE]!;
    const keys = shapeId === NONE ? EMPTY_KEYS : dict.shapes[shapeId]!;
    if (keys !== lastKeys) {
      lastKeys = keys;
      lastShape = c.shapeIndex(keys);
    }
    const originAt = spans[o + F_ORIGIN]!;
    let origin = originIn[originAt]!;
    if (origin < 0) origin = originIn[originAt] = c.originIndex(origins[originAt]!);
    const s = spans[o + F_SPAN]!;
    if (trace !== wordsOfTrace) {
      wordsOfTrace = trace;
      traceOk = idWords(body, trace, idText, w, 0, 4);
    }
    if (parentAt >= 0 && parentAt !== wordsOfParent) {
      wordsOfParent = parentAt;
      parentOk = idWords(body, parentAt, idText, w, PARENT_AT, 2);
    }
    const root = parentAt < 0;
    const row =
      traceOk && (root || parentOk) && idWords(body, s, idText, w, SPAN_AT, 2)
        ? c.beginRowWords(w[0]!, w[1]!, w[2]!, w[3]!, w[SPAN_AT]!, w[SPAN_AT + 1]!, root ? 0 : w[PARENT_AT]!, root ? 0 : w[PARENT_AT + 1]!, root, name, lastShape, origin)
        : // Ids that are not lowercase hex (only from a wrong index): kept as text, as any odd id.
          c.beginRow(slices.latin1Slice(trace, trace + 32), slices.latin1Slice(s, s + 16), root ? '' : slices.latin1Slice(parentAt, parentAt + 16), name, lastShape, origin);
    const at = i * SLAB_WORDS;
    const to = row * SLAB_WORDS;
    const rowTimes = c.times;
    rowTimes[to] = times[at]!;
    rowTimes[to + 1] = times[at + 1]!;
    rowTimes[to + 2] = times[at + 2]!;
    rowTimes[to + 3] = times[at + 3]!;
    const out = c.values;
    // The common pairs read here — a one-off string's bytes copied, no string made (chunkText.ts) —
    // the rest (large values, in order, and kept values) by valueAt.
    for (let a = 0; a < keys.length; a++, v += 2) {
      const x = values[v]!;
      const y = values[v + 1]!;
      if (x === V_DICT) out.push(strings[y]!);
      else if (x >= 0 && (y < 0 ? -1 - y : y) < LARGE_TEXT_FROM) c.pushText(body, x, y < 0 ? -1 - y : y);
      else if (x === V_INT) out.push(y);
      else out.push(valueAt(v));
    }
    c.endRow(row, spans[o + F_STATUS]!, spans[o + F_KIND]!, spans[o + F_FLAGS]! >>> 0, hasExtras ? extraOf.get(i) : undefined);
    sink.added(c, row, i, run);
  }
  chunk?.text?.forget();
}
