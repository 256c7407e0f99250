import type { StoredValue } from './largeText';
import type { SpanChunk } from './spanChunk';
import { packBits, SLAB_SPANS, SLAB_WORDS, SpanRecord, type EventRecord, type LinkRecord, type SpanExtra, type SpanLike, type SpanOrigin } from './spanRecord';

/**
 * One row of a span chunk seen as a record (`SpanLike`): made on demand for the cold readers (the
 * read API's views, OTLP export, details of one span), so that they need not know the columns.
 * Hot readers (the timeline batch, ingest, queries over many spans) read the chunk's columns.
 * It reads the chunk when asked, so it is only valid while the row is not moved by a compaction.
 */
export class ChunkSpan implements SpanLike {
  constructor(
    readonly chunk: SpanChunk,
    readonly row: number,
  ) {}

  get traceId(): string {
    return this.chunk.traceId(this.row);
  }

  get spanId(): string {
    return this.chunk.spanId(this.row);
  }

  get parentSpanId(): string {
    return this.chunk.parentSpanId(this.row);
  }

  get name(): string {
    return this.chunk.spanName(this.row);
  }

  get keys(): string[] {
    return this.chunk.keys(this.row);
  }

  /** A copy: the chunk keeps every row's values in one array. */
  get values(): StoredValue[] {
    return this.chunk.rowValues(this.row);
  }

  get origin(): SpanOrigin {
    return this.chunk.spanOrigin(this.row);
  }

  get extra(): SpanExtra | undefined {
    return this.chunk.extra(this.row);
  }

  get startMs(): number {
    return this.chunk.startMs(this.row);
  }

  get endMs(): number {
    return this.chunk.endMs(this.row);
  }

  get startTimeUnixNano(): string {
    return this.chunk.startTimeUnixNano(this.row);
  }

  get endTimeUnixNano(): string {
    return this.chunk.endTimeUnixNano(this.row);
  }

  copyTimes(out: Uint32Array, at: number): void {
    out.set(this.chunk.times.subarray(this.row * SLAB_WORDS, (this.row + 1) * SLAB_WORDS), at);
  }

  get status(): number {
    return this.chunk.status(this.row);
  }

  get spanKind(): number {
    return this.chunk.spanKind(this.row);
  }

  get flags(): number {
    return this.chunk.flags(this.row);
  }

  get statusMessage(): string {
    return this.extra?.statusMessage ?? '';
  }

  get events(): EventRecord[] | undefined {
    return this.extra?.events;
  }

  get links(): LinkRecord[] | undefined {
    return this.extra?.links;
  }

  get traceState(): string {
    return this.extra?.traceState ?? '';
  }
}

/**
 * Records copied out of rows, for a reader that keeps them past the moment (a run file written
 * across awaits, a caller of `SpanStore.records`): a row read later may be dead (its trace evicted,
 * its values let go) or moved, a record made now is not. Their times share slabs of SLAB_SPANS.
 */
export function snapshotRecords(spans: readonly ChunkSpan[]): SpanRecord[] {
  const out = new Array<SpanRecord>(spans.length);
  let slab = new Uint32Array(0);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const slot = i % SLAB_SPANS;
    if (slot === 0) slab = new Uint32Array(Math.min(SLAB_SPANS, spans.length - i) * SLAB_WORDS);
    s.copyTimes(slab, slot * SLAB_WORDS);
    const { status, spanKind, flags } = s;
    const bits = packBits(slot, status, spanKind, flags);
    out[i] = new SpanRecord(s.traceId, s.spanId, s.parentSpanId, s.name, slab, bits, s.keys, s.values, s.origin, s.extra);
  }
  return out;
}
