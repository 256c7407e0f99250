// A seeded generator of random OTLP trace requests (every value kind, links, nesting, extreme
// numbers and times), writers for both encodings — OTLP/JSON as text, protobuf from the wire
// format — and a normal form to compare requests by meaning (order of spans, omitted defaults and
// number spellings aside). Written for the round-trip tests; no dependency.
import { fixed64, len, str, tag, varint } from './protoWriter';

type Bytes = number[];

/** An AnyValue in OTLP/JSON's shape; doubles as JS numbers (NaN, ±Infinity, -0 included), ints as decimal text. */
export type GenValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { bytesValue: string }
  | { arrayValue: { values: GenValue[] } }
  | { kvlistValue: { values: GenKeyValue[] } }
  | Record<string, never>;
export interface GenKeyValue {
  key: string;
  value: GenValue;
}
export interface GenEvent {
  timeUnixNano: string;
  name: string;
  attributes: GenKeyValue[];
  droppedAttributesCount: number;
}
export interface GenLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: GenKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}
export interface GenSpan {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: GenKeyValue[];
  droppedAttributesCount: number;
  events: GenEvent[];
  droppedEventsCount: number;
  links: GenLink[];
  droppedLinksCount: number;
  status: { code: number; message: string };
}
export interface GenScopeSpans {
  scope: { name: string; version: string; attributes: GenKeyValue[]; droppedAttributesCount: number };
  spans: GenSpan[];
  schemaUrl: string;
}
export interface GenResourceSpans {
  resource: { attributes: GenKeyValue[]; droppedAttributesCount: number };
  scopeSpans: GenScopeSpans[];
  schemaUrl: string;
}
export interface GenRequest {
  resourceSpans: GenResourceSpans[];
}

