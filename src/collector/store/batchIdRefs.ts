import { ID_WORDS as COLUMN_ID_WORDS, isSpanHex, hexToWords, SPAN_AT as COLUMN_SPAN_AT } from '../../protocol/spanColumns';
import { SpanIdIndex, type SpanIdWords } from './spanIdWords';

// Bindings of this module, read per span: an imported binding is a getter call in the unbundled
// test and bench builds (a profile of the process's first batch showed `SPAN_AT` at 5 ms).
const ID_WORDS = COLUMN_ID_WORDS;
const SPAN_AT = COLUMN_SPAN_AT;

/**
 * Span id → position in one timeline batch, for its parents (`SpanBatch.parent`). The batch's
 * span ids are words (its `ids` column, copied from the rows), so the table is keyed by the words
 * (a SpanIdIndex over the batch's own column: seeded, at most MAX_PROBES slots an operation, the
 * rest beside it), never by hex text: no id text is made for a batch at all.
 *
 * Ids that are not 16 lowercase hex digits (kept as text by their chunk and by the batch) are
 * keyed by their text; a canonical id given as text (an odd row's) is keyed by its words, so it
 * meets the same id given as words.
 */
export class BatchIdRefs implements SpanIdWords {
  private readonly index: SpanIdIndex;
  /** Ids that are not words: id → the last span with it. */
  private textIds: Map<string, number> | undefined;
  private readonly scratch = new Uint32Array(2);

  /** `ids`: the batch's id column (ID_WORDS per span); `n`: its spans; `seed` for tests that make ids collide under a known hash. */
  constructor(
    readonly words: Uint32Array,
    n: number,
    seed?: number,
  ) {
    // Sized for every span at once: the table never grows while the batch is made.
    this.index = new SpanIdIndex(this, n, seed);
  }

  /** Slots looked at so far (what the hostile-id tests bound). */
  get probes(): number {
    return this.index.probes;
  }

  idHigh(k: number): number {
    return this.words[k * ID_WORDS + SPAN_AT]!;
  }

  idLow(k: number): number {
    return this.words[k * ID_WORDS + SPAN_AT + 1]!;
  }

  /** Span `k` has the id in its words (a later span with the same id takes its place). */
  span(k: number): void {
    const at = k * ID_WORDS + SPAN_AT;
    this.index.set(this.words[at]!, this.words[at + 1]!, k);
  }

  /** Span `k`'s id is `id`, kept as text (not hex: a canonical id is in the words, see {@link span}). */
  spanText(k: number, id: string): void {
    (this.textIds ??= new Map()).set(id, k);
  }

  /** The position of the span with id (hi, lo), or -1. */
  parent(hi: number, lo: number): number {
    return this.index.get(hi, lo);
  }

  /** The position of the span with an id given as text, or -1. */
  parentText(id: string): number {
    if (isSpanHex(id)) {
      hexToWords(id, this.scratch, 0);
      return this.parent(this.scratch[0]!, this.scratch[1]!);
    }
    return this.textIds?.get(id) ?? -1;
  }
}
