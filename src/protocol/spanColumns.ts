/**
 * How a span's ids and times are held in columns, the same on both sides of the timeline: the
 * collector's stored rows (its span chunks) and the {@link SpanBatch} the webview reads. A batch
 * is then made by copying the rows' id and time words as they are, and the page turns words into
 * hex text or milliseconds only for what it shows.
 *
 * - Ids: 32-bit words, most significant first (the order of the id's bytes on the wire and of its
 *   hex text): {@link ID_WORDS} per span — the trace id's four at {@link TRACE_AT}, the span id's
 *   two at {@link SPAN_AT}, the parent span id's two at {@link PARENT_AT} (zeros for a root).
 * - Times: unsigned 64-bit nanoseconds since the epoch (OTLP's), as two words, low then high —
 *   the protobuf fixed64 as it is on the wire: {@link TIME_WORDS} per span (start low, high, end
 *   low, high), two per event. Exact to the nanosecond: a double holds 19-digit nanoseconds only
 *   to about 256 ns.
 */

/** Words per span in an id column: trace id (4), span id (2), parent span id (2). */
export const ID_WORDS = 8;
/** Where a span's trace id starts among its {@link ID_WORDS}. */
export const TRACE_AT = 0;
/** Where a span's span id starts among its {@link ID_WORDS}. */
export const SPAN_AT = 4;
/** Where a span's parent span id starts among its {@link ID_WORDS}. */
export const PARENT_AT = 6;
/** Words per span in a time column: start low, start high, end low, end high. */
export const TIME_WORDS = 4;

const TWO_32 = 4294967296;
/** Largest OTLP time, 2^64 - 1 ns, as whole milliseconds and the nanoseconds after them. */
const MAX_MS = 18446744073709;
const MAX_REST = 551615;

/** Fractional epoch milliseconds of the time (lo, hi): the double nearest to it but for one rounding. */
export function nanoWordsToMs(lo: number, hi: number): number {
  // hi·2^32 ns = hi·4294 ms + hi·967296 ns: every partial product is an exact double.
  return hi * 4294 + (hi * 967296 + lo) / 1e6;
}

/** The decimal nanoseconds of the time (lo, hi), exactly (what OTLP/JSON writes). */
export function nanoWordsToDecimal(lo: number, hi: number): string {
  const low = hi * 967296 + lo; // < 2^53
  const rest = low % 1e6;
  const ms = hi * 4294 + (low - rest) / 1e6;
  return ms === 0 ? String(rest) : `${ms}${String(rest).padStart(6, '0')}`;
}

/**
 * Writes the time `ms`·10^6 + `rest` ns as words into out[at] (low), out[at + 1] (high); false when
 * it is beyond 2^64 - 1 (then nothing is written). `ms` is a whole number of milliseconds, `rest`
 * a whole number below 10^6.
 */
export function msRestToNanoWords(ms: number, rest: number, out: Uint32Array, at: number): boolean {
  if (ms > MAX_MS || (ms === MAX_MS && rest > MAX_REST)) return false;
  // (ms mod 2^32)·10^6 + rest < 2^53 is exact; what is above 2^32 in ms adds (ms div 2^32)·10^6 to the high word.
  const mhi = Math.floor(ms / TWO_32);
  const low = (ms - mhi * TWO_32) * 1e6 + rest;
  const carry = Math.floor(low / TWO_32);
  out[at] = low - carry * TWO_32;
  out[at + 1] = mhi * 1e6 + carry;
  return true;
}

/**
 * Fractional milliseconds (a `SpanView`'s) to the nearest nanosecond as words; what is not a time
 * (negative, not finite, beyond 2^64 ns) writes 0. For epoch times {@link nanoWordsToMs} gives the
 * same double back: the nanosecond is far finer than a double's step there.
 */
export function msToNanoWords(ms: number, out: Uint32Array, at: number): void {
  if (!(ms >= 0) || !msRestToNanoWords(Math.floor(ms), Math.min(999999, Math.round((ms - Math.floor(ms)) * 1e6)), out, at)) {
    out[at] = 0;
    out[at + 1] = 0;
  }
}

/** Milliseconds from the time (oLo, oHi) to the time (lo, hi): exact integer nanoseconds when within 2^53 ns (104 days), then one division. */
export function nanoWordsSinceMs(lo: number, hi: number, oLo: number, oHi: number): number {
  return ((hi - oHi) * TWO_32 + (lo - oLo)) / 1e6;
}

const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;

/** Whether `id` is a span id of 16 lowercase hex digits (storable as two words). */
export function isSpanHex(id: string): boolean {
  return id.length === 16 && HEX16.test(id);
}

/** Whether `id` is a trace id of 32 lowercase hex digits (storable as four words). */
export function isTraceHex(id: string): boolean {
  return id.length === 32 && HEX32.test(id);
}

/** Writes the words of the hex id `id` (8 digits a word, checked by the caller: {@link isSpanHex}, {@link isTraceHex}) into out[at…]. */
export function hexToWords(id: string, out: Uint32Array, at: number): void {
  for (let w = 0; w < id.length >> 3; w++) out[at + w] = parseInt(id.slice(w * 8, w * 8 + 8), 16);
}

/** The lowercase hex text of `n` words at words[at…]. */
export function wordsToHex(words: Uint32Array, at: number, n: number): string {
  let s = '';
  for (let w = 0; w < n; w++) s += words[at + w]!.toString(16).padStart(8, '0');
  return s;
}
