import { attributeRecord, attrText, type AttrValue, type SpanEventView, type SpanLinkView, type SpanStatusName, type SpanView } from '../../protocol/spanView';
import { wordsToDecimal, wordsToMs } from './unixNano';
import { fromStoredValue, fromStoredValues, type StoredValue } from './largeText';
import type { TextSlabs } from './textSlabs';

/** What a group of spans was sent with: resource and instrumentation scope (shared, not per span). */
export interface OriginParts {
  resourceKeys: string[];
  resourceValues: AttrValue[];
  resourceDropped: number;
  /** ResourceSpans.schemaUrl. */
  resourceSchemaUrl: string;
  scopeName: string;
  scopeVersion: string;
  scopeKeys: string[];
  scopeValues: AttrValue[];
  scopeDropped: number;
  /** ScopeSpans.schemaUrl. */
  scopeSchemaUrl: string;
}

export interface SpanOrigin extends OriginParts {
  serviceName: string;
}

/** A span event, kept with the same key/value layout as span attributes. */
export interface EventRecord {
  name: string;
  /** Whole epoch milliseconds, and the nanoseconds after them (0 … 999,999): exact. */
  timeMs: number;
  timeRest: number;
  keys: string[];
  /** Large strings off the heap once stored (see largeText.ts). */
  values: StoredValue[];
  dropped: number;
}

/** A span link. */
export interface LinkRecord {
  traceId: string;
  spanId: string;
  traceState: string;
  flags: number;
  keys: string[];
  /** Large strings off the heap once stored (see largeText.ts). */
  values: StoredValue[];
  dropped: number;
}

/**
 * The rarely set parts of a span, in one object that most spans do without: a field per part
 * would cost every span its slot.
 */
export interface SpanExtra {
  statusMessage?: string;
  events?: EventRecord[];
  links?: LinkRecord[];
  traceState?: string;
  droppedAttributes?: number;
  droppedEvents?: number;
  droppedLinks?: number;
  /** Status, kind and flags when they do not fit the packed bits (unknown codes, reserved flag bits). */
  status?: number;
  kind?: number;
  flags?: number;
  /** How many of the span's values the decode caps cut. */
  truncatedValues?: number;
}

/** OTLP status codes. */
export const STATUS_UNSET = 0;
export const STATUS_OK = 1;
export const STATUS_ERROR = 2;

/** Words per span in a time slab: start low/high, end low/high (unsigned nanoseconds). */
export const SLAB_WORDS = 4;
/** Most spans in one slab: a span's place in it fits SLOT_BITS. */
export const SLAB_SPANS = 4096;
const SLOT_BITS = 12;
const STATUS_SHIFT = SLOT_BITS;
const KIND_SHIFT = STATUS_SHIFT + 2;
const FLAGS_SHIFT = KIND_SHIFT + 3;
/** Set when status, kind or flags are in `extra` (they did not fit the bits). */
const ODD_BIT = 1 << 30;

/**
 * What counts as an error everywhere (views, statistics, compare): status ERROR, or an `exception`
 * event (a step that recorded what it caught but left its status unset still failed at something).
 */
export function isErrorRecord(rec: { status: number; events: readonly { name: string }[] | undefined }): boolean {
  if (rec.status === STATUS_ERROR) return true;
  if (rec.events) for (const e of rec.events) if (e.name === 'exception') return true;
  return false;
}

/**
 * Packs a span's place in its slab with its status (0–3), kind (0–7) and flags (0–1023: W3C
 * trace flags and the is-remote bits) into one small integer; undefined when one does not fit
 * (the caller keeps them in `extra` and packs `oddBits`).
 */
export function packBits(slot: number, status: number, kind: number, flags: number): number {
  if (status >>> 0 === status && status < 4 && kind >>> 0 === kind && kind < 8 && flags >>> 0 === flags && flags < 1024) {
    return slot | (status << STATUS_SHIFT) | (kind << KIND_SHIFT) | (flags << FLAGS_SHIFT);
  }
  return slot | ODD_BIT;
}

/**
 * One stored span as a flat record: lowercase hex ids, attribute keys as a shared (interned)
 * array and values as a per-span array. Every record is created with the same fields in the same
 * order so that V8 gives them all one compact hidden class. Its start and end (exact nanoseconds,
 * as 32-bit words) sit in a Uint32Array shared with the other spans of its batch, and its status,
 * kind and flags are packed with its place there into one small integer: fields that are not small
 * integers would cost objects of their own. What few spans have is in `extra`.
 */
