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
  private held = 0;
  private peakHeld = 0;
  private refused = 0;

  constructor(readonly maxBytes: number) {}

  /** Reserves `n` bytes; false (and counted as refused) when that would pass the bound. */
  tryReserve(n: number): boolean {
    if (this.held > 0 && this.held + n > this.maxBytes) {
      this.refused++;
      return false;
    }
    this.held += n;
    if (this.held > this.peakHeld) this.peakHeld = this.held;
    return true;
  }

  release(n: number): void {
    this.held = Math.max(0, this.held - n);
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
    return { inFlightBytes: this.held, maxInFlightBytes: this.maxBytes, peakInFlightBytes: this.peakHeld, busyRequests: this.refused };
  }
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
