// A decode worker of the collector (bundled as dist/decodeWorker.js): turns request bodies into
// span indexes (JSON and protobuf; packed batches for JSON off the exporters' shape) off the thread
// that stores them. See decodePool.ts.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { DecodeRequest, DecodeResponse, RecycleMessage } from './decodeMessages';
import { DecodeContext, DecodeError } from '../store/decodedBatch';
import { decodeOtlpJson } from './otlpJsonDecoder';
import { indexForPost } from './workerIndex';
import { packBatch, packedTransfers } from './packedBatch';
import { indexTransfers, type IndexScratch } from './spanIndex';
import { LargeBuffers, moveLargeValues } from './largeValues';
import { decodeLimits } from '../store/otlpValues';

const port = parentPort;
if (!port) throw new Error('decodeWorker runs as a worker thread');
// The large bodies' worker yields the cores to the storing thread and small bodies (decodePool.ts).
// Only on Linux, where a thread's priority is its own: elsewhere it would be the whole process's.
if ((workerData as { lowPriority?: boolean } | undefined)?.lowPriority && process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // Not allowed here: it decodes at the normal priority.
  }
}
const ctx = new DecodeContext();
/** The index arrays bodies are read into (see indexForPost). */
const scratch: IndexScratch = {};
/** Values of keys that the decoder found to repeat are stored once per batch; others as they come. */
const repeats = (key: string): boolean => ctx.pool.key(key).values !== undefined;

/** Buffers of large values the store emptied, for the next bodies (the large bodies' worker only). */
const largeBuffers = new LargeBuffers();

port.on('message', (req: DecodeRequest | RecycleMessage) => {
  if ('recycle' in req) {
    largeBuffers.give(req.recycle);
    // Let go once large bodies stop coming.
    largeBuffers.releaseWhenIdle();
    return;
  }
  let res: DecodeResponse;
  try {
    const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    ctx.limits = decodeLimits(req.limits);
    const index = indexForPost(req.encoding, body, ctx, scratch);
    if (index) {
      if (req.moveLarge) moveLargeValues(index, body, req.moveLarge, largeBuffers);
      res = { id: req.id, ok: true, index, added: ctx.dict.takeAdditions() };
      port.postMessage(res, indexTransfers(index));
    } else {
      // Off the exporters' shape: decoded with JSON.parse here, and posted as strings and rows.
      const packed = packBatch(decodeOtlpJson(body.toString('utf8'), ctx), repeats);
      res = { id: req.id, ok: true, batch: packed, added: ctx.dict.takeAdditions() };
      port.postMessage(res, packedTransfers(packed));
    }
  } catch (e) {
    const message = e instanceof DecodeError ? e.message : `malformed body: ${e instanceof Error ? e.message : String(e)}`;
    res = { id: req.id, ok: false, message, added: ctx.dict.takeAdditions() };
    port.postMessage(res);
  }
});
