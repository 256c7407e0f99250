import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { BodyEncoding, DecodeRequest, DecodeResponse, RecycleMessage } from './decodeMessages';
import { DecodeContext } from '../store/decodedBatch';
import { DictionaryMirror, type DictionaryView } from '../store/idDictionary';
import { SharedBodies } from './sharedBodies';
import type { SpanIndex } from './spanIndex';
import { BufferSink } from '../store/largeText';
import { LARGE_BODY } from './workSlicer';

/** A worker's answer, with the dictionary its ids (if any) resolve in. */
export interface DecodeResult {
  response: DecodeResponse;
  dict: DictionaryView;
}

interface Pending {
  resolve: (r: DecodeResult) => void;
  reject: (e: Error) => void;
}

/** A body not yet posted to a worker. */
interface Waiting {
  req: DecodeRequest;
  pending: Pending;
}

interface Slot {
  worker: Worker;
  /** Bodies posted to the worker (it decodes them in order). */
  pending: Map<number, Pending>;
  /** This worker's dictionary, as far as its responses so far have told. */
  dict: DictionaryMirror;
}

/**
 * Young generation of a decode worker, in MiB (V8's default on 64-bit is 32–48; V8 makes it two
 * semi-spaces and a large-object space of a third each). Everything a worker allocates is garbage
 * once its answer is posted, so a scavenge finds next to nothing alive whatever the size: the size
 * only sets how much of the process's RSS each worker's heap takes beside the budget. Measured under
 * bench:memory (two workers, 2026-12-06): 8 MiB held 16–19 MiB of V8 pages for the two workers'
 * heaps, 2 MiB held 10–12 (docs/performance.md, `rss-lean`).
 */
export const WORKER_YOUNG_MB = 2;

/** What a decode worker is started with: its heap limits, and whether it is the large bodies' worker. */
export function decodeWorkerOptions(forLarge: boolean): WorkerOptions {
  return { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB }, workerData: { lowPriority: forLarge } };
}

/** After this many workers have died, the pool gives up and callers decode in place. */
const MAX_CRASHES = 3;

/**
 * Large bodies keep to their own worker while small bodies arrived this recently (ms); after that
 * quiet, an idle ordinary worker takes a large body too (a sender of 512-span JSON bodies, each
 * over LARGE_BODY, would otherwise have one worker at nice 10 for all its bodies).
 */
const SMALL_RECENT_MS = 1000;
/** Bodies posted to one worker at a time: two keep it busy across a message round trip. */
const POSTED_PER_WORKER = 2;