/** mulberry32: small, seeded, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTREME_INTS = ['0', '-1', '1', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '2147483647', '-2147483648', '4294967296'];
const EXTREME_DOUBLES = [3, -0, 0, NaN, Infinity, -Infinity, 1e300, -1e300, 5e-324, 0.1, -2.5, 2 ** 53 + 2, 1.7976931348623157e308];
const MAX_U64 = (1n << 64n) - 1n;

export class Generator {
  private readonly rnd: () => number;
  private spanSeq = 0;
  constructor(
    seed: number,
    /** Only strings without escapes (the JSON scanner's fast path) when true. */
    private readonly plainText = false,
  ) {
    this.rnd = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += this.int(256).toString(16).padStart(2, '0');
    return /^0+$/.test(s) ? '01'.padStart(bytes * 2, '0') : s;
  }

  string(): string {
    const plain = ['', 'a', 'hello world', 'GET /api/items', 'é unicode ✓ 日本', 'x'.repeat(300), '__proto__', 'constructor', '12345'];
    const odd = ['quote " and \\ backslash', 'line\nbreak\ttab', '\u0000nul', '😀 astral', '</script><b>html</b>'];
    return this.plainText || this.chance(0.7) ? this.pick(plain) : this.pick(odd);
  }

  key(): string {
    return this.pick(['k', 'http.method', 'service.name', '__proto__', 'constructor', 'a.b.c', 'é', 'toString', 'n', 'big', 'list', 'map']);
  }

  bigint64(): string {
    if (this.chance(0.5)) return this.pick(EXTREME_INTS);
    const v = BigInt.asIntN(64, BigInt(`0x${this.hex(8)}`));
    return v.toString();
  }

  scalar(): GenValue {
    switch (this.int(6)) {
      case 0:
        return { stringValue: this.string() };
      case 1:
        return { intValue: this.chance(0.5) ? String(this.int(1000) - 500) : this.bigint64() };
      case 2:
        return { doubleValue: this.chance(0.5) ? this.pick(EXTREME_DOUBLES) : (this.rnd() - 0.5) * 10 ** this.int(20) };
      case 3:
        return { boolValue: this.chance(0.5) };
      case 4:
        return { bytesValue: Buffer.from(Array.from({ length: this.int(12) }, () => this.int(256))).toString('base64') };
      default:
        return {};
    }
  }

  value(depth = 0): GenValue {
    const r = this.int(10);
    if (depth < 4 && r === 0) return { arrayValue: { values: Array.from({ length: this.int(4) }, () => this.value(depth + 1)) } };
    if (depth < 4 && r === 1) {
      // A homogeneous list (the common plain case).
      const makers: (() => GenValue)[] = [() => ({ stringValue: this.string() }), () => ({ intValue: String(this.int(100)) }), () => ({ boolValue: this.chance(0.5) }), () => ({ doubleValue: this.rnd() })];
      const make = this.pick(makers);
      return { arrayValue: { values: Array.from({ length: 1 + this.int(4) }, make) } };
    }
    if (depth < 4 && r === 2) return { kvlistValue: { values: this.attributes(3, depth + 1) } };
    return this.scalar();
  }

  attributes(max: number, depth = 0): GenKeyValue[] {
    return Array.from({ length: this.int(max + 1) }, () => ({ key: this.key(), value: this.value(depth) }));
  }

  /** A time in OTLP's range, often 19 digits with a nanosecond part, sometimes the extremes. */
  time(): bigint {
    if (this.chance(0.05)) return MAX_U64 - BigInt(this.int(1000));
    if (this.chance(0.05)) return BigInt(1 + this.int(1_000_000));
    return 1_700_000_000_000_000_000n + BigInt(this.int(2 ** 30)) * 1000n + BigInt(this.int(1000));
  }

  count(): number {
    return this.chance(0.7) ? 0 : this.pick([1, 7, 4294967295]);
  }

  span(traceId: string, parent: string): GenSpan {
    const start = this.time();
    const end = start + BigInt(this.int(1_000_000_000));
    const s: GenSpan = {
      traceId,
      spanId: `${(++this.spanSeq).toString(16).padStart(8, '0')}${this.hex(4)}`,
      traceState: this.chance(0.3) ? this.pick(['vendor=1', 'a=b,c=d', 'congo=t61rcWkgMzE']) : '',
      parentSpanId: parent,
      flags: this.chance(0.5) ? 0x101 : this.pick([0, 1, 0x301, 0xffffffff]),
      name: this.string(),
      kind: this.int(6),
      startTimeUnixNano: (end > MAX_U64 ? MAX_U64 - 5n : start).toString(),
      endTimeUnixNano: (end > MAX_U64 ? MAX_U64 : end).toString(),
      attributes: this.attributes(6),
      droppedAttributesCount: this.count(),
      events: Array.from({ length: this.chance(0.3) ? 1 + this.int(3) : 0 }, () => ({
        timeUnixNano: this.chance(0.1) ? '0' : this.time().toString(),
        name: this.string(),
        attributes: this.attributes(3),
        droppedAttributesCount: this.count(),
      })),
      droppedEventsCount: this.count(),
      links: Array.from({ length: this.chance(0.3) ? 1 + this.int(3) : 0 }, () => ({
        traceId: this.hex(16),
        spanId: this.hex(8),
        traceState: this.chance(0.5) ? 'rojo=00f067aa0ba902b7' : '',
        attributes: this.attributes(3),
        droppedAttributesCount: this.count(),
        flags: this.pick([0, 1, 0x101, 0x301]),
      })),
      droppedLinksCount: this.count(),
      status: { code: this.int(3), message: this.chance(0.3) ? this.string() : '' },
    };
    return s;
  }

  request(): GenRequest {
    const traceIds = Array.from({ length: 1 + this.int(3) }, () => this.hex(16));
    const made: GenSpan[] = [];
    const resourceSpans = Array.from({ length: 1 + this.int(2) }, () => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: this.pick(['svc-a', 'svc-b']) } }, ...this.attributes(3)], droppedAttributesCount: this.count() },
      schemaUrl: this.chance(0.5) ? 'https://opentelemetry.io/schemas/1.21.0' : '',
      scopeSpans: Array.from({ length: 1 + this.int(2) }, () => ({
        scope: { name: this.pick(['scope-a', 'io.x']), version: this.pick(['', '1.0.0']), attributes: this.chance(0.5) ? this.attributes(2) : [], droppedAttributesCount: this.count() },
        schemaUrl: this.chance(0.5) ? 'https://opentelemetry.io/schemas/1.24.0' : '',
        spans: Array.from({ length: 1 + this.int(4) }, () => {
          const parent = made.length && this.chance(0.7) ? this.pick(made) : undefined;
          const s = this.span(parent?.traceId ?? this.pick(traceIds), parent?.spanId ?? '');
          made.push(s);
          return s;
        }),
      })),
    }));
    return { resourceSpans };
  }
}

