import { Worker } from 'node:worker_threads';
import type { InFlightBytes } from '../ingest/inFlightBytes';
import type { UnaryCall } from './grpcUnaryServer';
import { GrpcStatus } from './grpcWire';
import type { FromSession, SessionWorkerData, ToSession } from './sessionMessages';

export interface SessionThreadOptions {
  /** The session thread's script (dist/grpcSessionWorker.js). */
  workerPath: string;
  /** 0 picks a free port. Always on 127.0.0.1. */
  port: number;
  maxMessageBytes: number;
  /** Method paths; `onMessage` gets the index. */
  methods: readonly string[];
  /** Shared with the other receivers (its counter is in shared memory). */
  inFlight?: InFlightBytes;
  /** Messages below this length count as small bodies from their prefix (see `smallBodyBegan`). */
  smallBelow: number;
  smallBodyBegan?: () => () => void;
  /** A whole request message of method `method`: answer through `call` once. */
  onMessage(method: number, body: Buffer, call: UnaryCall): void;
  /** The session thread died (and what was done about it). */
  onWarning?: (message: string) => void;
}

/** Restarts allowed within RESTART_WINDOW_MS before the receiver gives up (and says so). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** How long a stopping session thread may take to close its connections before it is terminated. */
const STOP_GRACE_MS = 3000;

/** A call handed over by the session thread: its answer is posted back. */
class RemoteCall implements UnaryCall {
  done = false;

  constructor(
    private readonly id: number,
    private readonly worker: Worker,
    private readonly over: () => void,
  ) {}

  ok(response: Buffer): void {
    if (!this.end()) return;
    // A copy of its own: the structured clone copies a view's whole ArrayBuffer (for a pooled Buffer, 8 KiB).
    this.post(response.length ? { type: 'ok', id: this.id, response: new Uint8Array(response) } : { type: 'ok', id: this.id });
  }

  fail(code: number, message: string): void {
    if (!this.end()) return;
    this.post({ type: 'fail', id: this.id, code, message });
  }

  /** Over without an answer (the client went away, or the session thread died). */
  abandon(): void {
    this.end();
  }

  private post(m: ToSession): void {
    this.worker.postMessage(m);
  }

  private end(): boolean {
    if (this.done) return false;
    this.done = true;
    this.over();
    return true;
  }
}

/** One session thread's calls, as the storing thread knows them. */
interface Generation {
  worker: Worker;
  heldByWorker: BigInt64Array;
  /** Small calls whose prefix arrived: their end, to call once. */
  began: Map<number, () => void>;
  calls: Map<number, RemoteCall>;
  listening: boolean;
  stopping: boolean;
}

/**
 * The OTLP/gRPC server on its own thread (grpcSessionWorker.ts): this side turns its messages into
 * calls for the receiver's handlers and posts their answers back. A session thread that dies is
 * reported, its calls dropped (their clients see the connection close and retry) and its in-flight
 * bytes given back, and it is started again on the same port — at most MAX_RESTARTS times a
 * minute; past that, or if the port cannot be had again, the receiver says it stopped receiving.
 */
export class SessionThread {
  private current: Generation | undefined;
  private portValue = 0;
  private restarts: number[] = [];
  private stopped = false;

