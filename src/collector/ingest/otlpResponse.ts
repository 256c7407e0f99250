/** Encodings of ExportTraceServiceResponse and google.rpc.Status, in JSON or protobuf. */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lenField(field: number, bytes: Buffer | number[]): number[] {
  return [(field << 3) | 2, ...varint(bytes.length), ...bytes];
}

export function exportResponse(proto: boolean, rejected: number, message: string): Buffer {
  if (!proto) {
    return Buffer.from(JSON.stringify(rejected > 0 || message ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {}));
  }
  if (rejected === 0 && !message) return Buffer.alloc(0);
  const partial = [...(rejected > 0 ? [(1 << 3) | 0, ...varint(rejected)] : []), ...(message ? lenField(2, Buffer.from(message)) : [])];
  return Buffer.from(lenField(1, partial));
}

/** google.rpc.Status { code = 1; message = 2 } as the OTLP/HTTP spec asks for error bodies. */
export function statusBody(proto: boolean, code: number, message: string): Buffer {
  if (!proto) return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from([(1 << 3) | 0, ...varint(code), ...lenField(2, Buffer.from(message))]);
}