// ---- OTLP/JSON as text (JSON.stringify cannot write -0, and OTLP/JSON writes NaN and ±Infinity as strings)

function jsonDouble(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (n === Infinity) return '"Infinity"';
  if (n === -Infinity) return '"-Infinity"';
  return Object.is(n, -0) ? '-0' : String(n);
}

export function jsonValue(v: GenValue): string {
  if ('stringValue' in v) return `{"stringValue":${JSON.stringify(v.stringValue)}}`;
  if ('intValue' in v) return `{"intValue":"${v.intValue}"}`;
  if ('doubleValue' in v) return `{"doubleValue":${jsonDouble(v.doubleValue)}}`;
  if ('boolValue' in v) return `{"boolValue":${v.boolValue}}`;
  if ('bytesValue' in v) return `{"bytesValue":"${v.bytesValue}"}`;
  if ('arrayValue' in v) return `{"arrayValue":{"values":[${v.arrayValue.values.map(jsonValue).join(',')}]}}`;
  if ('kvlistValue' in v) return `{"kvlistValue":{"values":${jsonAttributes(v.kvlistValue.values)}}}`;
  return '{}';
}

function jsonAttributes(kvs: GenKeyValue[]): string {
  return `[${kvs.map((kv) => `{"key":${JSON.stringify(kv.key)},"value":${jsonValue(kv.value)}}`).join(',')}]`;
}

/** The request as OTLP/JSON text, in the shape the OTel JS serializer writes (compact, field order of the proto). */
export function toJson(req: GenRequest): string {
  const q = JSON.stringify;
  const span = (s: GenSpan): string =>
    `{"traceId":"${s.traceId}","spanId":"${s.spanId}"${s.traceState ? `,"traceState":${q(s.traceState)}` : ''}${s.parentSpanId ? `,"parentSpanId":"${s.parentSpanId}"` : ''}` +
    `,"flags":${s.flags},"name":${q(s.name)},"kind":${s.kind},"startTimeUnixNano":"${s.startTimeUnixNano}","endTimeUnixNano":"${s.endTimeUnixNano}"` +
    `,"attributes":${jsonAttributes(s.attributes)},"droppedAttributesCount":${s.droppedAttributesCount}` +
    `,"events":[${s.events.map((e) => `{"timeUnixNano":"${e.timeUnixNano}","name":${q(e.name)},"attributes":${jsonAttributes(e.attributes)},"droppedAttributesCount":${e.droppedAttributesCount}}`).join(',')}]` +
    `,"droppedEventsCount":${s.droppedEventsCount}` +
    `,"links":[${s.links.map((l) => `{"traceId":"${l.traceId}","spanId":"${l.spanId}","traceState":${q(l.traceState)},"attributes":${jsonAttributes(l.attributes)},"droppedAttributesCount":${l.droppedAttributesCount},"flags":${l.flags}}`).join(',')}]` +
    `,"droppedLinksCount":${s.droppedLinksCount},"status":{"code":${s.status.code}${s.status.message ? `,"message":${q(s.status.message)}` : ''}}}`;
  const scope = (ss: GenScopeSpans): string =>
    `{"scope":{"name":${q(ss.scope.name)},"version":${q(ss.scope.version)},"attributes":${jsonAttributes(ss.scope.attributes)},"droppedAttributesCount":${ss.scope.droppedAttributesCount}},"spans":[${ss.spans.map(span).join(',')}],"schemaUrl":${q(ss.schemaUrl)}}`;
  const resource = (rs: GenResourceSpans): string =>
    `{"resource":{"attributes":${jsonAttributes(rs.resource.attributes)},"droppedAttributesCount":${rs.resource.droppedAttributesCount}},"scopeSpans":[${rs.scopeSpans.map(scope).join(',')}],"schemaUrl":${q(rs.schemaUrl)}}`;
  return `{"resourceSpans":[${req.resourceSpans.map(resource).join(',')}]}`;
}

