/**
 * Messages between the collector and its decode workers (`dist/decodeWorker.js`, node
 * worker_threads). Each request carries an `id` that its response echoes; the body's bytes are
 * shared (a SharedArrayBuffer) or transferred, not copied.
 */
import type { DictionaryAdditions } from '../store/idDictionary';
import type { PackedBatch } from './packedBatch';
import type { SpanIndex } from './spanIndex';
import type { DecodeLimits } from '../store/otlpValues';

export type { DecodeLimits };

export type BodyEncoding = 'json' | 'proto';


/** Collector → worker. */
export interface DecodeRequest {
  id: number;
  encoding: BodyEncoding;
  body: Uint8Array;
  /** The store's caps (the worker decodes with them). */
  limits: DecodeLimits;
  /** Move large values out of the body into buffers of at most this many bytes sent with the index (large bodies: largeValues.ts). */
  moveLarge?: number;
}

/** Collector → the large bodies' worker: an emptied buffer of large values, for reuse (largeValues.ts). */
export interface RecycleMessage {
  recycle: ArrayBuffer;
}

/**
 * Worker → collector: the span index over the body (JSON and protobuf), the packed spans (JSON off
 * the exporters' shape, decoded with JSON.parse), or why the body is malformed (answered with 400). `added` carries what the worker's dictionary gained while
 * reading the body — on failure too — so that the collector's mirror of it stays in step.
 */
export type DecodeResponse =
  | { id: number; ok: true; batch: PackedBatch; added?: DictionaryAdditions }
  | { id: number; ok: true; index: SpanIndex; added: DictionaryAdditions }
  | { id: number; ok: false; message: string; added?: DictionaryAdditions };