export class SpanRecord {
  constructor(
    /** Replaced by the store with its one shared string per trace. */
    public traceId: string,
    public spanId: string,
    /** '' for a root span. */
    public parentSpanId: string,
    public name: string,
    /** SLAB_WORDS per span: start and end of this span at `slot` (the low bits of `bits`). */
    private readonly slab: Uint32Array,
    /** The span's place in the slab, status, kind and flags (see packBits). */
    private readonly bits: number,
    public keys: string[],
    /** As decoded; once stored, large strings are off the heap (see largeText.ts and storeLargeValues). */
    public values: StoredValue[],
    public origin: SpanOrigin,
    public extra: SpanExtra | undefined,
  ) {}

  private get at(): number {
    return (this.bits & (SLAB_SPANS - 1)) * SLAB_WORDS;
  }

  /** Epoch ms (fractional). */
  get startMs(): number {
    const at = this.at;
    return wordsToMs(this.slab[at]!, this.slab[at + 1]!);
  }

  /** Epoch ms (fractional). */
  get endMs(): number {
    const at = this.at;
    return wordsToMs(this.slab[at + 2]!, this.slab[at + 3]!);
  }

  /** Exact start, as OTLP/JSON writes it. */
  get startTimeUnixNano(): string {
    const at = this.at;
    return wordsToDecimal(this.slab[at]!, this.slab[at + 1]!);
  }

  get endTimeUnixNano(): string {
    const at = this.at;
    return wordsToDecimal(this.slab[at + 2]!, this.slab[at + 3]!);
  }

  /** Copies the span's time words (start low, high, end low, high) to `out[at…]`. */
  copyTimes(out: Uint32Array, at: number): void {
    const from = this.at;
    for (let i = 0; i < SLAB_WORDS; i++) out[at + i] = this.slab[from + i]!;
  }

  /** OTLP status code (0 unset, 1 ok, 2 error). */
  get status(): number {
    return this.bits & ODD_BIT ? (this.extra?.status ?? 0) : (this.bits >>> STATUS_SHIFT) & 3;
  }

  /** OTLP SpanKind (0–5). */
  get spanKind(): number {
    return this.bits & ODD_BIT ? (this.extra?.kind ?? 0) : (this.bits >>> KIND_SHIFT) & 7;
  }

  /** OTLP span flags. */
  get flags(): number {
    return this.bits & ODD_BIT ? (this.extra?.flags ?? 0) : (this.bits >>> FLAGS_SHIFT) & 1023;
  }

  get statusMessage(): string {
    return this.extra?.statusMessage ?? '';
  }

  get events(): EventRecord[] | undefined {
    return this.extra?.events;
  }

  get links(): LinkRecord[] | undefined {
    return this.extra?.links;
  }

  get traceState(): string {
    return this.extra?.traceState ?? '';
  }
}

/**
 * What readers see of a stored span, whichever form holds it: a `SpanRecord`, or a row of a span
 * chunk through its facade (chunkSpan.ts).
 */
export type SpanLike = Pick<
  SpanRecord,
  'traceId' | 'spanId' | 'parentSpanId' | 'name' | 'keys' | 'values' | 'origin' | 'extra' | 'startMs' | 'endMs' | 'startTimeUnixNano' | 'endTimeUnixNano' | 'copyTimes' | 'status' | 'spanKind' | 'flags' | 'statusMessage' | 'events' | 'links' | 'traceState'
>;

/** Whether packed bits left status, kind and flags to `extra`. */
export function oddBits(bits: number): boolean {
  return (bits & ODD_BIT) !== 0;
}

/** Builds the `extra` of a span from its rare parts; undefined when it has none. */
export function spanExtra(
  status: number,
  kind: number,
  flags: number,
  statusMessage: string,
  traceState: string,
  events: EventRecord[] | undefined,
  links: LinkRecord[] | undefined,
  droppedAttributes: number,
  droppedEvents: number,
  droppedLinks: number,
  truncatedValues: number,
): SpanExtra | undefined {
  const odd = (packBits(0, status, kind, flags) & ODD_BIT) !== 0;
  if (!odd && !statusMessage && !traceState && !events && !links && !droppedAttributes && !droppedEvents && !droppedLinks && !truncatedValues) return undefined;
  const x: SpanExtra = {};
  if (statusMessage) x.statusMessage = statusMessage;
  // Exact-size copies: decoders grow these by push, which leaves spare room for as long as they are stored.
  if (events) x.events = events.slice();
  if (links) x.links = links.slice();
  if (traceState) x.traceState = traceState;
  if (droppedAttributes) x.droppedAttributes = droppedAttributes;
  if (droppedEvents) x.droppedEvents = droppedEvents;
  if (droppedLinks) x.droppedLinks = droppedLinks;
  if (truncatedValues) x.truncatedValues = truncatedValues;
  if (odd) {
    x.status = status;
    x.kind = kind;
    x.flags = flags;
  }
  return x;
}

/** Spans per slab handed out by a TimeSlab (8 KiB: a small request does not keep a large one alive). */
const TIME_SLAB_SPANS = 512;

