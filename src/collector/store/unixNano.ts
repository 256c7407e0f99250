/**
 * OTLP times are unsigned 64-bit nanoseconds since the epoch: 19 digits today, more than a double
 * holds exactly. They are kept as two 32-bit words (low, high) — the protobuf fixed64 as it is on
 * the wire — and converted to fractional milliseconds only for display and queries.
 */

const TWO_32 = 4294967296;

/** Largest OTLP time, 2^64 - 1 ns, as whole milliseconds and the nanoseconds after them. */
const MAX_MS = 18446744073709;
const MAX_REST = 551615;

/** Fractional epoch milliseconds of a time (exact to well under a microsecond). */
export function wordsToMs(lo: number, hi: number): number {
  // hi·2^32 ns = hi·4294 ms + hi·967296 ns: every partial product is an exact double.
  return hi * 4294 + (hi * 967296 + lo) / 1e6;
}

/** The decimal nanoseconds OTLP/JSON writes, exactly. */
export function wordsToDecimal(lo: number, hi: number): string {
  const low = hi * 967296 + lo; // < 2^53
  const rest = low % 1e6;
  const ms = hi * 4294 + (low - rest) / 1e6;
  return ms === 0 ? String(rest) : `${ms}${String(rest).padStart(6, '0')}`;
}

/**
 * Writes the time `ms`·10^6 + `rest` ns as words into `out[at]`, `out[at + 1]`; false when it is
 * beyond 2^64 - 1 (then nothing is written). `ms` is a whole number of milliseconds, `rest` < 10^6.
 */
export function msRestToWords(ms: number, rest: number, out: Uint32Array, at: number): boolean {
  if (ms > MAX_MS || (ms === MAX_MS && rest > MAX_REST)) return false;
  // (ms mod 2^32)·10^6 + rest < 2^53 is exact; what is above 2^32 in ms adds (ms div 2^32)·10^6 to the high word.
  // Division and floor, not %: a floating-point remainder is slow on this hot path.
  const mhi = Math.floor(ms / TWO_32);
  const low = (ms - mhi * TWO_32) * 1e6 + rest;
  const carry = Math.floor(low / TWO_32);
  out[at] = low - carry * TWO_32;
  out[at + 1] = mhi * 1e6 + carry;
  return true;
}

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
