import type { AttrValue } from '../protocol/spanView';
import { DecodeError, spanProblem, type DecodeContext, type DecodedBatch } from './decodedBatch';
import { arrayAttr } from './otlpJsonDecoder';
import { ProtoReader } from './protoReader';
import type { KeyInfo } from './stringPool';
import { SpanRecord, type EventRecord, type SpanOrigin } from './spanRecord';

const MAX_DEPTH = 16;

/**
 * Decodes a protobuf ExportTraceServiceRequest straight into span records (field numbers from
 * opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto). Throws DecodeError when the
 * bytes are not a well-formed message; spans with invalid content are counted as rejected.
 */
export function decodeOtlpProto(buf: Buffer, ctx: DecodeContext): DecodedBatch {
  const r = new ProtoReader(buf);
  const d = new ProtoSpanDecoder(r, ctx);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === ((1 << 3) | 2)) {
      const end = r.lengthEnd();
      d.resourceSpans(end);
      r.pos = end;
    } else r.skip(tag & 7);
  }
  return d.out;
}

class ProtoSpanDecoder {
  readonly out: DecodedBatch = { spans: [], rejected: 0, firstError: '' };
  private readonly keys: string[] = [];
  private readonly values: AttrValue[] = [];
  // Where the last trace id / parent id bytes were, and their hex: reused for equal bytes.
  private readonly lastTrace = { s: -1, n: 0, value: '' };
  private readonly lastParent = { s: -1, n: 0, value: '' };

  constructor(
    private readonly r: ProtoReader,
    private readonly ctx: DecodeContext,
  ) {}

  private withEnd<T>(end: number, fn: () => T): T {
    const saved = this.r.end;
    this.r.end = end;
    try {
      return fn();
    } finally {
      this.r.end = saved;
    }
  }

  resourceSpans(end: number): void {
    const r = this.r;
    let rKeys: string[] = [];
    let rValues: AttrValue[] = [];
    // Scope spans may come before the resource on the wire: remember their ranges, decode after.
    const scopeRanges: number[] = [];
    this.withEnd(end, () => {
      while (r.pos < end) {
        const tag = r.varint();
        if (tag === ((1 << 3) | 2)) {
          const e = r.lengthEnd();
          [rKeys, rValues] = this.withEnd(e, () => this.resource(e));
          r.pos = e;
        } else if (tag === ((2 << 3) | 2)) {
          const e = r.lengthEnd();
          scopeRanges.push(r.pos, e);
          r.pos = e;
        } else r.skip(tag & 7);
      }
    });
    for (let i = 0; i < scopeRanges.length; i += 2) {
      r.pos = scopeRanges[i]!;
      const e = scopeRanges[i + 1]!;
      this.withEnd(e, () => this.scopeSpans(e, rKeys, rValues));
    }
  }