/**
 * Shares strings of a span's rare parts with what the store already holds: a link into the span's
 * own trace takes the span's trace id string, and trace states (which repeat along a trace) are
 * interned by `intern`. Most links point into their own trace, so this saves a string per link.
 */
export function shareExtraStrings(x: SpanExtra, traceId: string, intern: (s: string) => string): void {
  if (x.traceState) x.traceState = intern(x.traceState);
  if (x.links) {
    for (const l of x.links) {
      if (l.traceId === traceId) l.traceId = traceId;
      if (l.traceState) l.traceState = intern(l.traceState);
    }
  }
}

/** Hands out room for spans' times in shared slabs, for decoders that make records one by one. */
export class TimeSlab {
  array = new Uint32Array(TIME_SLAB_SPANS * SLAB_WORDS);
  private n = 0;

  /** Room for one more span: its slot in the then current `array` (its words at slot·SLAB_WORDS). */
  next(): number {
    if (this.n === TIME_SLAB_SPANS) {
      this.array = new Uint32Array(TIME_SLAB_SPANS * SLAB_WORDS);
      this.n = 0;
    }
    return this.n++;
  }
}

/**
 * Moves a span's large string values (its own, its events' and its links') into the store's slabs,
 * off the JavaScript heap: done by the store as it takes the span, before it counts its bytes.
 * Returns how many values are kept there (the store gives their room back when the span goes).
 */
export function storeLargeValues(rec: SpanRecord, slabs: TextSlabs): number {
  let n = slabs.storeValues(rec.values);
  const x = rec.extra;
  if (!x) return n;
  if (x.events) for (const e of x.events) n += slabs.storeValues(e.values);
  if (x.links) for (const l of x.links) n += slabs.storeValues(l.values);
  return n;
}

/** Gives back the slab room of a span's large values (it was evicted, replaced or refused). */
export function releaseLargeValues(rec: SpanRecord, slabs: TextSlabs): void {
  slabs.releaseValues(rec.values);
  const x = rec.extra;
  if (!x) return;
  if (x.events) for (const e of x.events) slabs.releaseValues(e.values);
  if (x.links) for (const l of x.links) slabs.releaseValues(l.values);
}

/** The value of `key` as received (a large one decoded from its bytes). */
export function attr(rec: { keys: string[]; values: StoredValue[] }, key: string): AttrValue | undefined {
  const keys = rec.keys;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return fromStoredValue(rec.values[i]!);
  return undefined;
}

export function attrString(rec: { keys: string[]; values: StoredValue[] }, key: string): string | undefined {
  const v = attr(rec, key);
  return v === undefined ? undefined : attrText(v);
}

export function attrNumber(rec: { keys: string[]; values: StoredValue[] }, key: string): number | undefined {
  const v = attr(rec, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function statusName(code: number): SpanStatusName {
  return code === STATUS_ERROR ? 'error' : code === STATUS_OK ? 'ok' : 'unset';
}

/** Fractional epoch ms of an event. */
export function eventMs(e: EventRecord): number {
  return e.timeMs + e.timeRest / 1e6;
}

export function toSpanView(rec: SpanLike): SpanView {
  const x = rec.extra;
  const events: SpanEventView[] = x?.events ? x.events.map((e) => ({ name: e.name, timeMs: eventMs(e), attributes: attributeRecord(e.keys, fromStoredValues(e.values)) })) : [];
  const view: SpanView = {
    traceId: rec.traceId,
    spanId: rec.spanId,
    name: rec.name,
    startMs: rec.startMs,
    endMs: rec.endMs,
    status: statusName(rec.status),
    attributes: attributeRecord(rec.keys, fromStoredValues(rec.values)),
    events,
  };
  if (rec.parentSpanId) view.parentSpanId = rec.parentSpanId;
  const kind = rec.spanKind;
  if (kind) view.kind = kind;
  const flags = rec.flags;
  if (flags) view.flags = flags;
  if (x) {
    if (x.statusMessage) view.statusMessage = x.statusMessage;
    if (x.traceState) view.traceState = x.traceState;
    if (x.links) view.links = x.links.map(toLinkView);
    if (x.droppedAttributes) view.droppedAttributesCount = x.droppedAttributes;
    if (x.droppedEvents) view.droppedEventsCount = x.droppedEvents;
    if (x.droppedLinks) view.droppedLinksCount = x.droppedLinks;
  }
  return view;
}

function toLinkView(l: LinkRecord): SpanLinkView {
  const v: SpanLinkView = { traceId: l.traceId, spanId: l.spanId, attributes: attributeRecord(l.keys, fromStoredValues(l.values)) };
  if (l.traceState) v.traceState = l.traceState;
  if (l.flags) v.flags = l.flags;
  if (l.dropped) v.droppedAttributesCount = l.dropped;
  return v;
}
