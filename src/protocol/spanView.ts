/**
 * A plain, display-oriented view of one span: what the terminal waterfall, the views and the
 * timeline draw from, whichever store it came from. Times are epoch milliseconds (fractional);
 * the exact nanoseconds travel in the OTLP export, not here.
 */

/**
 * An attribute value, exactly as OTLP sent it (see docs/otlp-fidelity.md). The common kinds are
 * plain JavaScript values: a string; a number is an OTLP `intValue` when it is an integer and a
 * `doubleValue` when it is not; a boolean; an array of only strings, only numbers or only booleans
 * (each item read by the same rule). Everything else is an {@link AttrTagged} object.
 */
export type AttrValue = string | number | boolean | string[] | number[] | boolean[] | AttrTagged;

/** The value kinds a plain JavaScript value cannot say exactly; JSON-safe and structured-clone-safe. */
export type AttrTagged = AttrInt | AttrDouble | AttrBytes | AttrArray | AttrKvList | AttrEmpty | AttrTruncated;

/** An `intValue` beyond ±2^53, as its decimal text. */
export interface AttrInt {
  kind: 'int';
  value: string;
}

/**
 * A `doubleValue` that JavaScript would take for an int or that JSON cannot write: an integral
 * double (3.0, 1e300), -0, NaN, ±Infinity. `value` is its text ('3', '1e+300', '-0', 'NaN',
 * 'Infinity', '-Infinity'); `Number(value)` gives the double back.
 */
export interface AttrDouble {
  kind: 'double';
  value: string;
}

/** A `bytesValue`, base64. */
export interface AttrBytes {
  kind: 'bytes';
  base64: string;
}

/** An `arrayValue` that is not a plain list: mixed kinds, nested values, empty items. */
export interface AttrArray {
  kind: 'array';
  values: AttrValue[];
}

/** A `kvlistValue`: keys and values in the order sent (keys may repeat, or be `__proto__`). */
export interface AttrKvList {
  kind: 'kvlist';
  keys: string[];
  values: AttrValue[];
}

/** An AnyValue with nothing set (a null item in an array, a key sent without a value). */
export interface AttrEmpty {
  kind: 'empty';
}

/**
 * A value cut by the collector's caps: the start of its text (for a string, the string's start)
 * and the size it had, in bytes (UTF-8 of strings and keys, 8 per scalar).
 */
export interface AttrTruncated {
  kind: 'truncated';
  value: string;
  length: number;
}

export interface SpanEventView {
  name: string;
  timeMs: number;
  attributes: Record<string, AttrValue>;
}

/** A link from a span to another span (of this trace or another). */
export interface SpanLinkView {
  traceId: string;
  spanId: string;
  traceState?: string;
  /** OTLP link flags (W3C trace flags in bits 0–7, is-remote in bits 8–9). */
  flags?: number;
  attributes: Record<string, AttrValue>;
  droppedAttributesCount?: number;
}

export type SpanStatusName = 'unset' | 'ok' | 'error';

