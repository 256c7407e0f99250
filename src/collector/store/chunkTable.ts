import { ChunkSpan } from './chunkSpan';
import { CHUNK_ROWS, ROW_COLUMN_BYTES, SpanChunk, type SpanFields } from './spanChunk';
import type { TextScratch } from './chunkText';
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
  /** Bytes of one-off strings' text (chunkText.ts) that no live row uses (killed rows'), and in sealed chunks. */
  private deadText = 0;
  private sealedText = 0;
  /** The buffer the open chunk's text is written in, kept from chunk to chunk. */
  private readonly textScratch: TextScratch = {};
  /** Text bytes per row of the chunk sealed last: a new chunk's first guess. */
  private textPerRow = 0;
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
      this.seal(open);
      if (open.live === 0) this.free(this.openSlot);
      else if (open.live * 4 < open.capacity) this.compact(this.openSlot);
    }
    let rows = MIN_ROWS;
    const want = Math.max(hint, this.liveRows >>> 4);
    while (rows < want && rows < this.maxRows) rows *= 2;
    const chunk = new SpanChunk(rows, rows * this.textPerRow, this.textScratch);
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
    const dead = chunk.text?.dead ?? 0;
    if (!chunk.kill(ref & ROW_MASK)) return;
    this.deadText += (chunk.text?.dead ?? 0) - dead;
    this.liveRows--;
    if (chunk === this.open) return;
    if (chunk.live === 0) this.free(slot);
    else if (chunk.live * 4 < chunk.capacity) this.compact(slot);
  }

  /** No more rows go into `open`: its text moves to a buffer of its size (chunkText.ts). */
  private seal(open: SpanChunk): void {
    const text = open.text;
    const dead = text?.dead ?? 0;
    open.seal();
    if (!text) return;
    // A little over what this one held: the next chunk of the same stream seldom grows its buffer.
    this.textPerRow = Math.ceil((1.0625 * text.end) / Math.max(1, open.rows));
    this.deadText += text.dead - dead;
    this.sealedText += text.mappedBytes;
  }

  private free(slot: number): void {
    const chunk = this.chunks[slot]!;
    this.deadText -= chunk.text?.dead ?? 0;
    this.sealedText -= chunk.text?.mappedBytes ?? 0;
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
    const { chunk } = compactChunk(old, this.textScratch);
    this.deadText += (chunk.text?.dead ?? 0) - (old.text?.dead ?? 0);
    this.sealedText += (chunk.text?.mappedBytes ?? 0) - (old.text?.mappedBytes ?? 0);
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
    return (this.capacityRows - unused - this.liveRows) * ROW_COLUMN_BYTES + this.deadText;
  }

  /** Bytes of every chunk's columns and sealed chunks' text (outside the V8 heap, and outside `process.memoryUsage().arrayBuffers`). */
  get columnBytes(): number {
    return this.capacityRows * ROW_COLUMN_BYTES + this.sealedText;
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
    this.deadText = 0;
    this.sealedText = 0;
  }
}

/**
 * A chunk with only the live rows of `chunk`, in order, sized to them (sealed), and where each row
 * went: `moved[row]` is the new row, -1 for a dead one. The caller points its references at the
 * new rows (SpanIdIndex.remap) and drops the old chunk.
 */
export function compactChunk(chunk: SpanChunk, scratch?: TextScratch): { chunk: SpanChunk; moved: Int32Array } {
  const out = new SpanChunk(Math.max(1, chunk.live), undefined, scratch);
  const moved = new Int32Array(chunk.rows).fill(-1);
  for (let row = 0; row < chunk.rows; row++) if (!chunk.isDead(row)) moved[row] = out.copyRow(chunk, row);
  out.seal();
  return { chunk: out, moved };
}
