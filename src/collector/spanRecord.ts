import type { AttrValue, SpanEventView, SpanStatusName, SpanView } from '../protocol/spanView';

/** The resource and instrumentation scope a group of spans was sent with (shared, not per span). */
export interface SpanOrigin {
  resourceKeys: string[];
  resourceValues: AttrValue[];
  serviceName: string;
  scopeName: string;
  scopeVersion: string;
}

/** A span event, kept with the same key/value layout as span attributes. */
export interface EventRecord {
  name: string;
  timeMs: number;
  keys: string[];
  values: AttrValue[];
}

/** OTLP status codes. */
export const STATUS_UNSET = 0;
export const STATUS_OK = 1;
export const STATUS_ERROR = 2;

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
 * One stored span as a flat record: lowercase hex ids, epoch-ms times, attribute keys as a shared
 * (interned) array and values as a per-span array. Every record is created with the same fields in
 * the same order so that V8 gives them all one compact hidden class. Its start and end sit in a
 * Float64Array shared with the other spans of its batch: a number field that is not a small
 * integer would cost a boxed number object of its own, two per span for the garbage collector.
 */
export class SpanRecord {
  constructor(
    /** Replaced by the store with its one shared string per trace. */
    public traceId: string,
    public spanId: string,
    /** '' for a root span. */
    public parentSpanId: string,
    public name: string,
    /** Start and end of this span at `at` and `at + 1`, beside those of other spans. */
    private readonly times: Float64Array,
    private readonly at: number,
    /** OTLP status code (0 unset, 1 ok, 2 error). */
    public status: number,
    /** OTLP SpanKind (0–5), kept for export. */
    public spanKind: number,
    public statusMessage: string,
    public keys: string[],
    public values: AttrValue[],
    public events: EventRecord[] | undefined,
    public origin: SpanOrigin,
  ) {}

  /** Epoch ms. */
  get startMs(): number {
    return this.times[this.at]!;
  }

  /** Epoch ms. */
  get endMs(): number {
    return this.times[this.at + 1]!;
  }
}

/** Spans per Float64Array handed out by a TimeSlab. */
const SLAB_SPANS = 512;

/** Hands out room for spans' start and end in shared Float64Arrays, for decoders that make records one by one. */
export class TimeSlab {
  array = new Float64Array(SLAB_SPANS * 2);
  private n = 0;

  /** Stores a span's times; returns where, in the then current `array`. */
  put(startMs: number, endMs: number): number {
    if (this.n === this.array.length) {
      this.array = new Float64Array(SLAB_SPANS * 2);
      this.n = 0;
    }
    const at = this.n;
    this.array[at] = startMs;
    this.array[at + 1] = endMs;
    this.n += 2;
    return at;
  }
}

export function attr(rec: { keys: string[]; values: AttrValue[] }, key: string): AttrValue | undefined {
  const keys = rec.keys;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return rec.values[i];
  return undefined;
}

export function attrString(rec: { keys: string[]; values: AttrValue[] }, key: string): string | undefined {
  const v = attr(rec, key);
  return v === undefined ? undefined : typeof v === 'string' ? v : String(v);
}

export function attrNumber(rec: { keys: string[]; values: AttrValue[] }, key: string): number | undefined {
  const v = attr(rec, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function statusName(code: number): SpanStatusName {
  return code === STATUS_ERROR ? 'error' : code === STATUS_OK ? 'ok' : 'unset';
}

function attributesObject(keys: string[], values: AttrValue[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]!;
  return out;
}

export function toSpanView(rec: SpanRecord): SpanView {
  const events: SpanEventView[] = rec.events
    ? rec.events.map((e) => ({ name: e.name, timeMs: e.timeMs, attributes: attributesObject(e.keys, e.values) }))
    : [];
  const view: SpanView = {
    traceId: rec.traceId,
    spanId: rec.spanId,
    name: rec.name,
    startMs: rec.startMs,
    endMs: rec.endMs,
    status: statusName(rec.status),
    attributes: attributesObject(rec.keys, rec.values),
    events,
  };
  if (rec.parentSpanId) view.parentSpanId = rec.parentSpanId;
  if (rec.statusMessage) view.statusMessage = rec.statusMessage;
  return view;
}
