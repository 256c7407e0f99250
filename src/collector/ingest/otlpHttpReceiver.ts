import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { DecodeError, spanCountOf, type DecodedBatch, type RowBatch } from '../store/decodedBatch';
import { decodeOtlpJsonRows } from './otlpJsonScanner';
import { decodeOtlpProtoRows } from './otlpProtoDecoder';
import type { DecodePool } from './decodePool';
import { RETRY_AFTER_SECONDS, type InFlightBytes } from './inFlightBytes';
import { packedRows } from './packedChunks';
import { indexRows } from './indexRows';
import { MAX_POOLED_BYTES } from './sharedBodies';
import { EMPTY_RESPONSE_JSON, exportResponse, statusBody } from './otlpResponse';
import type { SpanStore } from '../store/spanStore';
import type { IngestResult } from '../store/spanStoreTypes';
import { LARGE_BODY, type LargeBodyPacer, type WorkSlicer } from './workSlicer';
import type { BufferSink } from '../store/largeText';

/** An accepted request body exactly as received, for forwarding. */
export interface AcceptedBody {
  body: Buffer;
  contentType: string;
  contentEncoding: string | undefined;
}

export interface ReceiverOptions {
  /** Limit of the body, and of the body after decompression, in bytes. */
  maxBodyBytes: number;
  onAccepted?: (body: AcceptedBody) => void;
  /** Where storing (and decoding in place) runs (sliced, so the event loop is never held for long). */
  slicer: WorkSlicer;
  /** Decode workers (JSON bodies); without them (or when they fail) bodies are decoded in place. */
  decoders?: DecodePool;
  /**
   * Protobuf bodies always go to the workers. Default: decoded in place, except that a body arriving
   * while earlier ones wait for this thread goes to a worker that has nothing in hand.
   */
  protobufOnWorkers?: boolean;
  /** Bodies received and not yet stored, all paths together: past its bound a request gets 503. */
  inFlight?: InFlightBytes;
  /** Frees each piece of a body once copied into shared memory (BufferSink.dropCopied). */
  copiedChunks?: BufferSink;
}

type Encoding = 'json' | 'proto';

function mediaType(req: IncomingMessage): Encoding | undefined {
  const ct = req.headers['content-type'];
  if (!ct) return undefined;
  const semi = ct.indexOf(';');
  const t = (semi >= 0 ? ct.slice(0, semi) : ct).trim().toLowerCase();
  if (t === 'application/json') return 'json';
  if (t === 'application/x-protobuf' || t === 'application/protobuf') return 'proto';
  return undefined;
}

function send(res: ServerResponse, status: number, enc: Encoding, body: Buffer, close = false): void {
  res.statusCode = status;
  if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.setHeader('Content-Type', enc === 'proto' ? 'application/x-protobuf' : 'application/json');
  res.setHeader('Content-Length', body.length);
  if (close) res.setHeader('Connection', 'close');
  res.end(body);
}

/**
 * The answer to a body stored whole, headers and body made once: it is most answers, and writing
 * its headers one `setHeader` at a time (each validated, then joined) was a measurable part of the
 * storing thread's time per request. The body goes as a string, so that Node writes it with the
 * headers in one piece instead of a two-buffer `writev`.
 */
const STORED = {
  json: { headers: ['Content-Type', 'application/json', 'Content-Length', String(EMPTY_RESPONSE_JSON.length)], body: EMPTY_RESPONSE_JSON },
  proto: { headers: ['Content-Type', 'application/x-protobuf', 'Content-Length', '0'], body: '' },
} as const;

function sendStored(res: ServerResponse, enc: Encoding): void {
  const r = STORED[enc];
  res.writeHead(200, r.headers as unknown as string[]);
  res.end(r.body, 'latin1');
}

/** Beyond this many bytes a refused body is not read to its end: the connection is dropped. */
export const DRAIN_CAP = 64 * 1024 * 1024;

/** Reads and drops a refused body (or, past DRAIN_CAP or with `close`, drops the connection). */
export function discard(req: IncomingMessage, close: boolean): void {
  if (close) {
    req.on('data', () => {});
    return;
  }
  let n = 0;
  req.on('data', (c: Buffer) => {
    n += c.length;
    if (n > DRAIN_CAP) req.socket.destroy();
  });
}

