/**
 * Messages between the collector and its decode workers (`dist/decodeWorker.js`, node
 * worker_threads). Each request carries an `id` that its response echoes; the body's bytes are
 * transferred, not copied.
 */
import type { DictionaryAdditions } from '../store/idDictionary';
import type { PackedBatch } from './packedBatch';
import type { SpanIndex } from './spanIndex';

export type BodyEncoding = 'json' | 'proto';

/** Caps the decoders apply to what they keep; a value over a cap is kept as a `truncated` marker. */
export interface DecodeLimits {
  /** Most bytes one attribute value keeps (UTF-8 of its strings and keys, 8 per scalar). */
  maxValueBytes: number;
  /** Most bytes of attribute values one span keeps (its own, its events' and its links'). */
  maxSpanBytes: number;
  /** Deepest nesting of arrays and kvlists kept; deeper parts become a marker. */
  maxDepth: number;
}

/** Collector → worker. */
export interface DecodeRequest {
  id: number;
  encoding: BodyEncoding;
  body: Uint8Array;
  /** The store's caps (the worker decodes with them). */
  limits: DecodeLimits;
}

/**
 * Worker → collector: the packed spans (JSON), the span index over the body (protobuf), or why the
 * body is malformed (answered with 400). `added` carries what the worker's dictionary gained while
 * reading the body — on failure too — so that the collector's mirror of it stays in step.
 */
export type DecodeResponse =
  | { id: number; ok: true; batch: PackedBatch; added?: DictionaryAdditions }
  | { id: number; ok: true; index: SpanIndex; added: DictionaryAdditions }
  | { id: number; ok: false; message: string; added?: DictionaryAdditions };
