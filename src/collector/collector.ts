import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DecodePool } from './ingest/decodePool';
import { defaultMaxInFlightBytes, InFlightBytes } from './ingest/inFlightBytes';
import { HeapGrowthLimit } from './store/heapGrowth';
import { garbageThresholdFor, HeapGarbageNotice } from './store/heapGarbage';
import { slabBytesFor } from './store/textSlabs';
import { BufferSink } from './store/largeText';
import { MemoryBudget } from './store/memoryBudget';
import { Forwarder, type ForwardOptions } from './forwarder';
import { OtlpGrpcReceiver } from './grpc/otlpGrpcReceiver';
import { LogStore } from './logs/logStore';
import { serveLogsApi } from './logs/logsApi';
import { receiveSignal } from './logs/otlpSignalReceiver';
import { MetricStore } from './metrics/metricStore';
import { receiveTraces } from './ingest/otlpHttpReceiver';
import { decodeLimits, type DecodeLimits } from './store/otlpValues';
import { serveReadApi } from './store/readApi';
import { guardRequest } from './ingest/requestGuards';
import { RunPersistence } from './runPersistence';
import { SignalPersistence } from './signalPersistence';
import { SpanStore } from './store/spanStore';
import { DEFAULT_MAX_BYTES } from './store/spanStoreTypes';
import { WorkSlicer } from './ingest/workSlicer';

export interface CollectorOptions {
  /** Always 127.0.0.1: the collector never listens on other interfaces. */
  host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Also serve OTLP/gRPC (TraceService, LogsService, MetricsService) on 127.0.0.1 at this port
   * (0: a free one). Default: no gRPC.
   */
  grpcPort?: number;
  /** Limit of a request body, compressed and decompressed (default 16 MiB). */
  maxBodyBytes?: number;
  /**
   * The one memory budget in bytes for spans, log records and metric points together (default
   * 256 MiB; the standalone command: 1 GiB). See memoryBudget.ts for the eviction order.
   */
  maxBytes?: number;
  /**
   * Most bytes of request bodies received and not yet stored, all OTLP/HTTP paths together
   * (default an eighth of the budget, 8–64 MiB); past it requests get 503 with Retry-After.
   */
  maxInFlightBytes?: number;
  /**
   * Let V8's heap grow past what is live by at most about `heapHeadroomBytes` before a full
   * collection (process-wide: `--heap-growing-percent`), so that evicted data does not pile up as
   * garbage up to twice the budget. Default off for the library; the standalone command and the
   * extension set it. See heapGrowth.ts.
   */
  limitHeapGrowth?: boolean;
  /** Most bytes one trace may take (default half the budget). */
  maxTraceBytes?: number;
  maxSpans?: number;
  maxTraces?: number;
  /** Idle time after which a trace without its root counts as finished, in ms (default 5,000). */
  idleMs?: number;
  /** Told once per kind, the first time spans are evicted, refused or truncated. */
  onFirstLoss?: (message: string) => void;
  /** Folder where finished traces are kept as OTLP JSON files and loaded from on start. */
  persistDir?: string;
  /** Most trace files kept in persistDir (default 200). */
  retention?: number;
  /** Most bytes of trace files kept in persistDir (default 1 GiB). */
  retentionBytes?: number;
  /** Trace files older than this are deleted, in ms (default 30 days; 0: no age limit). */
  retentionMs?: number;
  /** Also send every accepted batch to this OTLP/HTTP endpoint. */
  forward?: ForwardOptions;
  /** Browser origins allowed to send or read (default none: requests with an Origin are refused). */
  allowedOrigins?: string[];
  /** How often change events may fire (default 75 ms). */
  changeIntervalMs?: number;
  /**
   * Worker threads that decode OTLP/JSON request bodies (protobuf ones too with
   * `protobufOnWorkers`), so that the thread holding the store only unpacks and stores (default: 2
   * on a machine with 2 or more CPUs, else 0; 0 decodes in place).
   */
  decodeThreads?: number;
  /**
   * Decode every protobuf body on the workers as well. Default false: in place, and on a worker
   * only while bodies wait for this thread and a worker is idle — measured on 2 cores, that stored
   * protobuf ~8–12% faster than either all in place or all on workers (which used more CPU for no
   * gain). A host whose thread must stay free (VS Code's extension host) sets it.
   */
  protobufOnWorkers?: boolean;
  /** The decode worker's script (default: decodeWorker.js beside this module's bundle). */
  decodeWorkerPath?: string;
  /** The gRPC session thread's script (default: grpcSessionWorker.js beside this module's bundle). */
  grpcSessionWorkerPath?: string;
  /** Caps per attribute value, per span and on nesting (defaults: docs/otlp-fidelity.md). */
  decodeLimits?: Partial<DecodeLimits>;
  onWarning?: (message: string) => void;
}

