import * as grpc from '@grpc/grpc-js';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { DecodeError, type DecodedBatch } from '../store/decodedBatch';
import { decodeOtlpProto } from '../ingest/otlpProtoDecoder';
import { partialMessage } from '../ingest/otlpHttpReceiver';
import { exportResponse } from '../ingest/otlpResponse';
import type { DecodePool } from '../ingest/decodePool';
import type { InFlightBytes } from '../ingest/inFlightBytes';
import type { LogStore } from '../logs/logStore';
import { decodeOtlpLogsProto } from '../logs/otlpLogsDecoder';
import { logsResponse } from '../logs/otlpSignalReceiver';
import type { MetricStore } from '../metrics/metricStore';
import { decodeOtlpMetricsProto } from '../metrics/otlpMetricsDecoder';
import { materialize } from '../ingest/spanIndex';
import { unpackBatch } from '../ingest/packedBatch';
import type { SpanStore } from '../store/spanStore';
import type { WorkSlicer } from '../ingest/workSlicer';

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
}

/** Receive window per connection and per stream: a whole 16 MiB request in flight without stalls. */
const WINDOW_BYTES = 32 * 1024 * 1024;

/**
 * grpc-js (1.14) serves with HTTP/2's default 64 KiB receive window and offers no option for it, so
 * a 200 KB export waits for several WINDOW_UPDATE round trips. Its HTTP/2 servers are reached
 * through a private field; if that ever changes this does nothing (only slower, never wrong).
 */
function widenFlowControl(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h2 of servers.keys()) {
    if (typeof (h2 as Partial<Http2Server>).on !== 'function') continue;
    h2.on('session', (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(WINDOW_BYTES);
        session.settings({ initialWindowSize: Math.min(WINDOW_BYTES, 2 ** 31 - 1) });
      } catch {
        /* a closing session */
      }
    });
  }
}

/** Bodies pass through untouched: our own protobuf decoder reads them (no generated code). */
const raw = (b: Buffer): Buffer => b;

