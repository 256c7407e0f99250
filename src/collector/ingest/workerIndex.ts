import type { DecodeContext } from '../store/decodedBatch';
import { indexOtlpJson } from './otlpJsonScanner';
import { indexOtlpProto } from './otlpProtoDecoder';
import type { IndexScratch, SpanIndex } from './spanIndex';

/**
 * The span index a decode worker posts for a body (undefined: JSON off the exporters' shape, for
 * the JSON.parse path). It is built in the worker's scratch arrays, which grow to fit the bodies
 * once and are reused, and its span and value integers are then copied out at their exact size,
 * to be transferred. Before, each body allocated arrays of its own sized from its length (130 KiB
 * of value integers for a 512-span JSON body, mostly unused): memory mapped afresh, zeroed and
 * page-faulted in for every body, and doubled (copied) as they filled.
 */
export function indexForPost(encoding: 'json' | 'proto', body: Buffer, ctx: DecodeContext, scratch: IndexScratch): SpanIndex | undefined {
  const ix = encoding === 'proto' ? indexOtlpProto(body, ctx, scratch) : indexOtlpJson(body, ctx, scratch);
  if (!ix) return undefined;
  ix.spans = ix.spans.slice();
  ix.values = ix.values.slice();
  // A large body's arrays are not kept for the small bodies after it.
  if ((scratch.spans?.byteLength ?? 0) > SCRATCH_KEPT) scratch.spans = undefined;
  if ((scratch.values?.byteLength ?? 0) > SCRATCH_KEPT) scratch.values = undefined;
  return ix;
}

/** Largest scratch array kept between bodies, in bytes (a 512-span body of 10 attributes a span needs 40 KiB). */
const SCRATCH_KEPT = 1024 * 1024;
