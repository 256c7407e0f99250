/**
 * Messages between the collector and its decode workers (`dist/decodeWorker.js`, node
 * worker_threads). Each request carries an `id` that its response echoes; the body's bytes are
 * transferred, not copied.
 */
import type { PackedBatch } from '../collector/packedBatch';

export type BodyEncoding = 'json' | 'proto';

/** Collector → worker. */
export interface DecodeRequest {
  id: number;
  encoding: BodyEncoding;
  body: Uint8Array;
}

/** Worker → collector: the packed spans, or why the body is malformed (answered with 400). */
export type DecodeResponse = { id: number; ok: true; batch: PackedBatch } | { id: number; ok: false; message: string };
