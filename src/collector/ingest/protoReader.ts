import { DecodeError } from '../store/decodedBatch';
import { wordsToMs } from '../store/unixNano';

/**
 * A bounds-checked reader of protobuf wire format over one buffer. Length-delimited fields are
 * handled by the caller with `sub`-ranges: read the length, remember `end`, decode until `pos === end`.
 */
export class ProtoReader {
  pos = 0;
  private readonly slices: NodeBufferSlices;
  /**
   * The body as a DataView, made on the first fixed-width read: Buffer's readUInt32LE went through a
   * generic property load on every call (a span's two times and its flags), a DataView read does not.
   */
  private dataView: DataView | undefined;
  constructor(
    readonly buf: Buffer,
    public end = buf.length,
  ) {
    this.slices = buf as unknown as NodeBufferSlices;
  }

  varint(): number {
    // Values up to 2^53 exactly; longer varints (negative int64) are read and folded.
    const buf = this.buf;
    let pos = this.pos;
    let b = pos < this.end ? buf[pos++]! : this.fail();
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let result = b & 0x7f;
    let mul = 128;
    for (let i = 1; i < 10; i++) {
      if (pos >= this.end) this.fail();
      b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    throw new DecodeError('malformed varint');
  }

  /** int64 as a number when within ±2^53, else its exact decimal text (two's complement for negatives). */
  int64(): number | string {
    const start = this.pos;
    const v = this.varint();
    if (v <= Number.MAX_SAFE_INTEGER) return v;
    // Beyond 2^53 the double above is rounded: read the bytes again exactly.
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt(this.buf[p]! & 0x7f) << shift;
      shift += 7n;
    }
    big = BigInt.asIntN(64, big);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big.toString();
  }

  private view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** A fixed64 nanosecond time as fractional epoch ms, for display (logs and metrics keep no exact time). */
  fixed64NanosToMs(): number {
    if (this.pos + 8 > this.end) this.fail();
    const view = this.view();
    const lo = view.getUint32(this.pos, true);
    const hi = view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return wordsToMs(lo, hi);
  }

  /** A fixed64 as its two 32-bit words into `out[at]` (low) and `out[at + 1]` (high). */
  fixed64Words(out: Uint32Array, at: number): void {
    if (this.pos + 8 > this.end) this.fail();
    const view = this.view();
    out[at] = view.getUint32(this.pos, true);
    out[at + 1] = view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) this.fail();
    const v = this.view().getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail();
    const v = this.view().getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes. */
  lengthEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) this.fail();
    return end;
  }

  string(): string {
    const end = this.lengthEnd();
    const s = this.slices.utf8Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  /** Decodes buf[start, end) as UTF-8. */
  utf8(start: number, end: number): string {
    return this.slices.utf8Slice(start, end);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new DecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) this.fail();
  }

  private fail(): never {
    throw new DecodeError('truncated protobuf message');
  }
}

/** Node's Buffer methods that slice without argument checks (present since Node 0.x, untyped). */
export interface NodeBufferSlices {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