  constructor(private readonly options: SessionThreadOptions) {}

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    this.stopped = false;
    this.portValue = await this.spawn(this.options.port);
    return this.portValue;
  }

  /** The session thread, once listening (tests end it to see a crash handled). @internal */
  get workerForTests(): Worker | undefined {
    return this.current?.listening ? this.current.worker : undefined;
  }

  private spawn(port: number): Promise<number> {
    const o = this.options;
    const heldByWorker = new SharedArrayBuffer(8);
    const workerData: SessionWorkerData = {
      port,
      maxMessageBytes: o.maxMessageBytes,
      methods: o.methods,
      inFlight: o.inFlight && { shared: o.inFlight.shared, maxBytes: o.inFlight.maxBytes },
      heldByWorker,
      smallBelow: o.smallBodyBegan ? o.smallBelow : 0,
    };
    const worker = new Worker(o.workerPath, { workerData, name: 'otlp-grpc-session' });
    const gen: Generation = { worker, heldByWorker: new BigInt64Array(heldByWorker), began: new Map(), calls: new Map(), listening: false, stopping: false };
    this.current = gen;
    return new Promise<number>((resolve, reject) => {
      let lastError: unknown;
      worker.on('message', (m: FromSession) => {
        if (m.type === 'listening') {
          gen.listening = true;
          resolve(m.port);
        } else if (m.type === 'listenFailed') reject(new Error(m.message));
        else this.onMessage(gen, m);
      });
      worker.on('error', (e) => (lastError = e));
      worker.once('exit', (code) => {
        this.forget(gen);
        if (!gen.listening) return reject(lastError instanceof Error ? lastError : new Error(`the gRPC session thread exited (code ${code}) before listening`));
        if (!gen.stopping) this.died(code, lastError);
      });
    });
  }

  private onMessage(gen: Generation, m: FromSession): void {
    const o = this.options;
    switch (m.type) {
      case 'began':
        if (o.smallBodyBegan) gen.began.set(m.id, o.smallBodyBegan());
        return;
      case 'ended':
        return this.endSmall(gen, m.id);
      case 'message': {
        const call = new RemoteCall(m.id, gen.worker, () => {
          gen.calls.delete(m.id);
          this.endSmall(gen, m.id);
        });
        gen.calls.set(m.id, call);
        return o.onMessage(m.method, Buffer.from(m.body), call);
      }
      case 'expired':
        return gen.calls.get(m.id)?.fail(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded');
      case 'gone':
        return gen.calls.get(m.id)?.abandon();
      case 'stopped':
        return;
    }
  }

  private endSmall(gen: Generation, id: number): void {
    const end = gen.began.get(id);
    if (!end) return;
    gen.began.delete(id);
    end();
  }

  /** A session thread is gone: its calls are over, its in-flight bytes given back. */
  private forget(gen: Generation): void {
    for (const call of [...gen.calls.values()]) call.abandon();
    for (const end of gen.began.values()) end();
    gen.began.clear();
    const held = Atomics.exchange(gen.heldByWorker, 0, 0n);
    if (held > 0n) this.options.inFlight?.release(Number(held));
    if (this.current === gen) this.current = undefined;
  }

  private died(code: number, error: unknown): void {
    const warn = this.options.onWarning ?? (() => {});
    const why = error instanceof Error ? error.message : `exit code ${code}`;
    if (this.stopped) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      warn(`OTLP/gRPC receiver stopped: its session thread died ${MAX_RESTARTS + 1} times within a minute (last: ${why}); 127.0.0.1:${this.portValue} no longer receives gRPC`);
      return;
    }
    this.restarts.push(now);
    this.spawn(this.portValue).then(
      () => warn(`OTLP/gRPC receiver: its session thread died (${why}); calls in flight were dropped (exporters retry them); restarted on 127.0.0.1:${this.portValue}`),
      (e: unknown) => warn(`OTLP/gRPC receiver stopped: its session thread died (${why}) and could not listen again on 127.0.0.1:${this.portValue} (${e instanceof Error ? e.message : String(e)})`),
    );
  }

  /** Closes the server (calls in flight get a moment) and ends the thread. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    const gen = this.current;
    if (!gen) return;
    gen.stopping = true;
    const exited = new Promise<void>((resolve) => gen.worker.once('exit', () => resolve()));
    gen.worker.postMessage({ type: 'stop' } satisfies ToSession);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
    if ((await Promise.race([exited, late])) === 'late') await gen.worker.terminate();
    clearTimeout(timer);
    await exited;
  }
}
