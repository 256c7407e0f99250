// A minimal protobuf writer for tests: builds ExportTraceServiceRequest bytes field by field.
import type { SpanSpec } from './helpers';

type Bytes = number[];

export function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
export const tag = (field: number, wire: number): Bytes => varint((field << 3) | wire);
export const len = (field: number, bytes: Bytes | Buffer): Bytes => [...tag(field, 2), ...varint(bytes.length), ...bytes];
export const str = (field: number, s: string): Bytes => len(field, Buffer.from(s, 'utf8'));
export function fixed64(field: number, v: bigint): Bytes {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return [...tag(field, 1), ...b];
}
export function double(field: number, v: number): Bytes {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...tag(field, 1), ...b];
}

export function anyValue(v: string | number | boolean | bigint): Bytes {
  if (typeof v === 'string') return str(1, v);
  if (typeof v === 'boolean') return [...tag(2, 0), v ? 1 : 0];
  if (typeof v === 'bigint' || Number.isInteger(v)) return [...tag(3, 0), ...varint(v as number | bigint)];
  return double(4, v);
}
export const keyValue = (key: string, v: string | number | boolean | bigint): Bytes => [...str(1, key), ...len(2, anyValue(v))];

export function protoSpan(s: SpanSpec, idBytes?: { trace?: Buffer; span?: Buffer }): Bytes {
  return [
    ...len(1, idBytes?.trace ?? Buffer.from(s.traceId, 'hex')),
    ...len(2, idBytes?.span ?? Buffer.from(s.spanId, 'hex')),
    ...(s.parentSpanId ? len(4, Buffer.from(s.parentSpanId, 'hex')) : []),
    ...str(5, s.name),
    ...tag(6, 0),
    1,
    ...fixed64(7, BigInt(Math.round(s.startMs * 1000)) * 1000n),
    ...fixed64(8, BigInt(Math.round(s.endMs * 1000)) * 1000n),
    ...Object.entries(s.attributes ?? {}).flatMap(([k, v]) => len(9, keyValue(k, v))),
    ...len(15, [...(s.statusMessage ? str(2, s.statusMessage) : []), ...tag(3, 0), s.status ?? 0]),
  ];
}

export function protoRequest(spans: Bytes[], service = 'test-service'): Buffer {
  const resource = len(1, len(1, keyValue('service.name', service)));
  const scopeSpans = len(2, [...len(1, str(1, 'test')), ...spans.flatMap((s) => len(2, s))]);
  return Buffer.from(len(1, [...resource, ...scopeSpans]));
}
