import { constants as h2, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { gunzip, inflate } from 'node:zlib';
import type { InFlightBytes, InFlightHold } from '../ingest/inFlightBytes';
import { encodeGrpcMessage, frameMessage, GrpcStatus, MessageReader, parseGrpcTimeout } from './grpcWire';

/** One unary call as its handler sees it. */
export interface UnaryCall {
  /** Answers OK with this (serialized) response message. */
  ok(response: Buffer): void;
  /** Answers with a status other than OK and its message. */
  fail(code: number, message: string): void;
  /** Answered already, past its deadline, or its client went away: nothing more is done for it. */
  readonly done: boolean;
}

/**
 * A call as the server's own thread sees it: besides answering, it can be handed off to another
 * thread that decides its answer (grpcSessionWorker.ts). Past its deadline, or gone, a handed-off
 * call is not ended here but told to `hooks`: the other thread answers (or drops) it, so that a call
 * whose batch was stored is never also answered DEADLINE_EXCEEDED.
 */
export interface ServerCall extends UnaryCall {
  /** Unique per server. */
  readonly id: number;
  readonly handedOff: boolean;
  handOff(hooks: HandOffHooks): void;
}

export interface HandOffHooks {
  /** The deadline passed: the thread deciding should fail the call (if it has not answered yet). */
  expired(): void;
  /** The client reset the stream or the connection closed: the call is over (its bytes released). */
  gone(): void;
}

/** Gets the request message (uncompressed); answers through `call` once. */
export type UnaryHandler = (message: Buffer, call: ServerCall) => void;

/** A method: its handler, and optionally where its uncompressed request messages are assembled. */
export interface UnaryMethod {
  handle: UnaryHandler;
  /** Room for a message of `length` bytes (see MessageReader); the handler owns it afterwards. */
  alloc?: (length: number) => Buffer;
}

export interface UnaryServerOptions {
  /** 0 picks a free port. Always on 127.0.0.1. */
  port: number;
  /** Largest request message, compressed or not (RESOURCE_EXHAUSTED beyond it). */
  maxMessageBytes: number;
  /** `/package.Service/Method` → its method; other paths are UNIMPLEMENTED. */
  methods: ReadonlyMap<string, UnaryMethod>;
  /**
   * Bytes received and not yet answered, shared with other receivers: a message is reserved when
   * its length prefix arrives, before any of it is kept; past the bound the call gets UNAVAILABLE
   * (which OTLP exporters retry) and nothing of it is kept.
   */
  inFlight?: Pick<InFlightBytes, 'hold' | 'maxBytes'>;
  /**
   * A request message's length is known (its prefix arrived, before its bytes): returns what to call
   * once, when the call is over — answered, refused, past its deadline or gone. The collector counts
   * small bodies in flight with it (workSlicer.ts, small bodies first).
   */
  messageBegan?: (length: number, call: ServerCall) => (() => void) | undefined;
}

/**
 * Receive window per connection and per stream: a whole request in flight without waiting for
 * WINDOW_UPDATEs (node's default is HTTP/2's 64 KiB; our own limits bound what is kept).
 */
const WINDOW_BYTES = 32 * 1024 * 1024;
/** Concurrent calls per connection (OTLP exporters keep a handful). */
const MAX_STREAMS = 100;
/** Bytes of a refused request read and dropped before its stream is reset. */
const DRAIN_BYTES = 1024 * 1024;
const ACCEPT_ENCODING = 'identity,gzip,deflate';
const MiB = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;
// The headers of every OK answer (node copies them; no `date` header: gRPC clients do not read it).
const OK_HEADERS = Object.freeze({ ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPT_ENCODING });
const OK_OPTIONS = Object.freeze({ waitForTrailers: true, sendDate: false });
const OK_TRAILERS = Object.freeze({ 'grpc-status': '0' });
/**
 * The framed empty message: OTLP's usual answer (an Export*ServiceResponse without partialSuccess),
 * made once and written by every such call (node keeps a reference to what it writes, never changes it).
 */
const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

/** 'wantTrailers' of an OK answer: one function for every call rather than a closure per call. */
function sendOkTrailers(this: ServerHttp2Stream): void {
  try {
    this.sendTrailers(OK_TRAILERS);
  } catch {
    /* the stream went away meanwhile */
  }
}

/**
 * A unary gRPC server on node:http2: length-prefixed messages in, one message and `grpc-status`
 * trailers out; `grpc-encoding` gzip/deflate, `grpc-timeout` deadlines, per-message size limits.
 * A status other than OK is sent trailers-only. Hostile input ends its own call (or its own
 * connection, for bytes that are not HTTP/2), never the process.
 */
export class GrpcUnaryServer {
  private server: Http2Server | undefined;
  private readonly sessions = new Set<ServerHttp2Session>();
  private nextCallId = 1;

  constructor(private readonly options: UnaryServerOptions) {}

  /** Listens on 127.0.0.1; resolves with the port. */
  async start(): Promise<number> {
    const server = createServer({
      settings: { initialWindowSize: WINDOW_BYTES, maxConcurrentStreams: MAX_STREAMS, maxHeaderListSize: 64 * 1024 },
      // Node's per-connection memory bound (MB) counts received data not yet read by us; our own
      // limits (message size, bytes in flight) are what bound memory.
      maxSessionMemory: Math.max(64, Math.ceil((4 * this.options.maxMessageBytes) / MiB)),
    });
    server.on('session', (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      // A broken or hostile connection ends itself; nothing to report to anyone.
      session.on('error', () => {});
      try {
        session.setLocalWindowSize(WINDOW_BYTES);
      } catch {
        /* a session already closing */
      }
    });
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const max = this.options.maxMessageBytes;
    const call = new Call(this.nextCallId++, stream, this.options.inFlight?.hold());
    const encoding = String(headers['grpc-encoding'] ?? 'identity').toLowerCase();
    let message: Buffer | undefined;
    let compressed = false;
    const method = this.options.methods.get(String(headers[':path']));
    const reader = new MessageReader(
      (isCompressed, length, index) => {
        if (index > 0) call.fail(GrpcStatus.UNIMPLEMENTED, 'more than one request message for a unary method');
        else if (isCompressed && encoding === 'identity') call.fail(GrpcStatus.INTERNAL, 'a compressed message without grpc-encoding');
        else if (length > max) call.fail(GrpcStatus.RESOURCE_EXHAUSTED, `message of ${length} bytes exceeds the limit of ${max}`);
        else if (!call.reserve(length)) call.fail(GrpcStatus.UNAVAILABLE, `the collector is busy storing earlier requests (${this.options.inFlight!.maxBytes} bytes in flight): retry later`);
        else call.whenOver(this.options.messageBegan?.(length, call));
        return call.done ? 'stop' : 'read';
      },
      (m, c) => {
        message = m;
        compressed = c;
      },
      method?.alloc,
    );
    let drained = 0;
    stream.on('data', (chunk: Buffer) => {
      if (!call.done) return reader.push(chunk);
      reader.stop();
      // Answered before the request ended (refused, or past its deadline): drop the rest, and past
      // a moderate amount ask the client to stop sending (RST_STREAM NO_ERROR, as HTTP/2 allows
      // after a complete response).
      drained += chunk.length;
      if (drained > DRAIN_BYTES && !stream.closed) stream.close(h2.NGHTTP2_NO_ERROR);
    });
    stream.on('error', () => call.abandon());
    stream.on('close', () => call.abandon());
    if (headers[':method'] !== 'POST') return call.refuseHttp(405);
    if (!String(headers['content-type'] ?? '').startsWith('application/grpc')) return call.refuseHttp(415);
    if (!method) return call.fail(GrpcStatus.UNIMPLEMENTED, `unknown method ${String(headers[':path'])}`);
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
      return call.fail(GrpcStatus.UNIMPLEMENTED, `message encoding "${encoding}" is not supported (${ACCEPT_ENCODING})`);
    }
    const timeout = parseGrpcTimeout(headers['grpc-timeout']);
    if (Number.isNaN(timeout)) return call.fail(GrpcStatus.INTERNAL, `invalid grpc-timeout "${String(headers['grpc-timeout'])}"`);
    if (timeout !== undefined) call.expireAfter(timeout);
    stream.on('end', () => {
      if (call.done) return;
      if (!reader.atBoundary) return call.fail(GrpcStatus.INVALID_ARGUMENT, 'the request ended inside a message (a truncated length prefix or message)');
      if (!message) return call.fail(GrpcStatus.UNIMPLEMENTED, 'no request message for a unary method');
      if (!compressed) return method.handle(message, call);
      (encoding === 'gzip' ? gunzip : inflate)(message, { maxOutputLength: max }, (err, out) => {
        if (call.done) return;
        if (!err) return method.handle(out, call);
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) call.fail(GrpcStatus.RESOURCE_EXHAUSTED, `message decompresses to more than the limit of ${max} bytes`);
        else call.fail(GrpcStatus.INVALID_ARGUMENT, `invalid ${encoding} message: ${err.message}`);
      });
    });
  }

  /** Stops accepting; calls in flight get a moment to finish, then connections are dropped. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    for (const s of this.sessions) s.destroy();
    await closed;
  }
}

/** A call's state: answered once, its in-flight bytes held until then, its deadline. */
class Call implements ServerCall {
  done = false;
  private timer: NodeJS.Timeout | undefined;
  private over: (() => void) | undefined;
  private hooks: HandOffHooks | undefined;

