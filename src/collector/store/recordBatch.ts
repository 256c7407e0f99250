import { allocateBatch, BatchStrings, type SpanBatch } from '../../protocol/spanBatch';
import { eventMs, type SpanRecord } from './spanRecord';
import { fromStoredValue, type StoredValue } from './largeText';

/**
 * A key list's refs in the batch being built. Key lists are shared (interned) arrays, so this is
 * worked out once per list, not once per span. A list with a repeated key keeps the key once, at
 * its first place, with its last value (as an attributes object would).
 */
interface ShapeRefs {
  refs: Uint32Array;
  /** Index into the values of each kept key. */
  from: Uint32Array;
}

/**
 * The timeline batch of stored spans, read straight from the records: no span views in between,
 * each key list resolved once, equal strings stored once. This is what a timeline posts.
 */
export function encodeRecordBatch(records: readonly SpanRecord[]): SpanBatch {
  const t = new BatchStrings();
  const shapes = new Map<readonly string[], ShapeRefs>();
  const shapeOf = (keys: readonly string[]): ShapeRefs => {
    let s = shapes.get(keys);
    if (!s) {
      const first = new Map<string, number>();
      const order: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const at = first.get(keys[i]!);
        if (at === undefined) {
          first.set(keys[i]!, order.length);
          order.push(i);
        } else order[at] = i;
      }
      s = { refs: Uint32Array.from(order, (i) => t.ref(keys[i]!)), from: Uint32Array.from(order) };
      shapes.set(keys, s);
    }
    return s;
  };
  const n = records.length;
  let spanAttrs = 0;
  let eventCount = 0;
  let eventAttrs = 0;
  let linkCount = 0;
  let linkAttrs = 0;
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    spanAttrs += shapeOf(rec.keys).refs.length;
    const x = rec.extra;
    if (x === undefined) continue;
    if (x.events) {
      eventCount += x.events.length;
      for (const e of x.events) eventAttrs += shapeOf(e.keys).refs.length;
    }
    if (x.links) {
      linkCount += x.links.length;
      for (const l of x.links) linkAttrs += shapeOf(l.keys).refs.length;
    }
  }
  const b = allocateBatch(n, linkCount, eventCount, spanAttrs + eventAttrs + linkAttrs);
  const values = new ValueRefs(t);
  const put = (keys: readonly string[], vals: readonly StoredValue[], a: number): number => {
    const s = shapeOf(keys);
    const { refs, from } = s;
    for (let k = 0; k < refs.length; k++, a++) {
      const key = refs[k]!;
      b.attrKey[a] = key;
      // Large strings are stored off the heap: the timeline gets them as text.
      const v = fromStoredValue(vals[from[k]!]!);
      if (typeof v === 'string') b.attrValue[a] = values.ref(key, v);
      else t.putValue(b, a, v);
    }
    return a;
  };
  let a = 0;
  let ea = spanAttrs;
  let la = spanAttrs + eventAttrs;
  let ev = 0;
  let lk = 0;
  // The records of a trace share one trace id string: one lookup, not one per span.
  let traceId = '';
  let traceRef = -1;
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    if (traceRef < 0 || rec.traceId !== traceId) {
      traceId = rec.traceId;
      traceRef = t.ref(traceId);
    }
    b.traceId[i] = traceRef;
    b.spanId[i] = t.ref(rec.spanId);
    b.parentSpanId[i] = rec.parentSpanId ? t.ref(rec.parentSpanId) : -1;
    b.name[i] = t.ref(rec.name);
    b.startMs[i] = rec.startMs;
    b.endMs[i] = rec.endMs;
    const status = rec.status;
    // OTLP codes 0–2 are the batch's status indices; an unknown code shows as unset.
    b.status[i] = status === 1 || status === 2 ? status : 0;
    const kind = rec.spanKind;
    b.kind[i] = kind >= 0 && kind < 256 ? kind : 0;
    b.flags[i] = rec.flags;
    b.linkFrom[i] = lk;
    b.attrFrom[i] = a;
    a = put(rec.keys, rec.values, a);
    b.eventFrom[i] = ev;
    const x = rec.extra;
    if (x === undefined) {
      b.statusMessage[i] = -1;
      b.traceState[i] = -1;
      continue;
    }
    b.statusMessage[i] = x.statusMessage ? t.ref(x.statusMessage) : -1;
    b.traceState[i] = x.traceState ? t.ref(x.traceState) : -1;
    if (x.links) {
      for (const l of x.links) {
        b.linkTraceId[lk] = t.ref(l.traceId);
        b.linkSpanId[lk] = t.ref(l.spanId);
        b.linkTraceState[lk] = l.traceState ? t.ref(l.traceState) : -1;
        b.linkFlags[lk] = l.flags;
        b.linkAttrFrom[lk] = la;
        la = put(l.keys, l.values, la);
        lk++;
      }
    }
    if (x.events) {
      for (const e of x.events) {
        b.eventName[ev] = t.ref(e.name);
        b.eventTimeMs[ev] = eventMs(e);
        b.eventAttrFrom[ev] = ea;
        ea = put(e.keys, e.values, ea);
        ev++;
      }
    }
  }
  b.attrFrom[n] = a;
  b.eventFrom[n] = ev;
  b.eventAttrFrom[ev] = ea;
  b.linkFrom[n] = lk;
  b.linkAttrFrom[lk] = la;
  return t.finish(b);
}

/** Values looked at per key before deciding whether they repeat. */
const SAMPLE = 64;

/**
 * String values' refs, per key: equal values share a ref while a key's values repeat (kinds,
 * names, statuses); a key whose first values are mostly new (ids, request bodies) has the rest
 * added as they come, without a lookup each. The batch is then as small as it was with a lookup
 * for every value, for a fraction of the time: looking up a million unique strings is most of the
 * cost of a batch.
 */
class ValueRefs {
  private seen = new Uint32Array(64);
  private hits = new Uint32Array(64);
  private lastValue: string[] = [];
  private lastRef = new Int32Array(64);

  constructor(private readonly t: BatchStrings) {}

  ref(key: number, v: string): number {
    if (key >= this.seen.length) this.grow(key);
    if (this.lastValue[key] === v) return this.lastRef[key]!;
    const seen = this.seen[key]!;
    let r: number;
    if (seen < SAMPLE || this.hits[key]! * 2 >= seen) {
      this.seen[key] = seen + 1;
      const before = this.t.size;
      r = this.t.ref(v);
      if (this.t.size === before) this.hits[key]!++;
    } else r = this.t.add(v);
    this.lastValue[key] = v;
    this.lastRef[key] = r;
    return r;
  }

  private grow(key: number): void {
    const size = Math.max(key + 1, this.seen.length * 2);
    const seen = new Uint32Array(size);
    seen.set(this.seen);
    const hits = new Uint32Array(size);
    hits.set(this.hits);
    const lastRef = new Int32Array(size);
    lastRef.set(this.lastRef);
    this.seen = seen;
    this.hits = hits;
    this.lastRef = lastRef;
  }
}
