import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext } from '../store/decodedBatch';
import { ANY_ARRAY, ANY_BOOL, ANY_BYTES, ANY_DOUBLE, ANY_INT, ANY_KVLIST, ANY_STRING, KEY_VALUE_KEY, KEY_VALUE_VALUE, LEN, LIST_VALUES } from './otlpProtoFields';
import { arrayValue, doubleValue, EMPTY_VALUE, intFromNumber, kvlistValue } from '../store/otlpValues';
import { ProtoReader } from './protoReader';
import type { KeyInfo } from '../store/stringPool';

/**
 * Protobuf AnyValues decoded whole (the rare kinds: doubles, arrays, kvlists, bytes; and values of
 * events, links, resources and scopes), into the value model of otlpValues.ts. Nesting past the
 * depth cap becomes a marker whose size is counted without recursion.
 */

/** A string value; repeated values of low-cardinality keys come from the byte cache. */
function stringValue(r: ProtoReader, ctx: DecodeContext, info: KeyInfo | undefined): string {
  const e = r.lengthEnd();
  const s = r.pos;
  r.pos = e;
  if (info === undefined || !ctx.pool.mayIntern(info, e - s)) return r.utf8(s, e);
  const known = ctx.valueBytes.get(r.buf, s, e);
  if (known !== undefined) return known;
  const v = ctx.pool.value(info, r.utf8(s, e));
  if (info.values !== undefined) ctx.valueBytes.store(r.buf, s, e, v);
  return v;
}

/** An AnyValue (the reader's end set to `end`). */
export function readAnyValue(r: ProtoReader, ctx: DecodeContext, end: number, depth: number, info?: KeyInfo): AttrValue {
  let v: AttrValue = EMPTY_VALUE;
  while (r.pos < end) {
    const t = r.varint();
    switch (t) {
      case ANY_STRING:
        v = stringValue(r, ctx, info);
        break;
      case ANY_BOOL:
        v = r.varint() !== 0;
        break;
      case ANY_INT:
        v = intFromNumber(r.int64());
        break;
      case ANY_DOUBLE:
        v = doubleValue(r.double());
        break;
      case ANY_ARRAY:
      case ANY_KVLIST: {
        const e = r.lengthEnd();
        if (depth >= ctx.limits.maxDepth) v = { kind: 'truncated', value: '', length: protoListSize(r.buf, r.pos, e, t === ANY_KVLIST) };
        else {
          r.end = e;
          v = t === ANY_ARRAY ? readArrayValue(r, ctx, e, depth + 1) : readKvList(r, ctx, e, depth + 1);
          r.end = end;
        }
        r.pos = e;
        break;
      }
      case ANY_BYTES: {
        const e = r.lengthEnd();
        v = { kind: 'bytes', base64: r.buf.toString('base64', r.pos, e) };
        r.pos = e;
        break;
      }
      default:
        r.skip(t & 7);
    }
  }
  return v;
}

function readArrayValue(r: ProtoReader, ctx: DecodeContext, end: number, depth: number): AttrValue {
  const vals: AttrValue[] = [];
  while (r.pos < end) {
    const t = r.varint();
    if (t === LIST_VALUES) {
      const e = r.lengthEnd();
      r.end = e;
      vals.push(readAnyValue(r, ctx, e, depth));
      r.end = end;
      r.pos = e;
    } else r.skip(t & 7);
  }
  return arrayValue(vals);
}

function readKvList(r: ProtoReader, ctx: DecodeContext, end: number, depth: number): AttrValue {
  const keys: string[] = [];
  const values: AttrValue[] = [];
  while (r.pos < end) {
    const t = r.varint();
    if (t === LIST_VALUES) {
      const e = r.lengthEnd();
      r.end = e;
      let key: string | undefined;
      let value: AttrValue = EMPTY_VALUE;
      while (r.pos < e) {
        const f = r.varint();
        if (f === KEY_VALUE_KEY) key = r.string();
        else if (f === KEY_VALUE_VALUE) {
          const ve = r.lengthEnd();
          r.end = ve;
          value = readAnyValue(r, ctx, ve, depth);
          r.end = e;
          r.pos = ve;
        } else r.skip(f & 7);
      }
      if (key !== undefined) {
        keys.push(key);
        values.push(value);
      }
      r.end = end;
      r.pos = e;
    } else r.skip(t & 7);
  }
  return kvlistValue(keys, values);
}

/**
 * The size (as the caps count it) of an ArrayValue or KeyValueList in buf[start, end), past the
 * depth cap: read with an explicit stack, never recursively. Malformed parts count as far as they go.
 */
export function protoListSize(buf: Buffer, start: number, end: number, kvlist: boolean): number {
  // Message kinds on the stack: 0 AnyValue, 1 ArrayValue, 2 KeyValueList, 3 KeyValue.
  const stack: number[] = [kvlist ? 2 : 1, start, end];
  let size = 0;
  const r = new ProtoReader(buf);
  while (stack.length > 0) {
    const e = stack.pop()!;
    const s = stack.pop()!;
    const kind = stack.pop()!;
    r.pos = s;
    r.end = e;
    try {
      while (r.pos < e) {
        const t = r.varint();
        if ((t & 7) === LEN) {
          const fe = r.lengthEnd();
          const field = t >>> 3;
          if (kind === 0) {
            if (t === ANY_STRING || t === ANY_BYTES) size += fe - r.pos;
            else if (t === ANY_ARRAY) stack.push(1, r.pos, fe);
            else if (t === ANY_KVLIST) stack.push(2, r.pos, fe);
          } else if (kind === 1 && field === 1) stack.push(0, r.pos, fe);
          else if (kind === 2 && field === 1) stack.push(3, r.pos, fe);
          else if (kind === 3 && field === 1) size += fe - r.pos;
          else if (kind === 3 && field === 2) stack.push(0, r.pos, fe);
          r.pos = fe;
        } else {
          if (kind === 0 && (t === ANY_BOOL || t === ANY_INT || t === ANY_DOUBLE)) size += 8;
          r.skip(t & 7);
        }
      }
    } catch {
      // Counted as far as it could be read.
    }
  }
  return size;
}
