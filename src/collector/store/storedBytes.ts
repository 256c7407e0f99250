/**
 * What a stored span costs in memory, computed from its actual fields. The collector's budget is
 * kept in these bytes, not guessed from span counts: one span with a 10 MB response body weighs
 * what 20,000 small spans do.
 *
 * The figures follow V8's layout on 64-bit Node (no pointer compression): an object header of 16–32
 * bytes, 8 bytes per field or array slot, strings as 16 bytes of header plus one byte per character
 * (two when a character is beyond Latin-1), rounded up to 8. Shared things are counted where they
 * are first met: a span counts its attribute keys only when its key array (shared between spans of
 * the same shape by the decoder) is new to the store, and likewise its resource and scope.
 *
 * Extending: a field added to SpanLike or EventRecord is counted by adding one line to
 * {@link spanBytes} / {@link eventBytes}; values of any shape (nested arrays, key/value lists as
 * objects, bigints, byte arrays) are already walked by {@link valueBytes}. Large strings are held
 * off the heap once stored (textSlabs.ts): they count their bytes in a slab and their objects.
 */
import type { SpanExtra, SpanOrigin, SpanLike } from './spanRecord';
import { ROW_COLUMN_BYTES, type SpanChunk } from './spanChunk';
import { LargeText } from './largeText';

/**
 * Fixed cost of one stored span beyond the fields {@link spanBytes} counts: its row in a span chunk
 * (ids as words, times, packed bits, table indices, value end, owner: ROW_COLUMN_BYTES), its
 * reference in its trace's list and its slots in the trace's span-id index (at most half full,
 * doubled when it grows), and its share of the chunk's tables. Measured with `npm run bench:memory
 * -- --overhead` (Node 20, 2026-12-06: V8 heap and ArrayBuffers after storing 200,000 spans without
 * attributes, after a full GC, minus what spanBytes counts beyond this constant): 74 B per span.
 * Kept at 100: spans without attributes are then counted at 1.26x what they take, spans with 10
 * unique string attributes at 1.04x (the run prints both).
 */
export const RECORD_OVERHEAD = ROW_COLUMN_BYTES + 24;

/** Fixed cost of one trace entry (its object, maps, summary cache, trace-id string). */
export const TRACE_OVERHEAD = 600;

const HEADER = 16;
const SLOT = 8;
const ARRAY_OBJECT = 32;
const HEAP_NUMBER = 16;
const OBJECT = 56;
/** Beyond this length a string is scanned for characters outside Latin-1 (shorter ones are taken as one-byte). */
const SCAN_FROM = 24;
const WIDE = /[^\u0000-\u00ff]/;

function round8(n: number): number {
  return (n + 7) & ~7;
}

/** Heap bytes of a string (0 for the empty string, which V8 shares). */
export function stringBytes(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  return round8(HEADER + (n > SCAN_FROM && WIDE.test(s) ? 2 * n : n));
}

function numberBytes(n: number): number {
  // Small integers live in the slot that refers to them; any other number is a boxed HeapNumber.
  return Number.isInteger(n) && n >= -0x40000000 && n < 0x40000000 && !Object.is(n, -0) ? 0 : HEAP_NUMBER;
}

/**
 * Heap bytes of an attribute value of any shape, walked without recursion (a value nested as deep
 * as a hostile sender likes is counted, not a stack overflow). The slot that holds the value is the
 * container's: counted with the container.
 */
export function valueBytes(v: unknown): number {
  let total = 0;
  let stack: unknown[] | undefined;
  let cur: unknown = v;
  for (;;) {
    switch (typeof cur) {
      case 'string':
        total += stringBytes(cur);
        break;
      case 'number':
        total += numberBytes(cur);
        break;
      case 'bigint':
        total += HEADER + SLOT * Math.ceil(Math.max(1, cur.toString(16).length) / 16);
        break;
      case 'object':
        if (cur === null) break;
        // A large string off the heap: its bytes in a slab or a buffer of its own, and its objects (textSlabs.ts).
        if (cur instanceof LargeText) total += cur.cost;
        else if (ArrayBuffer.isView(cur)) total += 2 * ARRAY_OBJECT + HEADER + cur.byteLength;
        else if (Array.isArray(cur)) {
          total += ARRAY_OBJECT + HEADER + SLOT * cur.length;
          stack ??= [];
          for (let i = 0; i < cur.length; i++) stack.push(cur[i]);
        } else {
          const obj = cur as Record<string, unknown>;
          const keys = Object.keys(obj);
          total += OBJECT + 2 * SLOT * keys.length;
          stack ??= [];
          for (const k of keys) {
            total += stringBytes(k);
            stack.push(obj[k]);
          }
        }
        break;
      default:
        // booleans, undefined: constants V8 shares.
        break;
    }
    if (!stack || stack.length === 0) return total;
    cur = stack.pop();
  }
}

