import { convertTraceFile, ImportError, type ConvertedTraceFile } from '../importers';
import { KIND_NAMES, traceUrl, type BackendConfig } from './backendConfig';

/** Why a fetch failed: each kind gets its own clear message. */
export type BackendErrorKind = 'not-found' | 'unauthorized' | 'timeout' | 'unreachable' | 'malformed' | 'http' | 'too-large';

export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    readonly kind: BackendErrorKind,
    readonly backend: string,
    message: string,
  ) {
    super(message);
  }
}

/** A trace answered by a backend, converted and checked, not yet stored. */
export interface FetchedTrace {
  backend: string;
  url: string;
  /** The JSON answer converted to OTLP/JSON requests (JSON answers). */
  converted?: ConvertedTraceFile;
  /** Tempo's protobuf answer: the Trace message (wire-compatible with OTLP TracesData). */
  protobuf?: Buffer;
  /** A backend's note on the answer (Tempo: a partial trace). */
  warning?: string;
  /** Milliseconds from the request to the whole answer read. */
  elapsedMs: number;
}

export interface FetchOptions {
  /** Sent as `Authorization: Bearer …` unless the headers set Authorization already. */
  token?: string;
  /** Most bytes of an answer (default 256 MiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Fetches one trace by id from one backend; throws BackendError. */
export async function fetchTrace(b: BackendConfig, traceId: string, opts: FetchOptions = {}): Promise<FetchedTrace> {
  const url = traceUrl(b, traceId);
  const who = `${KIND_NAMES[b.kind]} "${b.name}"`;
  const headers: Record<string, string> = { accept: b.kind === 'tempo' && b.protobuf ? 'application/protobuf' : 'application/json', ...b.headers };
  if (opts.token && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) headers.authorization = `Bearer ${opts.token}`;
  const started = performance.now();
  const timeout = AbortSignal.timeout(b.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  let body: Buffer;
  try {
    res = await fetch(url, { headers, signal, redirect: 'follow' });
    body = await readLimited(res, opts.maxBytes ?? 256 * 1024 * 1024, who);
  } catch (e) {
    if (e instanceof BackendError) throw e;
    if (timeout.aborted) throw new BackendError('timeout', b.name, `${who} did not answer within ${formatSeconds(b.timeoutMs)} (GET ${url})`);
    if (opts.signal?.aborted) throw new BackendError('timeout', b.name, `fetching from ${who} was cancelled`);
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    throw new BackendError('unreachable', b.name, `cannot reach ${who} at ${url}: ${cause}`);
  }
  const elapsedMs = performance.now() - started;
  const text = (): string => body.toString('utf8');
  if (res.status === 404) throw new BackendError('not-found', b.name, `trace ${traceId} is not in ${who} (HTTP 404${errorDetail(text())})`);
  if (res.status === 401 || res.status === 403) {
    throw new BackendError('unauthorized', b.name, `${who} refused the request (HTTP ${res.status}${errorDetail(text())}): set its token (Instrument First: Set Backend Token…, or --token) or its headers`);
  }
  if (!res.ok) throw new BackendError('http', b.name, `${who} answered HTTP ${res.status}${errorDetail(text())} (GET ${url})`);
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (b.kind === 'tempo' && b.protobuf && type.includes('protobuf')) {
    const inner = traceOfTraceByIdResponse(body);
    if (inner === undefined) throw new BackendError('malformed', b.name, `${who} answered protobuf that is not a TraceByIDResponse`);
    if (inner.length === 0) throw new BackendError('not-found', b.name, `trace ${traceId} is not in ${who} (an empty trace)`);
    return { backend: b.name, url, protobuf: inner, elapsedMs };
  }
  let converted: ConvertedTraceFile;
  try {
    converted = convertTraceFile(text(), url);
  } catch (e) {
    if (e instanceof ImportError) throw new BackendError('malformed', b.name, `${who} answered something that is not a trace: ${e.jsonPath ? `${e.jsonPath}: ` : ''}${e.problem}`);
    throw e;
  }
  if (converted.spans === 0) throw new BackendError('not-found', b.name, `trace ${traceId} is not in ${who} (an answer without spans)`);
  let warning: string | undefined;
  if (b.kind === 'tempo') {
    try {
      const doc = JSON.parse(text()) as { status?: unknown; message?: unknown };
      if (doc.status === 'PARTIAL' || doc.status === 1) warning = `${who}: a partial trace${typeof doc.message === 'string' ? ` (${doc.message})` : ''}`;
    } catch {
      /* converted above: valid JSON */
    }
  }
  return { backend: b.name, url, converted, warning, elapsedMs };
}

/** Tries the backends in order; the first that has the trace wins. Throws the most telling error. */
export async function fetchFromBackends(backends: readonly BackendConfig[], traceId: string, tokenOf: (b: BackendConfig) => PromiseLike<string | undefined> | string | undefined, signal?: AbortSignal): Promise<FetchedTrace> {
  const errors: BackendError[] = [];
  for (const b of backends) {
    try {
      return await fetchTrace(b, traceId, { token: await tokenOf(b), signal });
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 0) throw new BackendError('not-found', '', 'no backends are configured (setting instrumentFirst.backends, or --backend)');
  if (errors.length === 1) throw errors[0]!;
  const notFound = errors.every((e) => e.kind === 'not-found');
  throw new BackendError(notFound ? 'not-found' : errors.find((e) => e.kind !== 'not-found')!.kind, '', errors.map((e) => e.message).join('; '));
}

async function readLimited(res: Response, max: number, who: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new BackendError('too-large', who, `${who} answered ${declared} bytes; at most ${max} are read`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw new BackendError('too-large', who, `${who} answered more than ${max} bytes`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }
  return Buffer.concat(chunks, size);
}

/** `: message` from a JSON error body (Jaeger: {"error":{"message"}}) or the first text. */
function errorDetail(text: string): string {
  const t = text.trim();
  if (!t) return '';
  try {
    const doc = JSON.parse(t) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof doc.error === 'string' ? doc.error : typeof doc.error?.message === 'string' ? doc.error.message : typeof doc.message === 'string' ? doc.message : undefined;
    if (m) return `: ${oneLine(m)}`;
  } catch {
    /* plain text */
  }
  return `: ${oneLine(t)}`;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Field 1 (`Trace trace = 1`) of Tempo's TraceByIDResponse; its `resourceSpans = 1` make it an
 * OTLP TracesData on the wire. Undefined when the bytes are not such a message.
 */
export function traceOfTraceByIdResponse(buf: Buffer): Buffer | undefined {
  let pos = 0;
  let found: Buffer = Buffer.alloc(0);
  const varint = (): number | undefined => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) return undefined;
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return undefined;
  };
  while (pos < buf.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      if (varint() === undefined) return undefined;
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined || pos + len > buf.length) return undefined;
      if (field === 1) found = found.length ? Buffer.concat([found, buf.subarray(pos, pos + len)]) : buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else return undefined;
    if (pos > buf.length) return undefined;
  }
  return found;
}