function unary(service: string): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/opentelemetry.proto.collector.${service}/Export`,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
    originalName: 'export',
  };
}

const TRACE_SERVICE = { Export: unary('trace.v1.TraceService') };
const LOGS_SERVICE = { Export: unary('logs.v1.LogsService') };
const METRICS_SERVICE = { Export: unary('metrics.v1.MetricsService') };

/**
 * OTLP/gRPC on loopback: TraceService/Export stores spans as the HTTP receiver does (same decoder,
 * same store, same limits); a body that does not decode is refused whole with INVALID_ARGUMENT;
 * invalid spans are counted in partialSuccess. LogsService and MetricsService store log records
 * and metric points (in the stores given; without them they answer partialSuccess saying so).
 */
export class OtlpGrpcReceiver {
  private server: grpc.Server | undefined;
  private addressValue = '';

  constructor(private readonly options: GrpcReceiverOptions) {}

  /** `127.0.0.1:PORT` once started (what OTEL_EXPORTER_OTLP_ENDPOINT takes as http://127.0.0.1:PORT). */
  get address(): string {
    return this.addressValue;
  }

  async start(): Promise<string> {
    if (this.server) return this.addressValue;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.max_send_message_length': 1024 * 1024,
      // Channelz keeps per-call counters and trace events for a debugging service we never expose.
      'grpc.enable_channelz': 0,
    });
    server.addService(TRACE_SERVICE, { Export: this.gated((body, cb) => this.exportTraces(body, cb)) });
    server.addService(LOGS_SERVICE, { Export: this.gated((body, cb) => this.exportLogs(body, cb)) });
    server.addService(METRICS_SERVICE, { Export: this.gated((body, cb) => this.exportMetrics(body, cb)) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.options.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    widenFlowControl(server);
    this.server = server;
    this.addressValue = `127.0.0.1:${port}`;
    return this.addressValue;
  }

  /**
   * A call's message counts as in flight until it is answered; past the bound it is refused with
   * UNAVAILABLE (which OTLP exporters retry) and nothing of it is stored.
   */
  private gated(handle: (body: Buffer, cb: grpc.sendUnaryData<Buffer>) => void): (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void {
    return (call, cb) => {
      const inFlight = this.options.inFlight;
      const hold = inFlight?.hold();
      if (hold && !hold.reserve(call.request.length)) {
        return cb({ code: grpc.status.UNAVAILABLE, details: `the collector is busy storing earlier requests (${inFlight!.maxBytes} bytes in flight): retry later` });
      }
      handle(call.request, (err, value) => {
        hold?.release();
        cb(err, value);
      });
    };
  }

  private exportMetrics(body: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    const { metrics, store, slicer } = this.options;
    if (!metrics) return cb(null, exportResponse(true, 0, 'metrics are not kept by this collector'));
    store.counters.requests++;
    slicer.run(() => {
      let points;
      try {
        points = decodeOtlpMetricsProto(body, store.decodeContext);
      } catch (e) {
        store.counters.rejectedRequests++;
        return cb({ code: grpc.status.INVALID_ARGUMENT, details: e instanceof Error ? e.message : String(e) });
      }
      metrics.add(points);
      cb(null, Buffer.alloc(0));
    });
  }

  private exportLogs(body: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    const { logs, store, slicer } = this.options;
    if (!logs) return cb(null, exportResponse(true, 0, 'log records are not kept by this collector'));
    store.counters.requests++;
    slicer.run(() => {
      let decoded;
      try {
        decoded = decodeOtlpLogsProto(body, store.decodeContext, logs.tables);
      } catch (e) {
        store.counters.rejectedRequests++;
        return cb({ code: grpc.status.INVALID_ARGUMENT, details: e instanceof Error ? e.message : String(e) });
      }
      logs.add(decoded.records, decoded.rejected);
      cb(null, logsResponse(true, decoded.rejected, decoded.rejected ? `${decoded.rejected} log record(s) rejected; first: ${decoded.firstError}` : ''));
    });
  }

  private exportTraces(body: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    const { store, slicer, decoders: pool } = this.options;
    const counters = store.counters;
    counters.requests++;
    const refuse = (message: string): void => {
      counters.rejectedRequests++;
      cb({ code: grpc.status.INVALID_ARGUMENT, details: message });
    };
    const keep = (batch: DecodedBatch): void => {
      const result = store.ingest(batch);
      if (batch.spans.length > 0) this.options.onAccepted?.(body);
      // Invalid spans and spans refused for the memory bounds, told as the HTTP receiver tells them.
      cb(null, exportResponse(true, batch.rejected + result.refusedSpans, partialMessage(batch, result)));
    };
    const inPlace = (): void => {
      let batch: DecodedBatch;
      try {
        batch = decodeOtlpProto(body, store.decodeContext);
      } catch (e) {
        refuse(e instanceof DecodeError ? e.message : `malformed body: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      keep(batch);
    };
    // The same choice as the HTTP receiver's for protobuf (measured there): in place, unless bodies
    // already wait for this thread and a worker has nothing in hand.
    if (!pool?.available || !(this.options.protobufOnWorkers || (slicer.pending > 0 && pool.inFlight === 0))) return slicer.run(inPlace);
    pool.decode('proto', body).then(
      ({ response: r, dict }) =>
        slicer.run(() => {
          if (!r.ok) return refuse(r.message);
          let batch: DecodedBatch;
          try {
            batch = 'index' in r ? materialize(r.index, body, dict, store.decodeContext) : unpackBatch(r.batch, store.decodeContext);
          } catch {
            return inPlace();
          }
          keep(batch);
        }),
      () => slicer.run(inPlace),
    );
  }

  /** Stops accepting; calls in flight get a moment to finish, then are cancelled. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1000);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
