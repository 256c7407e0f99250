import type { BatchStrings } from '../../protocol/spanBatch';
import { hexToWords, isSpanHex, SpanIdIndex, type SpanIdWords } from './spanIdWords';

/**
 * Span id → string-table ref for one timeline batch: each distinct id once, a parent's ref its
 * span's. Stored rows keep their ids as words, so the table is keyed by the words (a SpanIdIndex
 * over the batch's spans: seeded, at most MAX_PROBES slots an operation, the rest beside it), not by
 * hex text: a 16-character hash and string compare per id and per parent cost a 100k-span batch
 * ~20 ms, the words a few. Text is made only for what the page reads: each span id once, and the
 * parent ids of no span of the batch (a remote parent, one sent in an earlier delta).
 *
 * Ids that are not 16 lowercase hex digits (kept as text by their chunk) are keyed by their text;
 * a canonical id given as text (an odd row's) is keyed by its words, so it meets the same id given
 * as words.
 */
export class BatchIdRefs implements SpanIdWords {
  /** Span k's id: words[2k] (most significant), words[2k + 1]. */
  private readonly words: Uint32Array;
  private readonly index: SpanIdIndex;
  /** The ref of span k's id (shared with the first span of the same id). */
  private readonly spanRefs: Int32Array;
  /** Ids that are not words: id → the first span with it. */
  private textIds: Map<string, number> | undefined;
  /** Parent ids of no span of the batch → their ref. */
  private readonly others = new Map<string, number>();
  private readonly scratch = new Uint32Array(2);

  /** `n`: spans of the batch; `seed` for tests that make ids collide under a known hash. */
  constructor(
    private readonly t: BatchStrings,
    n: number,
    seed?: number,
  ) {
    this.words = new Uint32Array(2 * n);
    this.spanRefs = new Int32Array(n);
    // Sized for every span at once: the table never grows while the batch is made.
    this.index = new SpanIdIndex(this, n, seed);
  }

  /** Slots looked at so far (what the hostile-id tests bound). */
  get probes(): number {
    return this.index.probes;
  }

  idHigh(k: number): number {
    return this.words[2 * k]!;
  }

  idLow(k: number): number {
    return this.words[2 * k + 1]!;
  }

  /** The ref of span `k`'s id, given as words and as its hex `text`; call for k = 0, 1, 2 … first. */
  span(k: number, hi: number, lo: number, text: string): number {
    this.words[2 * k] = hi;
    this.words[2 * k + 1] = lo;
    // Replacing the slot's span by k is harmless: both have the id, and k shares the first one's ref.
    const j = this.index.set(hi, lo, k);
    return (this.spanRefs[k] = j === -1 ? this.t.add(text) : this.spanRefs[j]!);
  }

  /** `span` for an id kept as text. */
  spanText(k: number, id: string): number {
    if (isSpanHex(id)) {
      hexToWords(id, this.scratch, 0);
      return this.span(k, this.scratch[0]!, this.scratch[1]!, id);
    }
    const textIds = (this.textIds ??= new Map());
    const j = textIds.get(id);
    if (j !== undefined) return (this.spanRefs[k] = this.spanRefs[j]!);
    textIds.set(id, k);
    return (this.spanRefs[k] = this.t.add(id));
  }

  /** The ref of the span of the batch with id (hi, lo), or -1 (then see {@link other}). */
  parent(hi: number, lo: number): number {
    const j = this.index.get(hi, lo);
    return j === -1 ? -1 : this.spanRefs[j]!;
  }

  /** The ref of a parent id given as text: its span's when the batch has it. */
  parentText(id: string): number {
    if (isSpanHex(id)) {
      hexToWords(id, this.scratch, 0);
      const r = this.parent(this.scratch[0]!, this.scratch[1]!);
      return r === -1 ? this.other(id) : r;
    }
    const j = this.textIds?.get(id);
    return j === undefined ? this.other(id) : this.spanRefs[j]!;
  }

  /** The ref of a parent id that is no span of the batch (one per distinct id). */
  other(id: string): number {
    let r = this.others.get(id);
    if (r === undefined) this.others.set(id, (r = this.t.add(id)));
    return r;
  }
}