  constructor(
    readonly id: number,
    private readonly stream: ServerHttp2Stream,
    private readonly hold: InFlightHold | undefined,
  ) {}

  reserve(bytes: number): boolean {
    return !this.hold || this.hold.reserve(bytes);
  }

  /** Calls `over` once, when the call is over (see UnaryServerOptions.messageBegan). */
  whenOver(over: (() => void) | undefined): void {
    this.over = over;
  }

  expireAfter(ms: number): void {
    // grpc-timeout reaches 99,999,999 hours; node's timers stop at 2^31-1 ms (and would fire at once).
    if (ms > MAX_TIMER_MS) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.hooks) this.hooks.expired();
      else this.fail(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded');
    }, ms);
  }

  get handedOff(): boolean {
    return this.hooks !== undefined;
  }

  handOff(hooks: HandOffHooks): void {
    this.hooks = hooks;
  }

  ok(response: Buffer): void {
    if (!this.end()) return;
    const stream = this.stream;
    try {
      stream.respond(OK_HEADERS, OK_OPTIONS);
      stream.once('wantTrailers', sendOkTrailers);
      stream.end(response.length === 0 ? EMPTY_MESSAGE : frameMessage(response));
    } catch {
      /* the stream went away meanwhile */
    }
  }

  fail(code: number, message: string): void {
    if (!this.end()) return;
    try {
      this.stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
    } catch {
      /* the stream went away meanwhile */
    }
  }

  /** Not gRPC at all (wrong method or content type): the HTTP status the protocol asks for. */
  refuseHttp(status: number): void {
    if (!this.end()) return;
    try {
      this.stream.respond({ ':status': status }, { endStream: true });
    } catch {
      /* gone */
    }
  }

  /** The client reset the stream or the connection closed: nothing is answered or kept. */
  abandon(): void {
    if (this.end()) this.hooks?.gone();
  }

  private end(): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    this.hold?.release();
    this.over?.();
    this.over = undefined;
    return true;
  }
}
