/**
 * OTLP times are unsigned 64-bit nanoseconds since the epoch: 19 digits today, more than a double
 * holds exactly. They are kept as two 32-bit words (low, high) — the protobuf fixed64 as it is on
 * the wire — and converted to fractional milliseconds only for display and queries.
 */

import { msRestToNanoWords } from '../../protocol/spanColumns';

// The conversions the timeline's columns share live in protocol/spanColumns.ts (one place); the
// collector's names for them are kept here beside the parsers only the decoders need.
export { nanoWordsToDecimal as wordsToDecimal, nanoWordsToMs as wordsToMs, msRestToNanoWords as msRestToWords } from '../../protocol/spanColumns';

const TWO_32 = 4294967296;
/** A module-local binding: in the unbundled test build an imported one is a getter call per use. */
const msRestToWords = msRestToNanoWords;

/**
 * Parses decimal nanoseconds (digits only, as OTLP/JSON writes a uint64) into `out[at]`,
 * `out[at + 1]`; false when the text is not an integer in OTLP's range (then nothing is written).
 */
export function decimalToWords(text: string, out: Uint32Array, at: number): boolean {
  const n = text.length;
  if (n === 0 || n > 20) return false;
  let ms = 0;
  let rest = 0;
  const split = n - 6;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return false;
    if (i < split) ms = ms * 10 + d;
    else rest = rest * 10 + d;
  }
  return msRestToWords(ms, rest, out, at);
}

/** A JSON number time (JSON.parse already rounded it beyond 2^53): words, or false when not an integer ≥ 0. */
export function numberToWords(v: number, out: Uint32Array, at: number): boolean {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** 64) return false;
  const hi = Math.floor(v / TWO_32);
  out[at] = v - hi * TWO_32;
  out[at + 1] = hi;
  return true;
}

/** An event's time: whole epoch milliseconds and the nanoseconds after them (0 … 999,999). */
export interface EventTime {
  ms: number;
  rest: number;
}

/** Words to whole milliseconds and rest. */
export function wordsToMsRest(lo: number, hi: number): EventTime {
  const low = hi * 967296 + lo;
  const rest = low % 1e6;
  return { ms: hi * 4294 + (low - rest) / 1e6, rest };
}