/**
 * Decode threads when not configured: 2 wherever there is a second CPU. Measured on 2 cores with
 * the sender on the same machine, two workers stored OTLP/JSON 10–15% faster than decoding in
 * place (with ~35% more CPU in all: each body is packed in the worker and unpacked here) and
 * halved the store thread's p99 event-loop delay; one worker gained nothing in throughput.
 */
export function defaultDecodeThreads(): number {
  return availableParallelism() >= 2 ? 2 : 0;
}

/**
 * The local OTLP/HTTP collector: receiver, read API, store, persistence and forwarding on one
 * loopback port. Plain Node, no `vscode`.
 */
export class Collector {
  readonly store: SpanStore;
  /** Log records received on /v1/logs and gRPC LogsService, joined to spans by trace and span id. */
  readonly logs: LogStore;
  /** Metric points received on /v1/metrics and gRPC MetricsService: latest points per series. */
  readonly metrics: MetricStore;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly persistence: RunPersistence | undefined;
  /** Log records and metric points kept in the same folder as the traces. */
  private readonly signalFiles: SignalPersistence | undefined;
  private readonly forwarder: Forwarder | undefined;
  private readonly allowedOrigins: ReadonlySet<string>;
  private endpointUrl = '';
  private readonly slicer = new WorkSlicer();
  private readonly decoders: DecodePool;
  private grpc: OtlpGrpcReceiver | undefined;
  /** The one budget spans, log records and metric points share. */
  readonly budget: MemoryBudget;
  private readonly inFlight: InFlightBytes;
  private heapGrowth: HeapGrowthLimit | undefined;
  /** Where request bodies' pieces go once copied: freed at once, not left for the GC (largeText.ts). */
  private readonly copiedChunks = new BufferSink();

  constructor(private readonly options: CollectorOptions = {}) {
    this.budget = new MemoryBudget(Math.max(64 * 1024, options.maxBytes ?? DEFAULT_MAX_BYTES));
    this.inFlight = new InFlightBytes(options.maxInFlightBytes ?? defaultMaxInFlightBytes(this.budget.maxBytes));
    this.budget.inFlight = this.inFlight;
    this.store = new SpanStore({
      budget: this.budget,
      maxTraceBytes: options.maxTraceBytes,
      maxSpans: options.maxSpans,
      maxTraces: options.maxTraces,
      idleMs: options.idleMs,
      changeIntervalMs: options.changeIntervalMs,
      onFirstLoss: options.onFirstLoss,
    });
    this.store.decodeContext.limits = decodeLimits(options.decodeLimits);
    this.logs = new LogStore({ budget: this.budget });
    this.metrics = new MetricStore({ budget: this.budget });
    this.allowedOrigins = new Set(options.allowedOrigins ?? []);
    const warn = options.onWarning ?? (() => {});
    if (options.persistDir) this.persistence = new RunPersistence(this.store, {
        dir: options.persistDir,
        retention: options.retention,
        retentionBytes: options.retentionBytes,
        retentionMs: options.retentionMs,
        onWarning: warn,
      });
    if (options.persistDir) {
      this.signalFiles = new SignalPersistence(this.logs, this.metrics, this.store.decodeContext, {
        dir: options.persistDir,
        retention: options.retention,
        retentionBytes: options.retentionBytes,
        retentionMs: options.retentionMs,
        onWarning: warn,
        onError: () => this.store.counters.persistErrors++,
      });
    }
    if (options.forward) this.forwarder = new Forwarder(options.forward, this.store.counters, warn);
    this.decoders = new DecodePool(options.decodeWorkerPath ?? defaultWorkerPath(), options.decodeThreads ?? defaultDecodeThreads(), warn, this.store.decodeContext);
    this.decoders.largeBufferBytes = slabBytesFor(this.budget.maxBytes);
    this.store.recycleLargeBuffers = (buffer) => this.decoders.recycle(buffer);
  }