/**
 * Decode workers of the collector: request bodies are decoded (JSON scanning, protobuf reading,
 * id and string work) on up to `size` worker threads, so the thread that stores spans — the
 * extension host's — only unpacks and stores. Workers start on the first body, not before.
 * A body goes to the worker with the fewest bodies in hand.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  /**
   * Bodies held here until a worker has room, small ones first: a worker decodes what it was
   * posted in order, so a small body posted behind megabyte ones would wait for all of them
   * (measured: small spans at 0.2–0.46× their rate alone while a sender posted 1 MiB bodies).
   * One large body at a time is in the large bodies' worker.
   */
  private readonly waitingSmall: Waiting[] = [];
  private readonly waitingLarge: Waiting[] = [];
  /**
   * Large bodies are decoded by a worker of their own, whose thread runs at a lower OS priority
   * (nice 10): small bodies then never wait behind a large one in a worker, and when the cores are
   * busy (a sender of megabyte spans beside ours) the storing thread and small bodies' decode get
   * them first. Measured with bench:memory (2 cores, a big sender process beside): see
   * docs/performance.md.
   */
  private largeSlot: Slot | undefined;
  /**
   * Largest buffer of large values a worker sends back for the store to keep (largeValues.ts): the
   * store's slab size (the collector sets it from its budget; 4 MiB for 256 MiB).
   */
  largeBufferBytes = 4 * 1024 * 1024;
  /** When a body under LARGE_BODY last arrived, decoded here or in place (see noteBody). */
  private lastSmallAt = -Infinity;
  private nextId = 1;
  private crashes = 0;
  private disposed = false;
  /** False when workers cannot be used (no script, or they keep dying): decode in place. */
  readonly usable: boolean;
  /**
   * Shared memory for bodies the workers read in place (`bodies.join`), reused once a body is
   * done with (`bodies.release`): a JSON body is otherwise copied a second time to be transferred.
   */
  readonly bodies = new SharedBodies();

  constructor(
    private readonly workerPath: string,
    private readonly size: number,
    private readonly onWarning: (message: string) => void = () => {},
    /** The store's tables: keys and key lists from workers are shared through them. */
    private readonly ctx: DecodeContext = new DecodeContext(),
  ) {
    this.usable = size > 0 && existsSync(workerPath);
    if (size > 0 && !this.usable) onWarning(`decode worker not found at ${workerPath}: decoding on the main thread`);
  }

  get available(): boolean {
    return this.usable && !this.disposed && this.crashes < MAX_CRASHES;
  }

  /**
   * Decodes a body on a worker. A body in a SharedArrayBuffer (see `bodies`) is read by the
   * worker where it is; any other is copied once into a buffer that is transferred. Either way the
   * caller's body stays usable (for making the records from the worker's index, for forwarding, or
   * for decoding in place when this rejects — which it does only when the worker died or the pool
   * is disposed).
   */
  decode(encoding: BodyEncoding, body: Buffer): Promise<DecodeResult> {
    if (!this.available) return Promise.reject(new Error('decode workers unavailable'));
    const id = this.nextId++;
    const shared = body.buffer instanceof SharedArrayBuffer;
    const bytes = shared ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
    this.noteBody(body.length);
    const large = body.length >= LARGE_BODY;
    // A large body's large values come back in buffers the store keeps as they are (largeValues.ts).
    const req: DecodeRequest = { id, encoding, body: bytes, limits: this.ctx.limits, moveLarge: large ? this.largeBufferBytes : undefined };
    return new Promise<DecodeResult>((resolve, reject) => {
      (large ? this.waitingLarge : this.waitingSmall).push({ req, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  /**
   * Tells the pool of a body that arrived, whether or not it comes here (small protobuf bodies are
   * mostly decoded in place): while small bodies flow, large ones keep to their own worker.
   */
  noteBody(bytes: number): void {
    if (bytes < LARGE_BODY) this.lastSmallAt = performance.now();
  }

  /**
   * Hands an emptied buffer of large values (made by the large bodies' worker, kept by the store
   * as a slab) back to that worker for reuse, transferring it. False when there is no such worker.
   */
  recycle(buffer: ArrayBuffer): boolean {
    const slot = this.largeSlot;
    if (!slot || this.disposed) return false;
    const msg: RecycleMessage = { recycle: buffer };
    try {
      slot.worker.postMessage(msg, [buffer]);
    } catch {
      return false;
    }
    return true;
  }

  /**
   * Frees a worker's index once its records are made: its span and value arrays are read by
   * `materialize` and kept by nothing (the time words are: the records' slabs view them). A worker's
   * arrays are malloc'd in its own arena and freed by this thread's garbage collector; left to it,
   * the bodies of one collection cycle's worth stayed allocated at once, and glibc kept the arena
   * that large (the ordinary worker's: 23 MiB under bench:memory). Freed here at once instead.
   */
  releaseIndex(ix: SpanIndex): void {
    this.sink.drop(ix.spans.buffer as ArrayBuffer);
    this.sink.drop(ix.values.buffer as ArrayBuffer);
  }

  private readonly sink = new BufferSink();

  /** Bodies being decoded or waiting for a worker. */
  get inFlight(): number {
    let n = this.waitingSmall.length + this.waitingLarge.length + (this.largeSlot?.pending.size ?? 0);
    for (const s of this.slots) n += s.pending.size;
    return n;
  }

  /**
   * Posts waiting bodies, small ones first, to workers with room; large ones to their own worker,
   * or, when no small body arrived for SMALL_RECENT_MS, to an ordinary worker with nothing in hand.
   */
  private dispatch(): void {
    while (!this.disposed && this.waitingSmall.length > 0) {
      const slot = this.pick();
      if (!slot) break;
      this.post(slot, this.waitingSmall.shift()!);
    }
    while (!this.disposed && this.waitingLarge.length > 0) {
      const lane = (this.largeSlot ??= this.spawn(true));
      const quiet = this.waitingSmall.length === 0 && performance.now() - this.lastSmallAt >= SMALL_RECENT_MS;
      const slot = lane.pending.size === 0 ? lane : quiet ? this.idle() : undefined;
      if (!slot) break;
      this.post(slot, this.waitingLarge.shift()!);
    }
  }

  /** An ordinary worker with nothing in hand, spawning one while under `size`. */
  private idle(): Slot | undefined {
    const idle = this.slots.find((s) => s.pending.size === 0);
    if (idle || this.slots.length >= this.size) return idle;
    const slot = this.spawn(false);
    this.slots.push(slot);
    return slot;
  }

  private post(slot: Slot, w: Waiting): void {
    slot.pending.set(w.req.id, w.pending);
    // A body joined in shared memory is read there in place; any other is handed over.
    const buffer = w.req.body.buffer;
    slot.worker.postMessage(w.req, buffer instanceof SharedArrayBuffer ? [] : [buffer as ArrayBuffer]);
  }

  /** A worker with room for a small body, spawning one while under `size`. */
  private pick(): Slot | undefined {
    const fits = (s: Slot): boolean => s.pending.size < POSTED_PER_WORKER;
    if (this.slots.length < this.size) return this.idle();
    let best: Slot | undefined;
    for (const s of this.slots) if (fits(s) && (!best || s.pending.size < best.pending.size)) best = s;
    return best;
  }

  private spawn(forLarge: boolean): Slot {
    const worker = new Worker(this.workerPath, decodeWorkerOptions(forLarge));
    const slot: Slot = { worker, pending: new Map(), dict: new DictionaryMirror(this.ctx) };
    worker.unref();
    worker.on('message', (res: DecodeResponse) => {
      // Additions apply in the order the worker sent them, before anyone reads the response.
      if (res.added) slot.dict.apply(res.added);
      const p = slot.pending.get(res.id);
      if (!p) return;
      slot.pending.delete(res.id);
      p.resolve({ response: res, dict: slot.dict });
      this.dispatch();
    });
    const lost = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0 && this.largeSlot !== slot) return;
      if (i >= 0) this.slots.splice(i, 1);
      else this.largeSlot = undefined;
      if (!this.disposed) {
        this.crashes++;
        this.onWarning(`decode worker stopped (${why})${this.crashes >= MAX_CRASHES ? '; decoding on the main thread from now on' : ''}`);
      }
      const err = new Error(`decode worker stopped: ${why}`);
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      // Bodies still waiting go to the remaining (or a new) worker, or are decoded in place.
      if (this.available) this.dispatch();
      else this.rejectWaiting(err);
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return slot;
  }

  /** Stops the workers; bodies in hand are rejected (their callers decode in place or give up). */
  private rejectWaiting(err: Error): void {
    for (const w of this.waitingSmall.splice(0)) w.pending.reject(err);
    for (const w of this.waitingLarge.splice(0)) w.pending.reject(err);
  }

  dispose(): void {
    this.disposed = true;
    this.rejectWaiting(new Error('decode workers stopped'));
    const slots = this.slots.splice(0);
    if (this.largeSlot) slots.push(this.largeSlot);
    this.largeSlot = undefined;
    for (const slot of slots) {
      const err = new Error('decode workers stopped');
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      void slot.worker.terminate();
    }
  }
}
