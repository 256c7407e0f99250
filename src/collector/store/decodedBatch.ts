import { attrText } from '../../protocol/spanView';
import type { OriginParts, SpanOrigin, SpanRecord } from './spanRecord';
import type { ChunkSink } from './spanChunk';
import { decodeLimits, type DecodeLimits } from './otlpValues';
import { ByteStringCache } from './byteStringCache';
import { IdDictionary } from './idDictionary';
import { KeyShapes, StringPool, type KeyInfo } from './stringPool';

/** The body is not a valid ExportTraceServiceRequest: answered with 400, nothing stored. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Spans decoded from one request, not yet stored; invalid spans are counted, not kept. */
export interface DecodedBatch {
  spans: SpanRecord[];
  rejected: number;
  /** Why the first rejected span was rejected. */
  firstError: string;
}

/**
 * Spans decoded from one request that go into the store as chunk rows without a record each (a
 * decode worker's packed batch): `append` writes them, in order, where the store says. Checked
 * when made, so that `append` cannot fail half way.
 */
export interface RowBatch {
  count: number;
  rejected: number;
  firstError: string;
  append(sink: ChunkSink): void;
}

/** Spans in a decoded batch of either kind. */
export function spanCountOf(batch: DecodedBatch | RowBatch): number {
  return 'append' in batch ? batch.count : batch.spans.length;
}

/**
 * A span attribute as a span index holds it (see spanIndex.ts): its interned key, its value pair
 * (a dictionary id, a small int or a bool) and the bytes the value counts against the span's caps.
 */
export interface IndexedPair {
  key: string;
  a: number;
  arg: number;
  bytes: number;
}

/** Tables shared by every decode into one store: interned strings, key shapes, origins. */
export class DecodeContext {
  readonly pool = new StringPool();
  readonly shapes = new KeyShapes();
  /** Protobuf fast paths: attribute keys, span names and low-cardinality values by their bytes. */
  readonly keyBytes = new ByteStringCache<KeyInfo>(11);
  readonly nameBytes = new ByteStringCache<string>(11);
  readonly valueBytes = new ByteStringCache<string>(13);
  /** Ids of repeated strings and key lists, for span indexes (protobuf), and their byte caches. */
  readonly dict = new IdDictionary();
  readonly nameIds = new ByteStringCache<number>(11);
  readonly valueIds = new ByteStringCache<number>(13);
  /** Whole span attributes (KeyValue bytes) whose value repeats, as a span index writes them. */
  readonly pairIds = new ByteStringCache<IndexedPair>(13);
  private readonly origins = new Map<string, SpanOrigin>();
  /**
   * The span and value arrays of the last index decoded in place on this context's thread, reused
   * by the next (an index made to be posted to another thread never takes them).
   */
  readonly indexScratch: { spans?: Int32Array; values?: Int32Array } = {};
  /** Caps applied by decoders using this context (a decode worker is told the store's with each body). */
  limits: DecodeLimits = decodeLimits(undefined);

  /** A shared copy of a trace state (they repeat along a trace; interned apart from names, bounded). */
  traceState(s: string): string {
    return this.pool.value(this.pool.key('\u0000traceState'), s);
  }

  /** Returns a shared origin equal to the given one (bounded table). */
  origin(p: OriginParts): SpanOrigin {
    const key = JSON.stringify([p.resourceKeys, p.resourceValues, p.resourceDropped, p.resourceSchemaUrl, p.scopeName, p.scopeVersion, p.scopeKeys, p.scopeValues, p.scopeDropped, p.scopeSchemaUrl]);
    const known = this.origins.get(key);
    if (known) return known;
    const i = p.resourceKeys.indexOf('service.name');
    const sv = i >= 0 ? p.resourceValues[i] : undefined;
    const origin: SpanOrigin = {
      resourceKeys: p.resourceKeys,
      resourceValues: p.resourceValues,
      resourceDropped: p.resourceDropped,
      resourceSchemaUrl: p.resourceSchemaUrl,
      scopeName: p.scopeName,
      scopeVersion: p.scopeVersion,
      scopeKeys: p.scopeKeys,
      scopeValues: p.scopeValues,
      scopeDropped: p.scopeDropped,
      scopeSchemaUrl: p.scopeSchemaUrl,
      serviceName: typeof sv === 'string' ? sv : sv === undefined ? 'unknown_service' : attrText(sv),
    };
    if (this.origins.size < 10_000) this.origins.set(key, origin);
    return origin;
  }

  clear(): void {
    this.pool.clear();
    this.keyBytes.clear();
    this.nameBytes.clear();
    this.valueBytes.clear();
    this.nameIds.clear();
    this.valueIds.clear();
    this.pairIds.clear();
    this.dict.clear();
    this.origins.clear();
  }
}

const HEX_TRACE = /^[0-9a-fA-F]{32}$/;
const HEX_SPAN = /^[0-9a-fA-F]{16}$/;
const B64_TRACE = /^[A-Za-z0-9+/]{22}==$/;
const B64_SPAN = /^[A-Za-z0-9+/]{11}=$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/** Lowercase hex trace id, or undefined when invalid (hex in either case; base64 tolerated). */
export function normTraceId(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  let id: string;
  if (HEX_TRACE.test(s)) id = s.toLowerCase();
  else if (B64_TRACE.test(s)) id = Buffer.from(s, 'base64').toString('hex');
  else return undefined;
  return id === ZERO_TRACE ? undefined : id;
}

export function normSpanId(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  let id: string;
  if (HEX_SPAN.test(s)) id = s.toLowerCase();
  else if (B64_SPAN.test(s)) id = Buffer.from(s, 'base64').toString('hex');
  else return undefined;
  return id === ZERO_SPAN ? undefined : id;
}

/**
 * Parent span id: '' when absent, empty or all zero (a root, as the OTel Collector reads it; every
 * decode path agrees), undefined when invalid.
 */
export function normParentId(s: unknown): string | undefined {
  if (s === undefined || s === null || s === '') return '';
  if (typeof s === 'string' && /^0{16}$|^A{11}=$/.test(s)) return '';
  return normSpanId(s);
}

/** Origin parts with nothing set, for decoders to fill in. */
export function emptyOriginParts(): OriginParts {
  return { resourceKeys: [], resourceValues: [], resourceDropped: 0, resourceSchemaUrl: '', scopeName: '', scopeVersion: '', scopeKeys: [], scopeValues: [], scopeDropped: 0, scopeSchemaUrl: '' };
}

export const BAD_START = 'startTimeUnixNano must be an integer number of nanoseconds from 1 to 2^64-1';
export const BAD_END = 'endTimeUnixNano must be an integer number of nanoseconds from 1 to 2^64-1';

/** Checks of a span's times (words at `at` in `slab`, as valid OTLP times); returns why they are wrong, or ''. */
export function timesProblem(slab: Uint32Array, at: number): string {
  const sLo = slab[at]!;
  const sHi = slab[at + 1]!;
  const eLo = slab[at + 2]!;
  const eHi = slab[at + 3]!;
  if (sLo === 0 && sHi === 0) return BAD_START;
  if (eLo === 0 && eHi === 0) return BAD_END;
  if (eHi < sHi || (eHi === sHi && eLo < sLo)) return 'span ends before it starts';
  return '';
}
