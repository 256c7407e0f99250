import { DecodeError, spanCountOf, type RowBatch } from '../store/decodedBatch';
import { decodeOtlpProtoRows } from '../ingest/otlpProtoDecoder';
import { partialMessage } from '../ingest/otlpHttpReceiver';
import { exportResponse } from '../ingest/otlpResponse';
import type { DecodePool } from '../ingest/decodePool';
import type { InFlightBytes } from '../ingest/inFlightBytes';
import type { LogStore } from '../logs/logStore';
import { decodeOtlpLogsProto } from '../logs/otlpLogsDecoder';
import { logsResponse } from '../logs/otlpSignalReceiver';
import type { MetricStore } from '../metrics/metricStore';
import { decodeOtlpMetricsProto } from '../metrics/otlpMetricsDecoder';
import { indexRows } from '../ingest/indexRows';
import { packedRows } from '../ingest/packedChunks';
import type { SpanStore } from '../store/spanStore';
import { LARGE_BODY, type WorkSlicer } from '../ingest/workSlicer';
import { GrpcUnaryServer, type UnaryCall, type UnaryMethod } from './grpcUnaryServer';
import { GrpcStatus } from './grpcWire';
import { SessionThread } from './sessionThread';

export interface GrpcReceiverOptions {
  /** 0 picks a free port. Always on 127.0.0.1. */
  port: number;
  /** Limit of one request message, after decompression (gRPC answers RESOURCE_EXHAUSTED beyond it). */
  maxMessageBytes: number;
  store: SpanStore;
  /** Where decoding and storing run (sliced, as the HTTP receiver's work). */
  slicer: WorkSlicer;
  /** An accepted ExportTraceServiceRequest, as received (protobuf), for forwarding. */
  onAccepted?: (body: Buffer) => void;
  /**
   * Decode workers: as the HTTP receiver does with protobuf, a body arriving while others wait for
   * the store's thread goes to an idle worker (the rest are decoded in place).
   */
  decoders?: DecodePool;
  /** Where LogsService records go (without it they are answered as not kept). */
  logs?: LogStore;
  /** Where MetricsService points go (without it they are answered as not kept). */
  metrics?: MetricStore;
  /** Every body to the workers (the extension host, whose thread must stay free). */
  protobufOnWorkers?: boolean;
  /** Bodies received and not yet stored, shared with OTLP/HTTP: past its bound a call gets UNAVAILABLE (retried by exporters). */
  inFlight?: InFlightBytes;
  /**
   * Run the HTTP/2 server on a thread of its own from this script (dist/grpcSessionWorker.js): this
   * thread then gets each request message whole and posts its answer back. Without it the server
   * runs on this thread.
   */
  sessionWorkerPath?: string;
  /** Told when the session thread dies (it is restarted, or the receiver says it stopped). */
  onWarning?: (message: string) => void;
}

/** Event-loop turns an OK answer needs to leave (see `runAnswering`). */
const ANSWER_TURNS = 2;

/**
 * Queues a job that answers a gRPC call on the slicer and lets two event-loop turns begin before
 * the next slice: node:http2 sends the answer from later turns (HTTP/1.1 writes at once), which
 * would otherwise wait for every other body decoded in the same slice (measured: ~4 ms with 2 ms
 * bodies queued, against 0.2 ms). Two, because an OK answer takes two: the next turn writes its
 * HEADERS and DATA and only then asks for the trailers ('wantTrailers'), whose write is scheduled
 * for the turn after. With one turn the status — what the client waits for — left only after the
 * next body's job (bench:grpc's collector, lean client: response to trailers 1.6–1.7 ms median,
 * against 0.25 ms with two turns).
 */
export function runAnswering(slicer: WorkSlicer, job: () => void, size: number): void {
  slicer.run(() => {
    job();
    slicer.endSliceAfterJob(ANSWER_TURNS);
  }, size);
}

/**
 * Jobs that must already wait for this thread before a trace body goes to an idle decode worker
 * (the HTTP receiver sends one as soon as one job waits). Over HTTP/2 a client's concurrent calls
 * share one connection and their DATA frames are interleaved, so their bodies complete together,
 * in bursts, and each OK answer holds the queue for its two turns (`runAnswering`): with HTTP's rule
 * 36–44 % of bench:grpc's bodies went to the worker against 20–26 % over HTTP, and a body decoded
 * there costs more CPU in all (posted, decoded, its index made into records here) while this
 * thread waits for it more often. Measured (bench:grpc quick runs alternated, 2 cores shared with
 * other sessions, 12 runs each; gRPC / HTTP protobuf, median): HTTP's rule (1) 0.96×, collector CPU
 * per body +0.12 ms over HTTP's; 2 jobs 0.91×, 3 jobs 0.95× (+0.3 ms); never 1.06× (±0, and the main
 * thread idle 5–7 % against 6–17 %). Eight, not never: bench:grpc's 4 calls in flight never queue
 * that many, while a flood from many senders (16 ms of bodies waiting) still gets the second core.
 */
