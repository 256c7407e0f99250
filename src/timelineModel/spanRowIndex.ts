import { PARENT_ELSEWHERE, PARENT_NONE, type SpanBatch } from '../protocol/spanBatch';
import { hexToWords, ID_WORDS, isSpanHex, PARENT_AT, SPAN_AT } from '../protocol/spanColumns';
import { SpanIdIndex, type SpanIdWords } from '../trace/spanIdIndex';

// Bindings of this module, read per row (an imported binding is a getter in the unbundled test build).
const WORDS = ID_WORDS;
const AT = SPAN_AT;
const NONE = PARENT_NONE;
const ELSEWHERE = PARENT_ELSEWHERE;

/** The batch's ids kept as text, by row: -1, or the odd entry (SpanBatch.oddIdRows) of the row. */
export function oddEntries(batch: SpanBatch): Int32Array | undefined {
  const rows = batch.oddIdRows;
  if (rows.length === 0) return undefined;
  const of = new Int32Array(batch.parent.length).fill(-1);
  for (let k = 0; k < rows.length; k++) of[rows[k]!] = k;
  return of;
}

/**
 * Span id → the last row of the batch with it (later spans of a live run win, as in the store),
 * keyed by the id's words (SpanIdIndex: seeded, probes bounded: the ids come from users' programs),
 * ids kept as text by their text. A batch that grows by appended rows (live updates) extends the
 * index with its new rows only.
 */
export class SpanRowIndex implements SpanIdWords {
  private readonly index: SpanIdIndex;
  private textIds: Map<string, number> | undefined;
  /** A later row with the same id, or the row itself: `last` follows it (chains are as long as an id is repeated). */
  private next: Int32Array;
  /**
   * A row with the parent's id, once found by the words (parents elsewhere than the span's own
   * batch: a live update's children of spans sent earlier): each rebuild then reads it, not the
   * table; -1 until found (an orphan is looked up again: its parent may arrive).
   */
  private found: Int32Array;
  private rows = 0;
  private readonly scratch = new Uint32Array(2);

  constructor(
    private batch: SpanBatch,
    private odd: Int32Array | undefined,
    seed?: number,
  ) {
    this.next = new Int32Array(batch.parent.length);
    this.found = new Int32Array(batch.parent.length).fill(-1);
    this.index = new SpanIdIndex(this, batch.parent.length, seed);
    this.add(0);
  }

  /** Slots looked at so far (what the hostile-id tests bound). */
  get probes(): number {
    return this.index.probes;
  }

  idHigh(row: number): number {
    return this.batch.ids[row * WORDS + AT]!;
  }

  idLow(row: number): number {
    return this.batch.ids[row * WORDS + AT + 1]!;
  }

  /** The batch is now `grown`: the same rows, and more after them. */
  grown(grown: SpanBatch, odd: Int32Array | undefined): void {
    this.batch = grown;
    this.odd = odd;
    const next = new Int32Array(grown.parent.length);
    next.set(this.next.subarray(0, this.rows));
    this.next = next;
    const found = new Int32Array(grown.parent.length).fill(-1);
    found.set(this.found.subarray(0, this.rows));
    this.found = found;
    this.add(this.rows);
  }

  /** The ref of row's odd id text (0 trace, 1 span, 2 parent), or -1 where the id is words. */
  oddRef(row: number, which: number): number {
    const k = this.odd === undefined ? -1 : this.odd[row]!;
    return k === -1 ? -1 : this.batch.oddIdText[3 * k + which]!;
  }

  private text(ref: number): string {
    const b = this.batch;
    return b.text.slice(ref === 0 ? 0 : b.textEnd[ref - 1]!, b.textEnd[ref]!);
  }

  private add(first: number): void {
    const ids = this.batch.ids;
    const next = this.next;
    const n = this.batch.parent.length;
    for (let r = first; r < n; r++) {
      next[r] = r;
      const textRef = this.oddRef(r, 1);
      let before: number;
      if (textRef === -1) before = this.index.set(ids[r * WORDS + AT]!, ids[r * WORDS + AT + 1]!, r);
      else {
        const textIds = (this.textIds ??= new Map());
        const id = this.text(textRef);
        before = textIds.get(id) ?? -1;
        textIds.set(id, r);
      }
      if (before !== -1) next[before] = r;
    }
    this.rows = n;
  }

  /**
   * The last row with the id of row `r`. The rows walked are then pointed at it: a span re-sent at
   * every live update grows its chain by one each time, and each of its children would otherwise
   * walk the whole chain on every rebuild.
   */
  last(r: number): number {
    const next = this.next;
    let end = r;
    while (next[end] !== end) end = next[end]!;
    while (r !== end) {
      const after = next[r]!;
      next[r] = end;
      r = after;
    }
    return end;
  }

  /** The last row whose span id is `id` (hex text, or an odd id's text), or -1. */
  get(id: string): number {
    if (isSpanHex(id)) {
      hexToWords(id, this.scratch, 0);
      return this.index.get(this.scratch[0]!, this.scratch[1]!);
    }
    return this.textIds?.get(id) ?? -1;
  }

  /**
   * The row of span `r`'s parent (the last with its id): -1 for a root, -2 for a parent the batch
   * does not have (an orphan), `r` itself for a span that names itself.
   */
  parentRow(r: number): number {
    const p = this.batch.parent[r]!;
    if (p === NONE) return -1;
    if (p !== ELSEWHERE) return this.last(p);
    const known = this.found[r]!;
    if (known !== -1) return this.last(known);
    const row = this.lookUpParent(r);
    if (row >= 0) this.found[r] = row;
    return row;
  }

  private lookUpParent(r: number): number {
    const textRef = this.oddRef(r, 2);
    if (textRef !== -1) {
      const id = this.text(textRef);
      if (id === '') return -1;
      const row = this.get(id);
      return row === -1 ? -2 : row;
    }
    const at = r * WORDS + PARENT_AT;
    const row = this.index.get(this.batch.ids[at]!, this.batch.ids[at + 1]!);
    return row === -1 ? -2 : row;
  }
}
