// The parts of gRPC's wire format over HTTP/2 that a unary server needs (grpc/grpc
// doc/PROTOCOL-HTTP2.md): status codes, the grpc-timeout header, the grpc-message encoding and the
// length-prefixed message (1 byte compressed flag, 4 bytes big-endian length, the message).

/** The gRPC status codes this server answers with (google.rpc.Code). */
export const GrpcStatus = {
  OK: 0,
  DEADLINE_EXCEEDED: 4,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Bytes before each message: the compressed flag and the length. */
export const PREFIX_BYTES = 5;

/** Milliseconds per grpc-timeout unit. */
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/**
 * The deadline a `grpc-timeout` header asks for, in ms from now: 1 to 8 digits and a unit.
 * `undefined` without the header; `NaN` for a malformed one.
 */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(String(value).trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
}

/**
 * grpc-message is percent-encoded UTF-8: bytes outside printable ASCII, and '%', become %XX.
 * Messages are also cut to a length a header can carry.
 */
export function encodeGrpcMessage(message: string): string {
  const bytes = Buffer.from(message.length > 1024 ? message.slice(0, 1024) + '…' : message, 'utf8');
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

/** One length-prefixed, uncompressed message. */
export function frameMessage(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, PREFIX_BYTES);
  return out;
}

/** A copy in a buffer of its own (not a slice of Node's shared pool). */
function copyOf(b: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

/** What the reader was told when a message's prefix arrived: go on reading it, or stop. */
export type PrefixVerdict = 'read' | 'stop';

/**
 * Reassembles the length-prefixed messages of a request stream from HTTP/2 DATA chunks. The
 * prefix is shown to `onPrefix` before any byte of the message is kept (limits are checked there,
 * so nothing beyond them is buffered); each message is copied once, into a buffer of its size.
 */
export class MessageReader {
  /** A prefix split across chunks is gathered here (made when first needed). */
  private prefix: Buffer | undefined;
  private prefixFill = 0;
  private message: Buffer | undefined;
  private fill = 0;
  private compressed = false;
  private stopped = false;
  /** Messages completed so far. */
  count = 0;

  constructor(
    private readonly onPrefix: (compressed: boolean, length: number, index: number) => PrefixVerdict,
    private readonly onMessage: (message: Buffer, compressed: boolean) => void,
    /**
     * Where an uncompressed message that spans chunks is assembled (default: a buffer of its own);
     * e.g. shared memory a decode worker reads in place. Filled with `fill()`, which copies
     * natively into shared memory too.
     */
    private readonly alloc?: (length: number) => Buffer,
  ) {}

  /** Whether the stream ended between messages (not inside a prefix or a message). */
  get atBoundary(): boolean {
    return this.prefixFill === 0 && this.message === undefined;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      if (this.message === undefined) {
        let length: number;
        if (this.prefixFill === 0 && chunk.length - at >= PREFIX_BYTES) {
          // The usual case: the whole prefix in this chunk, read where it lies.
          this.compressed = chunk[at] !== 0;
          length = chunk.readUInt32BE(at + 1);
          at += PREFIX_BYTES;
        } else {
          const prefix = (this.prefix ??= Buffer.alloc(PREFIX_BYTES));
          const take = Math.min(PREFIX_BYTES - this.prefixFill, chunk.length - at);
          chunk.copy(prefix, this.prefixFill, at, at + take);
          this.prefixFill += take;
          at += take;
          if (this.prefixFill < PREFIX_BYTES) return;
          this.prefixFill = 0;
          this.compressed = prefix[0] !== 0;
          length = prefix.readUInt32BE(1);
        }
        if (this.onPrefix(this.compressed, length, this.count) === 'stop') {
          this.stopped = true;
          return;
        }
        if (length === 0) {
          this.finish(Buffer.alloc(0));
          continue;
        }
        // A message wholly inside this chunk is a view of it, not a copy, unless the view would keep
        // a much larger buffer alive (stored log records keep their request's bytes).
        if (chunk.length - at >= length) {
          this.finish(length * 2 >= chunk.buffer.byteLength ? chunk.subarray(at, at + length) : copyOf(chunk.subarray(at, at + length)));
          at += length;
          continue;
        }
        this.message = (!this.compressed && this.alloc?.(length)) || Buffer.allocUnsafeSlow(length);
        this.fill = 0;
      }
      const take = Math.min(this.message.length - this.fill, chunk.length - at);
      this.message.fill(chunk.subarray(at, at + take), this.fill, this.fill + take);
      this.fill += take;
      at += take;
      if (this.fill === this.message.length) {
        const done = this.message;
        this.message = undefined;
        this.finish(done);
      }
    }
  }

  /** Stops reading: later chunks are ignored, nothing more is kept. */
  stop(): void {
    this.stopped = true;
    this.message = undefined;
  }

  private finish(message: Buffer): void {
    this.count++;
    this.onMessage(message, this.compressed);
  }
}