  /** `http://127.0.0.1:PORT` once started (append /v1/traces for the traces URL). */
  get endpoint(): string {
    return this.endpointUrl;
  }

  /** `127.0.0.1:PORT` of the OTLP/gRPC receiver once started ('' without gRPC). */
  get grpcAddress(): string {
    return this.grpc?.address ?? '';
  }

  async start(): Promise<{ endpoint: string }> {
    if (this.server) return { endpoint: this.endpointUrl };
    if (this.options.limitHeapGrowth && !this.heapGrowth) this.heapGrowth = new HeapGrowthLimit(this.budget.maxBytes);
    // Evicted spans are garbage V8 cannot know of: told once enough piled up (heapGarbage.ts).
    this.budget.garbage ??= new HeapGarbageNotice({ thresholdBytes: garbageThresholdFor(this.budget.maxBytes) });
    if (this.persistence) {
      try {
        await this.persistence.load();
      } catch (e) {
        this.options.onWarning?.(`could not load persisted runs: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.persistence.start();
    }
    if (this.signalFiles) {
      try {
        await this.signalFiles.load();
      } catch (e) {
        this.options.onWarning?.(`could not load persisted logs and metrics: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.signalFiles.start();
    }
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (this.options.grpcPort !== undefined) {
      try {
        this.grpc ??= new OtlpGrpcReceiver({
          port: this.options.grpcPort,
          maxMessageBytes: this.options.maxBodyBytes ?? 16 * 1024 * 1024,
          store: this.store,
          slicer: this.slicer,
          logs: this.logs,
          metrics: this.metrics,
          decoders: this.decoders,
          protobufOnWorkers: this.options.protobufOnWorkers,
          inFlight: this.inFlight,
          // HTTP/2 on a thread of its own: this thread gets whole messages (grpcSessionWorker.ts).
          sessionWorkerPath: this.options.grpcSessionWorkerPath ?? defaultGrpcSessionWorkerPath(),
          onWarning: this.options.onWarning,
          onAccepted: this.forwarder ? (body) => this.forwarder!.enqueue({ body, contentType: 'application/x-protobuf', contentEncoding: undefined }) : undefined,
        });
        await this.grpc.start();
      } catch (e) {
        this.server = undefined;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw new GrpcStartError(e);
      }
    }
    return { endpoint: this.endpointUrl };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const refused = guardRequest(req, this.allowedOrigins);
      if (refused) {
        req.resume();
        this.store.counters.rejectedRequests++;
        return void sendText(res, 403, refused);
      }
      const origin = req.headers.origin;
      if (origin) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/v1/traces') {
        if (req.method === 'POST') {
          return receiveTraces(req, res, this.store, {
            maxBodyBytes: this.options.maxBodyBytes ?? 16 * 1024 * 1024,
            onAccepted: this.forwarder ? (b) => this.forwarder!.enqueue(b) : undefined,
            slicer: this.slicer,
            decoders: this.decoders,
            protobufOnWorkers: this.options.protobufOnWorkers,
            inFlight: this.inFlight,
            copiedChunks: this.copiedChunks,
          });
        }
        return refuseNonPost(req, res, origin !== undefined && origin !== '');
      }
      if (url.pathname === '/v1/logs' || url.pathname === '/v1/metrics') {
        if (req.method === 'POST') {
          return receiveSignal(url.pathname === '/v1/logs' ? 'logs' : 'metrics', req, res, {
            maxBodyBytes: this.options.maxBodyBytes ?? 16 * 1024 * 1024,
            slicer: this.slicer,
            decodeContext: this.store.decodeContext,
            logs: this.logs,
            metrics: this.metrics,
            counters: this.store.counters,
            inFlight: this.inFlight,
          });
        }
        return refuseNonPost(req, res, origin !== undefined && origin !== '');
      }
      if (url.pathname.startsWith('/api/')) {
        req.resume();
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.setHeader('Allow', 'GET');
          return void sendText(res, 405, 'the read API is GET only');
        }
        if (serveLogsApi(url, res, this.logs, this.metrics) || serveReadApi(url, res, this.store)) return;
      }
      req.resume();
      sendText(res, 404, 'not found');
    } catch (e) {
      if (!res.headersSent) sendText(res, 500, e instanceof Error ? e.message : String(e));
      else res.destroy();
    }
  }

  /**
   * The longest the receiving work (decoding in place, unpacking, storing) held the event loop in
   * one piece since the last call, in ms.
   */
  takeLongestSliceMs(): number {
    return this.slicer.takeLongestSliceMs();
  }

  /** Removes a run from the store and its file from the persist folder. */
  async deleteRun(traceId: string): Promise<boolean> {
    const had = this.store.deleteTrace(traceId);
    await this.persistence?.remove(traceId.toLowerCase());
    return had;
  }

  /** Waits until forwarded batches are sent (or the timeout passes). */
  async drainForwarding(timeoutMs?: number): Promise<void> {
    await this.forwarder?.drain(timeoutMs);
  }

  /** Stops listening, writes pending runs, stops forwarding. Idempotent. */
  async stop(): Promise<void> {
    await this.grpc?.stop();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          for (const s of this.sockets) s.destroy();
        }, 1000).unref();
      });
    }
    if (this.persistence) {
      await this.persistence.flush();
      this.persistence.dispose();
    }
    if (this.signalFiles) {
      await this.signalFiles.flush();
      this.signalFiles.dispose();
    }
    this.forwarder?.stop();
    this.decoders.dispose();
    this.store.dispose();
    this.heapGrowth?.dispose();
    this.heapGrowth = undefined;
    this.budget.garbage?.dispose();
    this.budget.garbage = undefined;
  }
}

