import type { DecodeContext, RowBatch } from '../store/decodedBatch';
import type { KeyInfo, StringPool } from '../store/stringPool';
import { SLAB_WORDS, shareExtraStrings, type SpanExtra, type SpanOrigin } from '../store/spanRecord';
import type { ChunkSink, SpanChunk } from '../store/spanChunk';
import { checkPacked, PACKED_FIELD as F, packedShapes, SPAN_FIELDS, unpackOther, type PackedBatch } from './packedBatch';
import { unpackOrigin } from './spanIndex';

/**
 * Appends the spans of a packed batch (a decode worker's answer for a JSON body) as chunk rows:
 * the batch's strings are interned in the store's tables (names, keys, repeated values, origins)
 * exactly as `unpackBatch` does for records, then each span is its ints and time words copied
 * into the columns — no object per span. Throws, before any row is written, when an index of the
 * batch is out of range.
 */
export function appendPacked(p: PackedBatch, ctx: DecodeContext, sink: ChunkSink): void {
  packedRows(p, ctx).append(sink);
}

/**
 * A packed batch as the store takes it (`SpanStore.ingest`): checked and its strings interned now
 * (this throws on a batch with an index out of range: the caller decodes the body in place
 * instead), its rows written when the store asks.
 */
export function packedRows(p: PackedBatch, ctx: DecodeContext): RowBatch {
  checkPacked(p);
  const { strings, spans } = p;
  const pool = ctx.pool;
  const count = spans.length / SPAN_FIELDS;
  const { shapeKeys, shapeInfos } = packedShapes(p, ctx);
  const origins = p.origins.map((o) => unpackOrigin(o, ctx));
  const extraOf = new Map<number, SpanExtra>();
  for (const [i, x] of p.extras) {
    if (!(i >= 0 && i < count)) throw new Error('packed batch: extra out of range');
    if (x.events) x.events = x.events.map((e) => ({ ...e, name: pool.intern(String(e.name)) }));
    shareExtraStrings(x, strings[spans[i * SPAN_FIELDS + F.trace]!]!, (s) => ctx.traceState(s));
    extraOf.set(i, x);
  }
  return { count, rejected: p.rejected, firstError: p.firstError, append: (sink) => appendRows(p, pool, shapeKeys, shapeInfos, origins, extraOf, sink) };
}

function appendRows(p: PackedBatch, pool: StringPool, shapeKeys: string[][], shapeInfos: KeyInfo[][], origins: SpanOrigin[], extraOf: Map<number, SpanExtra>, sink: ChunkSink): void {
  const { strings, spans, times, values } = p;
  const other = unpackOther(p);
  const count = spans.length / SPAN_FIELDS;
  // Per chunk: the batch's name, shape and origin indices there (-1: not yet in that chunk).
  let chunk: SpanChunk | undefined;
  let nameIn: Int32Array = new Int32Array(0);
  let shapeIn: Int32Array = new Int32Array(0);
  let originIn: Int32Array = new Int32Array(0);
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = sink.chunk();
    if (c !== chunk) {
      chunk = c;
      nameIn = new Int32Array(strings.length).fill(-1);
      shapeIn = new Int32Array(shapeKeys.length).fill(-1);
      originIn = new Int32Array(origins.length).fill(-1);
    }
    const o = i * SPAN_FIELDS;
    const nameAt = spans[o + F.name]!;
    let name = nameIn[nameAt]!;
    if (name < 0) name = nameIn[nameAt] = c.nameIndex(pool.intern(strings[nameAt]!));
    const shapeAt = spans[o + F.shape]!;
    let shape = shapeIn[shapeAt]!;
    if (shape < 0) shape = shapeIn[shapeAt] = c.shapeIndex(shapeKeys[shapeAt]!);
    const originAt = spans[o + F.origin]!;
    let origin = originIn[originAt]!;
    if (origin < 0) origin = originIn[originAt] = c.originIndex(origins[originAt]!);
    const parent = spans[o + F.parent]!;
    const row = c.beginRow(strings[spans[o + F.trace]!]!, strings[spans[o + F.span]!]!, parent < 0 ? '' : strings[parent]!, name, shape, origin);
    c.times.set(times.subarray(i * SLAB_WORDS, (i + 1) * SLAB_WORDS), row * SLAB_WORDS);
    const infos = shapeInfos[shapeAt]!;
    const out = c.values;
    for (let a = 0; a < infos.length; a++) {
      const x = values[v++]!;
      out.push(x >= 0 ? pool.value(infos[a]!, strings[x]!) : other[-1 - x]!);
    }
    c.endRow(row, spans[o + F.status]!, spans[o + F.kind]!, spans[o + F.flags]! >>> 0, extraOf.get(i));
    sink.added(c, row, i);
  }
}
