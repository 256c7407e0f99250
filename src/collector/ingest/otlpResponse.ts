/** Encodings of ExportTraceServiceResponse and google.rpc.Status, in JSON or protobuf. */
import { PARTIAL_ERROR_MESSAGE, PARTIAL_REJECTED, RESPONSE_PARTIAL_SUCCESS, RPC_STATUS_CODE, RPC_STATUS_MESSAGE } from './otlpProtoFields';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field: its tag, then its length and bytes. */
function lenField(tag: number, bytes: Buffer | number[]): number[] {
  return [tag, ...varint(bytes.length), ...bytes];
}

/** ExportTraceServiceResponse with nothing to report, in OTLP/JSON (in protobuf it is no bytes at all). */
export const EMPTY_RESPONSE_JSON = '{}';

export function exportResponse(proto: boolean, rejected: number, message: string): Buffer {
  if (!proto) {
    return Buffer.from(JSON.stringify(rejected > 0 || message ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {}));
  }
  if (rejected === 0 && !message) return Buffer.alloc(0);
  const partial = [...(rejected > 0 ? [PARTIAL_REJECTED, ...varint(rejected)] : []), ...(message ? lenField(PARTIAL_ERROR_MESSAGE, Buffer.from(message)) : [])];
  return Buffer.from(lenField(RESPONSE_PARTIAL_SUCCESS, partial));
}

/** google.rpc.Status { code = 1; message = 2 } as the OTLP/HTTP spec asks for error bodies. */
export function statusBody(proto: boolean, code: number, message: string): Buffer {
  if (!proto) return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from([RPC_STATUS_CODE, ...varint(code), ...lenField(RPC_STATUS_MESSAGE, Buffer.from(message))]);
}