/** Bytes of a key array (and its key strings) or a values array of one attribute list. */
function keysBytes(keys: readonly string[]): number {
  let n = ARRAY_OBJECT + HEADER + SLOT * keys.length;
  for (let i = 0; i < keys.length; i++) n += stringBytes(keys[i]!);
  return n;
}

function valuesBytes(values: readonly unknown[]): number {
  let n = ARRAY_OBJECT + HEADER + SLOT * values.length;
  for (let i = 0; i < values.length; i++) n += valueBytes(values[i]);
  return n;
}

/**
 * Remembers which key arrays were counted already: decoders hand spans of the same attribute
 * shape one shared array, which is counted once, with the first span that brings it.
 */
export type SeenKeyArrays = WeakSet<object>;

function sharedKeysBytes(keys: readonly string[], seen: SeenKeyArrays): number {
  if (keys.length === 0 || seen.has(keys)) return 0;
  seen.add(keys);
  return keysBytes(keys);
}

interface EventLike {
  name: string;
  keys: readonly string[];
  values: readonly unknown[];
}

/** Bytes of one span event (object, time, name, attributes). */
export function eventBytes(e: EventLike, seen: SeenKeyArrays): number {
  return OBJECT + HEAP_NUMBER + stringBytes(e.name) + sharedKeysBytes(e.keys, seen) + valuesBytes(e.values);
}

/**
 * Fields a span record may carry beyond those counted by name below (links, trace state): read
 * structurally so that a record type that has them is counted without a change here, and one
 * that lacks them costs nothing.
 */
interface OptionalParts {
  links?: unknown;
  traceState?: unknown;
  extra?: { truncatedValues?: number };
}

/**
 * Bytes one stored span costs: {@link RECORD_OVERHEAD} plus what its fields hold. Its values are
 * slots of its chunk's one values array (no array of its own) and what they point to.
 */
export function spanBytes(rec: SpanLike, seen: SeenKeyArrays): number {
  const values = rec.values;
  return partsBytes(rec.name, rec.keys, values, 0, values.length, rec.extra, seen);
}

/**
 * `spanBytes` of a chunk row, read in place. A one-off string kept as bytes (chunkText.ts) counts
 * its bytes there (its slot holds a small integer, which counts nothing).
 */
export function rowBytes(chunk: SpanChunk, row: number, seen: SeenKeyArrays): number {
  return partsBytes(chunk.spanName(row), chunk.keys(row), chunk.values, chunk.valueStart(row), chunk.valueEnd[row]!, chunk.extra(row), seen) + chunk.rowTextBytes(row);
}

function partsBytes(name: string, keys: readonly string[], values: readonly unknown[], from: number, to: number, x: SpanExtra | undefined, seen: SeenKeyArrays): number {
  let n = RECORD_OVERHEAD + stringBytes(name) + sharedKeysBytes(keys, seen) + SLOT * (to - from);
  // Strings and numbers (nearly every value) counted here: valueBytes, which walks any shape, is
  // too large to be inlined into this loop, and a call per value was a measurable part of storing.
  for (let i = from; i < to; i++) {
    const v = values[i];
    n += typeof v === 'string' ? stringBytes(v) : typeof v === 'number' ? numberBytes(v) : valueBytes(v);
  }
  if (!x) return n;
  // The extra object and its entry in the chunk's side table.
  n += OBJECT + 32 + stringBytes(x.statusMessage ?? '');
  const events = x.events;
  if (events) {
    n += ARRAY_OBJECT + HEADER + SLOT * events.length;
    for (let i = 0; i < events.length; i++) n += eventBytes(events[i]!, seen);
  }
  if (x.links) n += valueBytes(x.links);
  if (x.traceState) n += stringBytes(x.traceState);
  return n;
}

/** How many values of a span the decoders cut to their caps (0 for record types without the count). */
export function truncatedValuesOf(rec: SpanLike): number {
  return (rec as unknown as OptionalParts).extra?.truncatedValues ?? 0;
}

/** Bytes of a resource and scope: counted with the first span that brings it (decoders share equal ones). */
export function originBytes(o: SpanOrigin, seen: SeenKeyArrays): number {
  if (seen.has(o)) return 0;
  seen.add(o);
  const kept = OBJECT + sharedKeysBytes(o.resourceKeys, seen) + valuesBytes(o.resourceValues) + stringBytes(o.serviceName) + stringBytes(o.scopeName) + stringBytes(o.scopeVersion);
  // Scope attributes and schema URLs (kept since the fidelity work).
  return kept + sharedKeysBytes(o.scopeKeys, seen) + valuesBytes(o.scopeValues) + stringBytes(o.resourceSchemaUrl) + stringBytes(o.scopeSchemaUrl);
}