export const WORKER_BACKLOG = 8;

/** Whether a trace body goes to an idle decode worker rather than this thread's queue. */
export function wantsWorker(pendingJobs: number, workerBodiesInFlight: number): boolean {
  return pendingJobs >= WORKER_BACKLOG && workerBodiesInFlight === 0;
}

const service = (name: string): string => `/opentelemetry.proto.collector.${name}/Export`;
const TRACES = service('trace.v1.TraceService');

/**
 * OTLP/gRPC on loopback: TraceService/Export stores spans as the HTTP receiver does (same decoder,
 * same store, same limits); a body that does not decode is refused whole with INVALID_ARGUMENT;
 * invalid spans are counted in partialSuccess. LogsService and MetricsService store log records
 * and metric points (in the stores given; without them they answer partialSuccess saying so).
 */
export class OtlpGrpcReceiver {
  private server: GrpcUnaryServer | SessionThread | undefined;
  /** Event-loop turns after an answering job: none when the answer is posted to the session thread. */
  private answerTurns = ANSWER_TURNS;
  private addressValue = '';

  constructor(private readonly options: GrpcReceiverOptions) {}

  /** `127.0.0.1:PORT` once started (what OTEL_EXPORTER_OTLP_ENDPOINT takes as http://127.0.0.1:PORT). */
  get address(): string {
    return this.addressValue;
  }

  async start(): Promise<string> {
    if (this.server) return this.addressValue;
    const handlers: readonly (readonly [string, (body: Buffer, call: UnaryCall) => void])[] = [
      [TRACES, (body, call) => this.exportTraces(body, call)],
      [service('logs.v1.LogsService'), (body, call) => this.exportLogs(body, call)],
      [service('metrics.v1.MetricsService'), (body, call) => this.exportMetrics(body, call)],
    ];
    if (this.options.sessionWorkerPath) return this.startOnThread(this.options.sessionWorkerPath, handlers);
    // Trace bodies are assembled in the decode pool's shared memory, which a worker reads in place
    // (another buffer would be copied once more to be posted) and which is reused once the records
    // are made. Logs keep views of their request's bytes: their bodies stay their own.
    const bodies = this.options.decoders?.bodies;
    const methods = new Map<string, UnaryMethod>(handlers.map(([path, handle]) => [path, path === TRACES && bodies ? { handle, alloc: (n: number) => bodies.alloc(n) } : { handle }]));
    const { slicer } = this.options;
    const server = new GrpcUnaryServer({
      port: this.options.port,
      maxMessageBytes: this.options.maxMessageBytes,
      methods,
      inFlight: this.options.inFlight,
      // Small bodies first, as over HTTP: a small message counts as in flight from its length prefix
      // until its call is over, and large bodies' queued jobs wait for it (bounded; workSlicer.ts).
      messageBegan: (length) => (length < LARGE_BODY ? slicer.smallBodyBegan() : undefined),
    });
    const port = await server.start();
    this.server = server;
    this.addressValue = `127.0.0.1:${port}`;
    return this.addressValue;
  }

  private async startOnThread(workerPath: string, handlers: readonly (readonly [string, (body: Buffer, call: UnaryCall) => void])[]): Promise<string> {
    const { slicer } = this.options;
    const thread = new SessionThread({
      workerPath,
      port: this.options.port,
      maxMessageBytes: this.options.maxMessageBytes,
      methods: handlers.map(([path]) => path),
      inFlight: this.options.inFlight,
      smallBelow: LARGE_BODY,
      smallBodyBegan: () => slicer.smallBodyBegan(),
      onMessage: (method, body, call) => handlers[method]![1](body, call),
      onWarning: this.options.onWarning,
    });
    const port = await thread.start();
    this.server = thread;
    this.answerTurns = 0;
    this.addressValue = `127.0.0.1:${port}`;
    return this.addressValue;
  }

  /** The session thread, when the server runs on one (tests end it to see a crash handled). @internal */
  get sessionThreadForTests(): SessionThread | undefined {
    return this.server instanceof SessionThread ? this.server : undefined;
  }