// ---- protobuf

const fixed32 = (field: number, v: number): Bytes => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return [...tag(field, 5), ...b];
};
const uint = (field: number, v: number): Bytes => (v ? [...tag(field, 0), ...varint(v)] : []);

export function protoValue(v: GenValue): Bytes {
  if ('stringValue' in v) return str(1, v.stringValue);
  if ('boolValue' in v) return [...tag(2, 0), v.boolValue ? 1 : 0];
  if ('intValue' in v) return [...tag(3, 0), ...varint(BigInt(v.intValue))];
  if ('doubleValue' in v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v.doubleValue);
    return [...tag(4, 1), ...b];
  }
  if ('arrayValue' in v) return len(5, v.arrayValue.values.flatMap((x) => len(1, protoValue(x))));
  if ('kvlistValue' in v) return len(6, v.kvlistValue.values.flatMap((kv) => len(1, protoKeyValue(kv))));
  if ('bytesValue' in v) return len(7, Buffer.from(v.bytesValue, 'base64'));
  return [];
}

export function protoKeyValue(kv: GenKeyValue): Bytes {
  return [...str(1, kv.key), ...len(2, protoValue(kv.value))];
}

function protoSpan(s: GenSpan): Bytes {
  return [
    ...len(1, Buffer.from(s.traceId, 'hex')),
    ...len(2, Buffer.from(s.spanId, 'hex')),
    ...(s.traceState ? str(3, s.traceState) : []),
    ...(s.parentSpanId ? len(4, Buffer.from(s.parentSpanId, 'hex')) : []),
    ...str(5, s.name),
    ...uint(6, s.kind),
    ...fixed64(7, BigInt(s.startTimeUnixNano)),
    ...fixed64(8, BigInt(s.endTimeUnixNano)),
    ...s.attributes.flatMap((kv) => len(9, protoKeyValue(kv))),
    ...uint(10, s.droppedAttributesCount),
    ...s.events.flatMap((e) => len(11, [...fixed64(1, BigInt(e.timeUnixNano)), ...str(2, e.name), ...e.attributes.flatMap((kv) => len(3, protoKeyValue(kv))), ...uint(4, e.droppedAttributesCount)])),
    ...uint(12, s.droppedEventsCount),
    ...s.links.flatMap((l) =>
      len(13, [...len(1, Buffer.from(l.traceId, 'hex')), ...len(2, Buffer.from(l.spanId, 'hex')), ...(l.traceState ? str(3, l.traceState) : []), ...l.attributes.flatMap((kv) => len(4, protoKeyValue(kv))), ...uint(5, l.droppedAttributesCount), ...(l.flags ? fixed32(6, l.flags) : [])]),
    ),
    ...uint(14, s.droppedLinksCount),
    ...len(15, [...(s.status.message ? str(2, s.status.message) : []), ...uint(3, s.status.code)]),
    ...(s.flags ? fixed32(16, s.flags) : []),
  ];
}

