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
