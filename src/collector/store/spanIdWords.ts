/**
 * Span and trace ids as 32-bit words instead of hex strings: a span id is two words, a trace id
 * four, most significant first (the order of the id's bytes on the wire and of its hex text). A
 * stored id then costs 8 (16) bytes in a typed array, against a 16 (32)-character string object
 * and the slot that points to it, and the garbage collector has nothing to mark.
 *
 * Decoders give ids as lowercase hex (normSpanId, normTraceId); an id that is not (a hand-made
 * record, an importer's odd id) does not fit words and is kept as text beside them by the chunk.
 * The conversions are the timeline batch's too (protocol/spanColumns.ts), the word-keyed table the
 * page's (trace/spanIdIndex.ts): both are re-exported here for the store's modules.
 */
export { hexToWords, isSpanHex, isTraceHex, wordsToHex } from '../../protocol/spanColumns';
export { SeedSource, SpanIdIndex, spanIdHash, type SpanIdWords } from '../../trace/spanIdIndex';

/**
 * Writes the words of `id` (`digits` lowercase hex digits) into out[at…]; false, with words
 * partly written, when it is not exactly that (odd ids are kept as text by the caller).
 */
export function parseHexWords(id: string, digits: number, out: Uint32Array, at: number): boolean {
  if (id.length !== digits) return false;
  for (let w = 0; w < digits >> 3; w++) {
    let x = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const c = id.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) return false;
      x = x * 16 + d;
    }
    out[at + w] = x;
  }
  return true;
}

/** Copies `n` words within `ids` (a row's id words from the row before); true. */
export function copyWords(ids: Uint32Array, from: number, to: number, n: number): boolean {
  for (let i = 0; i < n; i++) ids[to + i] = ids[from + i]!;
  return true;
}

/** The big-endian 32-bit word at bytes[at…at+3]. */
export function word(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
