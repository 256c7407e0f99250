/**
 * Bytes of request bodies received but not yet stored, for every OTLP/HTTP path together. A body
 * is held (as received, then copied for a decode worker, then decoded) until its batch is stored;
 * senders faster than the store would otherwise pile bodies up in memory beyond the budget. Past
 * the bound a request is refused before its body is read — 503 with Retry-After, which the OTLP
 * exporters retry — and nothing of it is stored, so nothing stored is lost or altered.
 *
 * One body is always let through when nothing is held, so a body within the body limit is never
 * refused forever.
 */
export class InFlightBytes {
  /**
   * [held, peak held, refused] in shared memory: the OTLP/gRPC receiver's session thread
   * (grpc/grpcSessionWorker.ts) reserves on the same counter as this thread's receivers, atomically.
   * 64-bit, so a hostile declared length cannot wrap it.
   */
  private readonly words: BigInt64Array;

  constructor(
    readonly maxBytes: number,
    /** The counter of another thread's InFlightBytes (see `shared`): both then hold one bound. */
    shared?: SharedArrayBuffer,
  ) {
    this.words = new BigInt64Array(shared ?? new SharedArrayBuffer(3 * 8));
  }

  /** The counter's memory, for another thread's `new InFlightBytes(maxBytes, shared)`. */
  get shared(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  /** Reserves `n` bytes; false (and counted as refused) when that would pass the bound. */
  tryReserve(n: number): boolean {
    const w = this.words;
    const add = bigBytes(n);
    const max = BigInt(this.maxBytes);
    for (;;) {
      const held = Atomics.load(w, HELD);
      if (held > 0n && held + add > max) {
        Atomics.add(w, REFUSED, 1n);
        return false;
      }
      if (Atomics.compareExchange(w, HELD, held, held + add) !== held) continue;
      for (let peak = Atomics.load(w, PEAK); held + add > peak; peak = Atomics.load(w, PEAK)) {
        if (Atomics.compareExchange(w, PEAK, peak, held + add) === peak) break;
      }
      return true;
    }
  }

  release(n: number): void {
    const w = this.words;
    const sub = bigBytes(n);
    for (;;) {
      const held = Atomics.load(w, HELD);
      const next = held > sub ? held - sub : 0n;
      if (Atomics.compareExchange(w, HELD, held, next) === held) return;
    }
  }

  /**
   * A holder for one request: reserves as its body arrives, releases everything once (when the
   * request is answered or dropped), however many paths end it.
   */
  hold(): InFlightHold {
    let reserved = 0;
    return {
      reserve: (n: number): boolean => {
        if (!this.tryReserve(n)) return false;
        reserved += n;
        return true;
      },
      release: (): void => {
        this.release(reserved);
        reserved = 0;
      },
    };
  }

  stats(): { inFlightBytes: number; maxInFlightBytes: number; peakInFlightBytes: number; busyRequests: number } {
    const w = this.words;
    return { inFlightBytes: Number(Atomics.load(w, HELD)), maxInFlightBytes: this.maxBytes, peakInFlightBytes: Number(Atomics.load(w, PEAK)), busyRequests: Number(Atomics.load(w, REFUSED)) };
  }
}

const HELD = 0;
const PEAK = 1;
const REFUSED = 2;

/** A byte count as a BigInt (whole, at least 0; past 2^53 held at 2^53). */
function bigBytes(n: number): bigint {
  return BigInt(Number.isSafeInteger(n) ? Math.max(0, n) : Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.ceil(n) || 0)));
}

export interface InFlightHold {
  /** Adds `n` bytes to this request's reservation; false when the bound is reached (nothing added). */
  reserve(n: number): boolean;
  /** Gives back all this request's bytes (idempotent). */
  release(): void;
}

/** Seconds a refused sender is asked to wait (the store drains a full in-flight allowance in well under one). */
export const RETRY_AFTER_SECONDS = 1;

/** Default bound: an eighth of the memory budget, between 8 and 64 MiB. */
export function defaultMaxInFlightBytes(budgetBytes: number): number {
  const MiB = 1024 * 1024;
  return Math.max(8 * MiB, Math.min(64 * MiB, Math.floor(budgetBytes / 8)));
}