/**
 * The partialSuccess message: why spans were rejected (invalid) and why valid ones were refused
 * (the memory bounds), so that the sender's logs say what happened to its spans.
 */
export function partialMessage(batch: DecodedBatch | RowBatch, result: IngestResult): string {
  const parts: string[] = [];
  if (batch.rejected > 0) parts.push(`${batch.rejected} span(s) rejected; first: ${batch.firstError}`);
  if (result.refusedSpans > 0) parts.push(`${result.refusedSpans} span(s) refused for the collector's memory bounds; first: ${result.refusedReason}`);
  return parts.join('; ');
}

/** Handles `POST /v1/traces` (the path and method are checked by the caller). */
export function receiveTraces(req: IncomingMessage, res: ServerResponse, store: SpanStore, opts: ReceiverOptions): void {
  const counters = store.counters;
  counters.requests++;
  const enc = mediaType(req);
  const fail = (status: number, message: string, close = false): void => {
    counters.rejectedRequests++;
    send(res, status, enc ?? 'json', statusBody(enc === 'proto', status === 400 ? 3 : status === 413 ? 8 : 3, message), close);
  };
  if (!enc) {
    req.resume();
    fail(415, 'Content-Type must be application/json or application/x-protobuf');
    return;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    req.resume();
    fail(415, `unsupported Content-Encoding "${encoding}"`);
    return;
  }
  const limit = opts.maxBodyBytes;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    // Closing at once would reset a client still sending: read and drop a moderate excess.
    const close = declared > DRAIN_CAP;
    discard(req, close);
    fail(413, `body of ${declared} bytes exceeds the limit of ${limit}`, close);
    return;
  }
  // The body counts as in flight from its first byte until the request is answered.
  const hold = opts.inFlight?.hold();
  const busy = (): void =>
    send(res, 503, enc, statusBody(enc === 'proto', 14, `the collector is busy storing earlier requests (${opts.inFlight!.maxBytes} bytes in flight): retry after ${RETRY_AFTER_SECONDS} s`));
  if (hold) {
    res.once('finish', hold.release);
    res.once('close', hold.release);
    if (declared >= 0 && !hold.reserve(declared)) {
      discard(req, declared > DRAIN_CAP);
      busy();
      return;
    }
  }
  // Small first (workSlicer.ts): a small body counts as in flight until it is answered, and a large
  // body's socket is not read meanwhile (bounded), so that TCP holds its sender back.
  const endSmall = declared >= 0 && declared < LARGE_BODY ? opts.slicer.smallBodyBegan() : undefined;
  let pacer: LargeBodyPacer | undefined;
  const pace = (): LargeBodyPacer =>
    (pacer = opts.slicer.paceLargeBody(
      () => req.pause(),
      () => req.resume(),
    ));
  const over = (): void => {
    endSmall?.();
    pacer?.dispose();
  };
  res.once('finish', over);
  res.once('close', over);
  if (declared >= LARGE_BODY) pace().read(0);
  const reservedUpFront = hold !== undefined && declared >= 0;
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  // A body of known length is copied into reused shared memory as each chunk arrives (still in the
  // cache from the parser's copy, and given up at once), where a decode worker can read it and
  // where it is decoded in place as well: no buffer of its own is allocated (and page-faulted in)
  // per request. Without a length (chunked), beyond the sizes kept for reuse (a declared length is
  // not memory taken before its bytes come), or without workers, chunks are kept and joined.
  const pool = opts.decoders;
  const early = encoding === 'identity' && declared > 0 && declared <= MAX_POOLED_BYTES && pool?.available === true ? pool.bodies.alloc(declared) : undefined;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (pacer) pacer.read(chunk.length);
    else if (size >= LARGE_BODY && !(declared >= 0)) pace().read(size);
    if (tooLarge) {
      if (size > DRAIN_CAP) req.socket.destroy();
      return;
    }
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
      fail(413, `body exceeds the limit of ${limit} bytes`);
      return;
    }
    if (hold && !reservedUpFront && !hold.reserve(chunk.length)) {
      // A body without Content-Length found the bound mid-way: refused whole, nothing stored.
      tooLarge = true;
      chunks.length = 0;
      busy();
      return;
    }
    if (early && size <= early.length) {
      early.fill(chunk, size - chunk.length, size);
      opts.copiedChunks?.dropCopied(chunk);
    } else chunks.push(chunk);
  });
  req.on('error', () => {
    if (!res.headersSent) res.destroy();
  });
  req.on('end', () => {
    // Read whole: nothing left to pause (its decode and storing wait in the queues as large work).
    pacer?.dispose();
    if (tooLarge) return;
    if (early && (chunks.length > 0 || size !== early.length)) {
      // Not seen with node:http (its parser ends a body at its Content-Length), but never stored half.
      fail(400, `body of ${size} bytes does not match its Content-Length of ${declared}`);
      return;
    }
    // JSON bodies go to the decode workers; protobuf ones when asked, or when bodies already wait
    // for this thread and a worker has nothing in hand (see `protobufOnWorkers`).
    const wantsWorker = (): boolean => pool?.available === true && (enc === 'json' || opts.protobufOnWorkers === true || (opts.slicer.pending > 0 && pool.inFlight === 0));
    // A body that a decode worker will read is joined where the worker can read it without a copy.
    const toWorker = encoding === 'identity' && wantsWorker();
    const raw = early ?? (toWorker ? pool!.bodies.join(chunks, size) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    if (raw !== chunks[0]) for (const c of chunks) opts.copiedChunks?.dropCopied(c);
    chunks.length = 0;
    const shared = raw.buffer instanceof SharedArrayBuffer;
    const store200 = (batch: DecodedBatch | RowBatch): void => {
      const result = store.ingest(batch);
      // Forwarded as a plain Buffer: HTTP clients refuse views of shared memory.
      if (spanCountOf(batch) > 0) opts.onAccepted?.({ body: shared ? Buffer.from(raw) : raw, contentType: req.headers['content-type']!, contentEncoding: req.headers['content-encoding'] });
      if (batch.rejected === 0 && result.refusedSpans === 0) sendStored(res, enc);
      else send(res, 200, enc, exportResponse(enc === 'proto', batch.rejected + result.refusedSpans, partialMessage(batch, result)));
    };
    const decodeInPlace = (body: Buffer): void => {
      let batch: DecodedBatch | RowBatch;
      try {
        batch = enc === 'json' ? decodeOtlpJsonRows(body, store.decodeContext) : decodeOtlpProtoRows(body, store.decodeContext);
      } catch (e) {
        if (e instanceof DecodeError) fail(400, e.message);
        else fail(400, `malformed body: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      store200(batch);
    };
    const decodeAndStore = (body: Buffer, onWorker: boolean): void => {
      const size = body.length;
      if (!onWorker) pool?.noteBody(size);
      if (!onWorker || !pool?.available) {
        return opts.slicer.run(() => {
          decodeInPlace(body);
          // Its records are made (or it was refused): the shared body is reused by a later request.
          if (body === raw && shared) pool!.bodies.release(raw);
        }, size);
      }
      pool.decode(enc, body).then(
        ({ response: r, dict }) =>
          opts.slicer.run(() => {
            try {
              if (!r.ok) return fail(400, r.message);
              let batch: DecodedBatch | RowBatch;
              try {
                batch = 'index' in r ? indexRows(r.index, body, dict, store.decodeContext) : packedRows(r.batch, store.decodeContext);
              } catch {
                return decodeInPlace(body);
              }
              // The rows are read from the index (and the body) as they are stored: freed after.
              store200(batch);
              if ('index' in r) pool.releaseIndex(r.index);
            } finally {
              // The shared body is reused by a later request once its records are made (or it was
              // refused): only here, where the worker has answered, so nothing else still reads it.
              if (body === raw && shared) pool.bodies.release(raw);
            }
          }, size),
        () => opts.slicer.run(() => decodeInPlace(body), size),
      );
    };
    if (encoding === 'identity') return decodeAndStore(raw, toWorker);
    const unzip = encoding === 'deflate' ? inflate : gunzip;
    unzip(raw, { maxOutputLength: limit }, (err, out) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) fail(413, `decompressed body exceeds the limit of ${limit} bytes`);
        else fail(400, `invalid ${encoding} body: ${err.message}`);
        return;
      }
      decodeAndStore(out, wantsWorker());
    });
  });
}