export function toProto(req: GenRequest): Buffer {
  let out: Bytes = [];
  for (const rs of req.resourceSpans) {
    const resource = len(1, [...rs.resource.attributes.flatMap((kv) => len(1, protoKeyValue(kv))), ...uint(2, rs.resource.droppedAttributesCount)]);
    const scopes = rs.scopeSpans.flatMap((ss) =>
      len(2, [
        ...len(1, [...str(1, ss.scope.name), ...str(2, ss.scope.version), ...ss.scope.attributes.flatMap((kv) => len(3, protoKeyValue(kv))), ...uint(4, ss.scope.droppedAttributesCount)]),
        ...ss.spans.flatMap((s) => len(2, protoSpan(s))),
        ...(ss.schemaUrl ? str(3, ss.schemaUrl) : []),
      ]),
    );
    out = out.concat(len(1, [...resource, ...scopes, ...(rs.schemaUrl ? str(3, rs.schemaUrl) : [])]));
  }
  return Buffer.from(out);
}

// ---- normal form: what a request means

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const n = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);
const nanos = (v: unknown): string => BigInt(typeof v === 'number' ? v : s(v) || '0').toString();

/** An AnyValue in a normal form: [kind, value] with canonical text for numbers and bytes. */
export function normalValue(v: unknown): unknown {
  const o = obj(v);
  if ('stringValue' in o) return ['string', o.stringValue];
  if ('intValue' in o) return ['int', BigInt(o.intValue as string | number).toString()];
  if ('doubleValue' in o) {
    const d = Number(o.doubleValue);
    return ['double', Object.is(d, -0) ? '-0' : String(d)];
  }
  if ('boolValue' in o) return ['bool', o.boolValue];
  if ('bytesValue' in o) return ['bytes', Buffer.from(s(o.bytesValue), 'base64').toString('base64')];
  if ('arrayValue' in o) return ['array', arr(obj(o.arrayValue).values).map(normalValue)];
  if ('kvlistValue' in o) return ['kvlist', normalAttributes(obj(o.kvlistValue).values)];
  return ['empty'];
}

function normalAttributes(kvs: unknown): unknown[] {
  return arr(kvs).map((kv) => [s(obj(kv).key), normalValue(obj(kv).value)]);
}

/** Every span of a request with its resource and scope, sorted by span id, defaults filled in. */
export function normalRequest(doc: unknown): unknown[] {
  const spans: [string, unknown][] = [];
  for (const rs of arr(obj(doc).resourceSpans)) {
    const r = obj(obj(rs).resource);
    const resource = { attributes: normalAttributes(r.attributes), dropped: n(r.droppedAttributesCount), schemaUrl: s(obj(rs).schemaUrl) };
    for (const ss of arr(obj(rs).scopeSpans)) {
      const sc = obj(obj(ss).scope);
      const scope = { name: s(sc.name), version: s(sc.version), attributes: normalAttributes(sc.attributes), dropped: n(sc.droppedAttributesCount), schemaUrl: s(obj(ss).schemaUrl) };
      for (const sp of arr(obj(ss).spans)) {
        const x = obj(sp);
        const st = obj(x.status);
        spans.push([
          s(x.spanId),
          {
            resource,
            scope,
            traceId: s(x.traceId).toLowerCase(),
            spanId: s(x.spanId).toLowerCase(),
            traceState: s(x.traceState),
            parentSpanId: s(x.parentSpanId).toLowerCase(),
            flags: n(x.flags),
            name: s(x.name),
            kind: n(x.kind),
            start: nanos(x.startTimeUnixNano),
            end: nanos(x.endTimeUnixNano),
            attributes: normalAttributes(x.attributes),
            droppedAttributes: n(x.droppedAttributesCount),
            events: arr(x.events).map((e) => ({ time: nanos(obj(e).timeUnixNano), name: s(obj(e).name), attributes: normalAttributes(obj(e).attributes), dropped: n(obj(e).droppedAttributesCount) })),
            droppedEvents: n(x.droppedEventsCount),
            links: arr(x.links).map((l) => ({ traceId: s(obj(l).traceId), spanId: s(obj(l).spanId), traceState: s(obj(l).traceState), attributes: normalAttributes(obj(l).attributes), dropped: n(obj(l).droppedAttributesCount), flags: n(obj(l).flags) })),
            droppedLinks: n(x.droppedLinksCount),
            status: { code: n(st.code), message: s(st.message) },
          },
        ]);
      }
    }
  }
  return spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}