function sendText(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(JSON.stringify({ error: message }));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** An OTLP path asked with another method than POST: a CORS preflight gets its answer, the rest 405. */
function refuseNonPost(req: IncomingMessage, res: ServerResponse, withOrigin: boolean): void {
  if (req.method === 'OPTIONS' && withOrigin) {
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Content-Encoding');
    res.statusCode = 204;
    res.end();
    return;
  }
  req.resume();
  res.setHeader('Allow', 'POST');
  sendText(res, 405, 'use POST');
}

/** Bundled (dist/), the worker sits beside this module; compiled file by file (tests), under ingest/. */
function defaultWorkerPath(): string {
  const beside = join(__dirname, 'decodeWorker.js');
  return existsSync(beside) ? beside : join(__dirname, 'ingest', 'decodeWorker.js');
}

/** As `defaultWorkerPath`, for the gRPC session thread (under grpc/ when compiled file by file). */
function defaultGrpcSessionWorkerPath(): string {
  const beside = join(__dirname, 'grpcSessionWorker.js');
  return existsSync(beside) ? beside : join(__dirname, 'grpc', 'grpcSessionWorker.js');
}

/** `Collector.start` failed at the OTLP/gRPC receiver (its port taken, its session thread not started); the HTTP one was closed again. */
export class GrpcStartError extends Error {
  constructor(cause: unknown) {
    super(`OTLP/gRPC: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'GrpcStartError';
  }
}