  private run(job: () => void, size: number): void {
    if (this.answerTurns === 0) return this.options.slicer.run(job, size);
    runAnswering(this.options.slicer, job, size);
  }

  private exportMetrics(body: Buffer, call: UnaryCall): void {
    const { metrics, store } = this.options;
    if (!metrics) return call.ok(exportResponse(true, 0, 'metrics are not kept by this collector'));
    store.counters.requests++;
    this.run(() => {
      // Past its deadline or cancelled while it waited: the exporter retries, so nothing is kept.
      if (call.done) return;
      let points;
      try {
        points = decodeOtlpMetricsProto(body, store.decodeContext);
      } catch (e) {
        store.counters.rejectedRequests++;
        return call.fail(GrpcStatus.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
      }
      metrics.add(points);
      call.ok(Buffer.alloc(0));
    }, body.length);
  }

  private exportLogs(body: Buffer, call: UnaryCall): void {
    const { logs, store } = this.options;
    if (!logs) return call.ok(exportResponse(true, 0, 'log records are not kept by this collector'));
    store.counters.requests++;
    this.run(() => {
      if (call.done) return;
      let decoded;
      try {
        decoded = decodeOtlpLogsProto(body, store.decodeContext, logs.tables);
      } catch (e) {
        store.counters.rejectedRequests++;
        return call.fail(GrpcStatus.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
      }
      logs.add(decoded.records, decoded.rejected);
      call.ok(logsResponse(true, decoded.rejected, decoded.rejected ? `${decoded.rejected} log record(s) rejected; first: ${decoded.firstError}` : ''));
    }, body.length);
  }

  private exportTraces(received: Buffer, call: UnaryCall): void {
    const { store, slicer, decoders: pool } = this.options;
    const counters = store.counters;
    counters.requests++;
    const toWorker = !!pool?.available && (!!this.options.protobufOnWorkers || wantsWorker(slicer.pending, pool.inFlight));
    // A body from the session thread (its own ArrayBuffer) bound for a decode worker is copied once
    // into the pool's shared memory, which the worker reads in place (the pool would otherwise copy
    // it, and posting would copy it again).
    let body = received;
    if (toWorker && !(received.buffer instanceof SharedArrayBuffer)) {
      body = pool!.bodies.alloc(received.length);
      received.copy(body);
    }
    const refuse = (message: string): void => {
      counters.rejectedRequests++;
      call.fail(GrpcStatus.INVALID_ARGUMENT, message);
    };
    // A body in the pool's shared memory goes back to it once, when its records are made or it was
    // refused: the store copies what it keeps (and forwarding gets a copy: clients refuse views of
    // shared memory).
    const shared = body.buffer instanceof SharedArrayBuffer;
    let released = false;
    const release = (): void => {
      if (shared && !released && pool) pool.bodies.release(body);
      released = true;
    };
    // Rows straight from the span index (as over HTTP): no record per span.
    const keep = (batch: RowBatch): void => {
      const result = store.ingest(batch);
      if (spanCountOf(batch) > 0) this.options.onAccepted?.(shared ? Buffer.from(body) : body);
      // Invalid spans and spans refused for the memory bounds, told as the HTTP receiver tells them.
      call.ok(exportResponse(true, batch.rejected + result.refusedSpans, partialMessage(batch, result)));
    };
    const inPlace = (): void => {
      try {
        if (call.done) return;
        let batch: RowBatch;
        try {
          batch = decodeOtlpProtoRows(body, store.decodeContext);
        } catch (e) {
          refuse(e instanceof DecodeError ? e.message : `malformed body: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        keep(batch);
      } finally {
        release();
      }
    };
    const size = body.length;
    if (!toWorker) return this.run(inPlace, size);
    pool!.decode('proto', body).then(
      ({ response: r, dict }) =>
        this.run(() => {
          let batch: RowBatch;
          try {
            if (call.done) return;
            if (!r.ok) return refuse(r.message);
            try {
              batch = 'index' in r ? indexRows(r.index, body, dict, store.decodeContext) : packedRows(r.batch, store.decodeContext);
            } catch {
              return inPlace();
            }
            // The rows are read from the index (and the body) as they are stored: freed after.
            keep(batch);
            if ('index' in r) pool.releaseIndex(r.index);
          } finally {
            release();
          }
        }, size),
      () => this.run(inPlace, size),
    );
  }

  /** Stops accepting; calls in flight get a moment to finish, then are cancelled. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}