export interface SpanView {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  status: SpanStatusName;
  statusMessage?: string;
  attributes: Record<string, AttrValue>;
  events: SpanEventView[];
  /** OTLP SpanKind (1 internal … 5 consumer); absent when unspecified. */
  kind?: number;
  traceState?: string;
  /** OTLP span flags; absent when 0. */
  flags?: number;
  links?: SpanLinkView[];
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/** The text of a double as AttrDouble keeps it ('-0', 'NaN', 'Infinity', '3', '1e+300'). */
export function doubleText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** Whether `v` is one of the tagged kinds (not a plain string, number, boolean or list). */
export function isTaggedValue(v: AttrValue): v is AttrTagged {
  return typeof v === 'object' && !Array.isArray(v);
}

/** An attribute record from keys and values, taking any key as data (`__proto__` becomes an own property, not the prototype). */
export function attributeRecord(keys: readonly string[], values: readonly AttrValue[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < keys.length; i++) setAttribute(out, keys[i]!, values[i]!);
  return out;
}

/** `out[key] = value`, also for the key `__proto__`. */
export function setAttribute(out: Record<string, AttrValue>, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * A value as text, for display (never HTML): lists joined with ', ', kvlists as `{k: v, …}`,
 * bytes as `base64:…`, empty as '', a cut value with its original size. Deep values are written
 * without recursion.
 */
export function attrText(v: AttrValue): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.map(String).join(', ');
  switch (v.kind) {
    case 'int':
    case 'double':
      return v.value;
    case 'bytes':
      return `base64:${v.base64}`;
    case 'empty':
      return '';
    case 'truncated':
      return `${v.value}… (truncated, ${v.length} bytes)`;
    default:
      return structureText(v);
  }
}

/** Nested arrays and kvlists as text, with an explicit stack (no recursion, whatever the depth). */
function structureText(root: AttrArray | AttrKvList): string {
  let out = '';
  // Pieces of punctuation are wrapped so that no value can be mistaken for one.
  const stack: (AttrValue | { text: string })[] = [root];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (typeof x === 'object' && !Array.isArray(x) && 'text' in x) {
      out += x.text;
      continue;
    }
    if (typeof x === 'object' && !Array.isArray(x) && (x.kind === 'array' || x.kind === 'kvlist')) {
      const kv = x.kind === 'kvlist';
      stack.push({ text: kv ? '}' : ']' });
      for (let i = x.values.length - 1; i >= 0; i--) {
        stack.push(x.values[i]!);
        if (kv) stack.push({ text: `${JSON.stringify(x.keys[i]!)}: ` });
        if (i > 0) stack.push({ text: ', ' });
      }
      stack.push({ text: kv ? '{' : '[' });
      continue;
    }
    if (typeof x === 'string' || Array.isArray(x)) out += JSON.stringify(x, (_k, n: unknown) => (typeof n === 'number' && !Number.isFinite(n) ? String(n) : n));
    else if (typeof x === 'object' && x.kind === 'empty') out += 'null';
    else out += attrText(x);
  }
  return out;
}

const TAGS: ReadonlySet<unknown> = new Set(['int', 'double', 'bytes', 'array', 'kvlist', 'empty', 'truncated']);

/**
 * Whether `v` is a well-formed attribute value (for what crosses a boundary: webview messages,
 * files). Checked with an explicit stack, at most `maxNodes` values.
 */
export function isAttrValue(v: unknown, maxNodes = 1_000_000): v is AttrValue {
  const stack: unknown[] = [v];
  let nodes = 0;
  while (stack.length > 0) {
    if (++nodes > maxNodes) return false;
    const x = stack.pop();
    const t = typeof x;
    if (t === 'string' || t === 'boolean' || t === 'number') continue;
    if (Array.isArray(x)) {
      // A plain list: only strings, only numbers or only booleans.
      const first = typeof x[0];
      if (x.length > 0 && first !== 'string' && first !== 'number' && first !== 'boolean') return false;
      for (const y of x) if (typeof y !== first) return false;
      continue;
    }
    if (t !== 'object' || x === null) return false;
    const o = x as Record<string, unknown>;
    if (!TAGS.has(o.kind)) return false;
    switch (o.kind) {
      case 'int':
      case 'double':
        if (typeof o.value !== 'string') return false;
        break;
      case 'bytes':
        if (typeof o.base64 !== 'string') return false;
        break;
      case 'truncated':
        if (typeof o.value !== 'string' || typeof o.length !== 'number') return false;
        break;
      case 'array':
        if (!Array.isArray(o.values)) return false;
        for (const y of o.values) stack.push(y);
        break;
      case 'kvlist':
        if (!Array.isArray(o.values) || !Array.isArray(o.keys) || o.keys.length !== o.values.length) return false;
        for (const k of o.keys) if (typeof k !== 'string') return false;
        for (const y of o.values) stack.push(y);
        break;
    }
  }
  return true;
}