  private resource(end: number): [string[], AttrValue[]] {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, 0);
      else r.skip(tag & 7);
    }
    return [this.ctx.shapes.share(keys, keys.length), values];
  }

  private scopeSpans(end: number, rKeys: string[], rValues: AttrValue[]): void {
    const r = this.r;
    let scopeName = '';
    let scopeVersion = '';
    const spanRanges: number[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        this.withEnd(e, () => {
          while (r.pos < e) {
            const t = r.varint();
            if (t === ((1 << 3) | 2)) scopeName = r.string();
            else if (t === ((2 << 3) | 2)) scopeVersion = r.string();
            else r.skip(t & 7);
          }
        });
        r.pos = e;
      } else if (tag === ((2 << 3) | 2)) {
        const e = r.lengthEnd();
        spanRanges.push(r.pos, e);
        r.pos = e;
      } else r.skip(tag & 7);
    }
    const origin = this.ctx.origin(rKeys, rValues, scopeName, scopeVersion);
    for (let i = 0; i < spanRanges.length; i += 2) {
      r.pos = spanRanges[i]!;
      const e = spanRanges[i + 1]!;
      const saved = r.end;
      r.end = e;
      this.span(e, origin);
      r.end = saved;
      r.pos = e;
    }
  }

  private memoHex(memo: { s: number; n: number; value: string }): string {
    const r = this.r;
    const e = r.lengthEnd();
    const start = r.pos;
    const n = e - start;
    r.pos = e;
    if (memo.s >= 0 && memo.n === n) {
      const buf = r.buf;
      let i = 0;
      while (i < n && buf[memo.s + i] === buf[start + i]) i++;
      if (i === n) return memo.value;
    }
    memo.s = start;
    memo.n = n;
    memo.value = r.hexAt(start, e);
    return memo.value;
  }

  private span(end: number, origin: SpanOrigin): void {
    const r = this.r;
    const ctx = this.ctx;
    let traceId = '';
    let spanId = '';
    let parent = '';
    let name = '';
    let kind = 0;
    let startMs = 0;
    let endMs = 0;
    let status = 0;
    let statusMessage = '';
    let events: EventRecord[] | undefined;
    const keys = this.keys;
    const values = this.values;
    let n = 0;
    while (r.pos < end) {
      const tag = r.varint();
      switch (tag) {
        case (1 << 3) | 2:
          traceId = this.memoHex(this.lastTrace);
          break;
        case (2 << 3) | 2:
          spanId = r.hex();
          break;
        case (4 << 3) | 2:
          parent = this.memoHex(this.lastParent);
          break;
        case (5 << 3) | 2: {
          const e = r.lengthEnd();
          const known = ctx.nameBytes.get(r.buf, r.pos, e);
          if (known !== undefined) name = known;
          else {
            name = ctx.pool.intern(r.utf8(r.pos, e));
            ctx.nameBytes.store(r.buf, r.pos, e, name);
          }
          r.pos = e;
          break;
        }
        case (6 << 3) | 0:
          kind = r.varint();
          break;
        case (7 << 3) | 1:
          startMs = r.fixed64NanosToMs();
          break;
        case (8 << 3) | 1:
          endMs = r.fixed64NanosToMs();
          break;
        case (9 << 3) | 2: {
          const e = r.lengthEnd();
          const saved = r.end;
          r.end = e;
          n = this.keyValueAt(e, keys, values, n, 0);
          r.end = saved;
          r.pos = e;
          break;
        }
        case (11 << 3) | 2: {
          const e = r.lengthEnd();
          (events ??= []).push(this.withEnd(e, () => this.event(e)));
          r.pos = e;
          break;
        }
        case (15 << 3) | 2: {
          const e = r.lengthEnd();
          this.withEnd(e, () => {
            while (r.pos < e) {
              const t = r.varint();
              if (t === ((2 << 3) | 2)) statusMessage = r.string();
              else if (t === ((3 << 3) | 0)) status = r.varint();
              else r.skip(t & 7);
            }
          });
          r.pos = e;
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    let problem = '';
    if (traceId.length !== 32 || traceId === '00000000000000000000000000000000') problem = 'traceId must be 16 bytes, not all zero';
    else if (spanId.length !== 16 || spanId === '0000000000000000') problem = 'spanId must be 8 bytes, not all zero';
    else if (parent.length !== 0 && parent.length !== 16) problem = 'parentSpanId must be empty or 8 bytes';
    if (!problem) problem = spanProblem(startMs, endMs);
    if (problem) {
      const out = this.out;
      if (out.rejected++ === 0) out.firstError = `span ${out.spans.length + out.rejected - 1}: ${problem}`;
      return;
    }
    const vals = n === 0 ? EMPTY_VALUES : values.slice(0, n);
    const ks = n === 0 ? EMPTY_KEYS : ctx.shapes.share(keys, n);
    this.out.spans.push(new SpanRecord(traceId, spanId, parent, name, startMs, endMs, status, kind, statusMessage, ks, vals, events, origin));
  }

  private event(end: number): EventRecord {
    const r = this.r;
    let timeMs = 0;
    let name = '';
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 1)) timeMs = r.fixed64NanosToMs();
      else if (tag === ((2 << 3) | 2)) name = this.ctx.pool.intern(r.string());
      else if (tag === ((3 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, 0);
      else r.skip(tag & 7);
    }
    return { name, timeMs, keys: this.ctx.shapes.share(keys, keys.length), values };
  }

  /** Decodes one KeyValue ending at `end` and appends it (no-op when its value is empty). */
  private keyValueInto(end: number, keys: string[], values: AttrValue[], depth: number): void {
    const saved = this.r.end;
    this.r.end = end;
    const n = this.keyValueAt(end, keys, values, keys.length, depth);
    this.r.end = saved;
    keys.length = n;
    values.length = n;
    this.r.pos = end;
  }

  /** Decodes one KeyValue (the reader's end already set to `end`) into slot `n`; returns the new count. */
  private keyValueAt(end: number, keys: string[], values: AttrValue[], n: number, depth: number): number {
    const r = this.r;
    const ctx = this.ctx;
    let info: KeyInfo | undefined;
    let value: AttrValue | undefined;
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        info = ctx.keyBytes.get(r.buf, r.pos, e);
        if (info === undefined) {
          info = ctx.pool.key(r.utf8(r.pos, e));
          ctx.keyBytes.store(r.buf, r.pos, e, info);
        }
        r.pos = e;
      } else if (tag === ((2 << 3) | 2)) {
        const e = r.lengthEnd();
        r.end = e;
        value = this.anyValue(e, depth, info);
        r.end = end;
        r.pos = e;
      } else r.skip(tag & 7);
    }
    if (info === undefined || value === undefined) return n;
    keys[n] = info.key;
    values[n] = value;
    return n + 1;
  }

  /** A string value; repeated values of low-cardinality keys come from the byte cache. */
  private stringValue(info: KeyInfo | undefined): string {
    const r = this.r;
    const e = r.lengthEnd();
    const s = r.pos;
    r.pos = e;
    if (info === undefined || info.values === undefined) return r.utf8(s, e);
    const ctx = this.ctx;
    const known = ctx.valueBytes.get(r.buf, s, e);
    if (known !== undefined) return known;
    const v = ctx.pool.value(info, r.utf8(s, e));
    if (info.values !== undefined) ctx.valueBytes.store(r.buf, s, e, v);
    return v;
  }

  private anyValue(end: number, depth: number, info?: KeyInfo): AttrValue | undefined {
    const r = this.r;
    let v: AttrValue | undefined = '';
    while (r.pos < end) {
      const tag = r.varint();
      switch (tag) {
        case (1 << 3) | 2:
          v = this.stringValue(info);
          break;
        case (2 << 3) | 0:
          v = r.varint() !== 0;
          break;
        case (3 << 3) | 0:
          v = r.int64();
          break;
        case (4 << 3) | 1:
          v = r.double();
          break;
        case (5 << 3) | 2:
        case (6 << 3) | 2: {
          const e = r.lengthEnd();
          if (depth >= MAX_DEPTH) throw new DecodeError('attribute values nested too deeply');
          r.end = e;
          v = tag === ((5 << 3) | 2) ? this.arrayValue(e, depth + 1) : this.kvList(e, depth + 1);
          r.end = end;
          r.pos = e;
          break;
        }
        case (7 << 3) | 2: {
          const e = r.lengthEnd();
          v = r.buf.toString('base64', r.pos, e);
          r.pos = e;
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    return v;
  }

  private arrayValue(end: number, depth: number): AttrValue {
    const r = this.r;
    const vals: (AttrValue | undefined)[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) {
        const e = r.lengthEnd();
        r.end = e;
        vals.push(this.anyValue(e, depth));
        r.end = end;
        r.pos = e;
      } else r.skip(tag & 7);
    }
    return arrayAttr(vals);
  }

  private kvList(end: number, depth: number): string {
    const r = this.r;
    const keys: string[] = [];
    const values: AttrValue[] = [];
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === ((1 << 3) | 2)) this.keyValueInto(r.lengthEnd(), keys, values, depth);
      else r.skip(tag & 7);
    }
    const o: Record<string, AttrValue> = {};
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = values[i]!;
    return JSON.stringify(o);
  }
}

const EMPTY_KEYS: string[] = [];
const EMPTY_VALUES: AttrValue[] = [];
