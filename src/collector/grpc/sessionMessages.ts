// Messages between the OTLP/gRPC receiver (on the storing thread) and its session thread
// (grpcSessionWorker.ts, a node worker thread), which runs the HTTP/2 server: it reads the frames,
// assembles and decompresses each request message, and hands the whole message over; the storing
// thread decides the answer and sends it back. A call is named by its id in the session thread.

/** What the session thread is started with (`workerData`). */
export interface SessionWorkerData {
  /** 0 picks a free port. Always on 127.0.0.1. */
  port: number;
  maxMessageBytes: number;
  /** The methods' paths (`/package.Service/Method`); a message names its method by index. */
  methods: readonly string[];
  /** The collector's in-flight byte counter (InFlightBytes.shared) and its bound. */
  inFlight?: { shared: SharedArrayBuffer; maxBytes: number };
  /**
   * One 64-bit word: the bytes this session thread holds on the in-flight counter now, given back by
   * the storing thread if the session thread dies holding them.
   */
  heldByWorker: SharedArrayBuffer;
  /** Messages below this length tell the storing thread when their prefix arrives (small bodies first). */
  smallBelow: number;
}

/** Session thread → storing thread. */
export type FromSession =
  | { type: 'listening'; port: number }
  | { type: 'listenFailed'; message: string }
  /** A small message's length prefix arrived (workSlicer.ts: small bodies first). */
  | { type: 'began'; id: number }
  /** A call that had `began` ended before its message was handed over (refused, expired, gone). */
  | { type: 'ended'; id: number }
  /** A whole request message, uncompressed; its ArrayBuffer is transferred. The call waits for `answer`. */
  | { type: 'message'; id: number; method: number; body: ArrayBuffer }
  /** A handed-over call's deadline passed: fail it unless answered already. */
  | { type: 'expired'; id: number }
  /** A handed-over call's client went away: nothing is answered or kept. */
  | { type: 'gone'; id: number }
  /** The server is closed; the thread exits next. */
  | { type: 'stopped' };

/** Storing thread → session thread. */
export type ToSession =
  /** OK with this serialized response (none: the empty message). */
  | { type: 'ok'; id: number; response?: Uint8Array }
  | { type: 'fail'; id: number; code: number; message: string }
  | { type: 'stop' };
