// The OTLP/gRPC receiver's session thread (a node worker; bundled as dist/grpcSessionWorker.js).
// It runs the HTTP/2 server — frames, flow control, message assembly, gzip/deflate, limits,
// deadlines, the in-flight byte bound — so that the storing thread gets one message per request
// and sends one answer back, instead of ~18 DATA chunks, the reassembly and the answer's writes
// (sessionMessages.ts; why: docs/performance.md, 2026-12-07).
import { parentPort, workerData } from 'node:worker_threads';
import { InFlightBytes, type InFlightHold } from '../ingest/inFlightBytes';
import { GrpcUnaryServer, type ServerCall, type UnaryMethod } from './grpcUnaryServer';
import type { FromSession, SessionWorkerData, ToSession } from './sessionMessages';

const data = workerData as SessionWorkerData;
const port = parentPort!;
const post = (m: FromSession, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

/** Handed-over calls waiting for the storing thread's answer. */
const waiting = new Map<number, ServerCall>();
/** Buffers made here for a message (their ArrayBuffer is theirs alone, so it can be transferred). */
const own = new WeakSet<ArrayBuffer>();

function ownBuffer(length: number): Buffer {
  const b = Buffer.allocUnsafeSlow(length);
  own.add(b.buffer as ArrayBuffer);
  return b;
}

/** The message in an ArrayBuffer of its own (a view of a DATA chunk or zlib output is copied). */
function transferable(message: Buffer): ArrayBuffer {
  if (own.has(message.buffer as ArrayBuffer) && message.byteOffset === 0 && message.byteLength === message.buffer.byteLength) return message.buffer as ArrayBuffer;
  const copy = ownBuffer(message.length);
  message.copy(copy);
  return copy.buffer as ArrayBuffer;
}

/**
 * The shared counter, and what this thread holds on it (given back by the storing thread if this
 * thread dies holding it).
 */
const heldHere = new BigInt64Array(data.heldByWorker);
const counter = data.inFlight ? new InFlightBytes(data.inFlight.maxBytes, data.inFlight.shared) : undefined;
const inFlight = counter && {
  maxBytes: counter.maxBytes,
  hold(): InFlightHold {
    const hold = counter.hold();
    let reserved = 0;
    return {
      reserve(n: number): boolean {
        if (!hold.reserve(n)) return false;
        reserved += n;
        Atomics.add(heldHere, 0, BigInt(n));
        return true;
      },
      release(): void {
        hold.release();
        if (reserved) Atomics.sub(heldHere, 0, BigInt(reserved));
        reserved = 0;
      },
    };
  },
};

const methods = new Map<string, UnaryMethod>(
  data.methods.map((path, method) => [
    path,
    {
      alloc: ownBuffer,
      handle: (message: Buffer, call: ServerCall): void => {
        const body = transferable(message);
        const id = call.id;
        call.handOff({ expired: () => post({ type: 'expired', id }), gone: () => (waiting.delete(id), post({ type: 'gone', id })) });
        waiting.set(id, call);
        post({ type: 'message', id, method, body }, [body]);
      },
    },
  ]),
);

const server = new GrpcUnaryServer({
  port: data.port,
  maxMessageBytes: data.maxMessageBytes,
  methods,
  inFlight,
  messageBegan: (length, call) => {
    if (length >= data.smallBelow) return undefined;
    post({ type: 'began', id: call.id });
    // Once handed over, the storing thread ends it itself (answered, expired or gone).
    return () => {
      if (!call.handedOff) post({ type: 'ended', id: call.id });
    };
  },
});

const EMPTY = Buffer.alloc(0);

const started = server.start().then(
  (p) => post({ type: 'listening', port: p }),
  (e: unknown) => {
    post({ type: 'listenFailed', message: e instanceof Error ? e.message : String(e) });
    port.close();
  },
);

port.on('message', (m: ToSession) => {
  if (m.type === 'ok' || m.type === 'fail') {
    const call = waiting.get(m.id);
    if (!call) return;
    waiting.delete(m.id);
    if (m.type === 'fail') return call.fail(m.code, m.message);
    call.ok(m.response ? Buffer.from(m.response.buffer, m.response.byteOffset, m.response.byteLength) : EMPTY);
  } else if (m.type === 'stop') {
    // Asked to stop while still starting: once listening (or not), closed.
    void started.then(() => server.stop()).then(() => {
      post({ type: 'stopped' });
      port.close();
    });
  }
});
