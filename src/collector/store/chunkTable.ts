import { ChunkSpan } from './chunkSpan';
import { CHUNK_ROWS, compactChunk, ROW_COLUMN_BYTES, SpanChunk, type SpanFields } from './spanChunk';
import type { SpanIdWords } from './spanIdWords';

/** Bits of a reference for the row within its chunk (CHUNK_ROWS = 2^ROW_BITS). */
const ROW_BITS = 12;
const ROW_MASK = (1 << ROW_BITS) - 1;
/** Rows of the smallest chunk made (a store that receives a trickle does not hold a large empty one). */
const MIN_ROWS = 64;

/**
 * Rows of the largest chunk for a budget of `maxBytes`: a new chunk's room counts against the
 * budget at once, so it must be small beside it (else making one would evict a trace).
 */
export function chunkRowsFor(maxBytes: number): number {
  let rows = MIN_ROWS;
  while (rows < CHUNK_ROWS && rows * 2 * ROW_COLUMN_BYTES * 64 <= maxBytes) rows *= 2;
  return rows;
}

/** Called when a compaction moved a row: entry `owner`'s span at `pos` is now at `ref`. */
export type Relocate = (owner: number, pos: number, ref: number) => void;

/**
 * Every chunk of a store, and references to their rows: a reference is an int, the chunk's slot
 * here times CHUNK_ROWS plus the row. Rows are appended to one open chunk; a full one is sealed and
 * the next made, sized to what the store holds (64 rows for a trickle, CHUNK_ROWS once the store
 * is busy). A row killed (replaced, evicted) stays until its chunk is empty — then the chunk goes —
 * or three quarters dead — then its live rows are copied into a chunk of their size and their
 * owners told where they went (`relocate`). So the room held in chunks stays within a small factor
 * of the live rows' (`deadBytes` is what is not theirs, counted against the budget).
 */
export class ChunkTable implements SpanIdWords {
  private readonly chunks: (SpanChunk | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private open: SpanChunk | undefined;
  private openSlot = -1;
  private liveRows = 0;
  private capacityRows = 0;
  /** Compactions done so far (tests read it). */
  compactions = 0;

  /** Rows of the largest chunk made: its room is at most 1/64 of the budget (see `chunkRowsFor`). */
  private readonly maxRows: number;

  constructor(
    private readonly relocate: Relocate,
    maxBytes = Infinity,
  ) {
    this.maxRows = chunkRowsFor(maxBytes);
  }

  /** A reference's chunk (undefined only for a reference to a chunk that went). */
  chunkOf(ref: number): SpanChunk {
    return this.chunks[ref >>> ROW_BITS]!;
  }

  rowOf(ref: number): number {
    return ref & ROW_MASK;
  }

  idHigh(ref: number): number {
    return this.chunks[ref >>> ROW_BITS]!.idHigh(ref & ROW_MASK);
  }

  idLow(ref: number): number {
    return this.chunks[ref >>> ROW_BITS]!.idLow(ref & ROW_MASK);
  }

  /** A record-like view of the row (see chunkSpan.ts). */
  span(ref: number): ChunkSpan {
    return new ChunkSpan(this.chunks[ref >>> ROW_BITS]!, ref & ROW_MASK);
  }

  /** The chunk rows go into now (with room for one at least), made when needed; `hint`: rows about to come. */
  chunk(hint = 1): SpanChunk {
    const open = this.open;
    if (open && !open.full) return open;
    if (open) {
      open.seal();
      if (open.live === 0) this.free(this.openSlot);
      else if (open.live * 4 < open.capacity) this.compact(this.openSlot);
    }
    let rows = MIN_ROWS;
    const want = Math.max(hint, this.liveRows >>> 4);
    while (rows < want && rows < this.maxRows) rows *= 2;
    const chunk = new SpanChunk(rows);
    const slot = this.freeSlots.pop() ?? this.chunks.length;
    this.chunks[slot] = chunk;
    this.open = chunk;
    this.openSlot = slot;
    this.capacityRows += rows;
    return chunk;
  }

  /** The reference of a row of the open chunk (just appended: see `added`). */
  refOfOpen(row: number): number {
    return (this.openSlot << ROW_BITS) | row;
  }

  /** A row was appended to the open chunk for `owner` at its place `pos`; returns its reference. */
  added(row: number, owner: number, pos: number): number {
    const chunk = this.open!;
    chunk.owner[row] = owner;
    chunk.ownerPos[row] = pos;
    this.liveRows++;
    return (this.openSlot << ROW_BITS) | row;
  }

  /** Takes back the row just appended to the open chunk (its span was refused): no room is left dead. */
  discard(ref: number): void {
    this.chunks[ref >>> ROW_BITS]!.dropLast(ref & ROW_MASK);
  }

  /** Appends a record-shaped span for `owner` at `pos`; returns its reference. */
  appendRecord(rec: SpanFields, owner: number, pos: number, hint = 1): number {
    const row = this.chunk(hint).appendRecord(rec);
    return this.added(row, owner, pos);
  }

  /**
   * Kills a row (its span was replaced, refused or evicted). A chunk left empty goes; a sealed one
   * left three quarters dead is compacted (its live rows' owners are told their new references).
   */
  kill(ref: number): void {
    const slot = ref >>> ROW_BITS;
    const chunk = this.chunks[slot]!;
    if (!chunk.kill(ref & ROW_MASK)) return;
    this.liveRows--;
    if (chunk === this.open) return;
    if (chunk.live === 0) this.free(slot);
    else if (chunk.live * 4 < chunk.capacity) this.compact(slot);
  }

  private free(slot: number): void {
    const chunk = this.chunks[slot]!;
    this.capacityRows -= chunk.capacity;
    this.chunks[slot] = undefined;
    this.freeSlots.push(slot);
    if (chunk === this.open) {
      this.open = undefined;
      this.openSlot = -1;
    }
  }

  private compact(slot: number): void {
    const old = this.chunks[slot]!;
    const { chunk } = compactChunk(old);
    this.chunks[slot] = chunk;
    this.capacityRows += chunk.capacity - old.capacity;
    this.compactions++;
    for (let row = 0; row < chunk.rows; row++) this.relocate(chunk.owner[row]!, chunk.ownerPos[row]!, (slot << ROW_BITS) | row);
  }

  /**
   * Bytes of room in chunks that no live row uses: dead rows (until their chunk goes or is
   * compacted). The open chunk's end not yet written is not counted: it is at most one chunk,
   * whose size is kept small beside the budget (`chunkRowsFor`), and counting it would make the
   * budget jump by a chunk whenever one is made.
   */
  get deadBytes(): number {
    const unused = this.open ? this.open.capacity - this.open.rows : 0;
    return (this.capacityRows - unused - this.liveRows) * ROW_COLUMN_BYTES;
  }

  /** Bytes of every chunk's columns (outside the V8 heap, and outside `process.memoryUsage().arrayBuffers`). */
  get columnBytes(): number {
    return this.capacityRows * ROW_COLUMN_BYTES;
  }

  /** Live rows. */
  get rows(): number {
    return this.liveRows;
  }

  /** Chunks held (tests read it). */
  get chunkCount(): number {
    return this.chunks.length - this.freeSlots.length;
  }

  clear(): void {
    this.chunks.length = 0;
    this.freeSlots.length = 0;
    this.open = undefined;
    this.openSlot = -1;
    this.liveRows = 0;
    this.capacityRows = 0;
  }
}
