import * as grpc from '@grpc/grpc-js';
import { DecodeError, type DecodedBatch } from '../decodedBatch';
import { decodeOtlpProto } from '../otlpProtoDecoder';
import { exportResponse } from '../otlpResponse';
import type { SpanStore } from '../spanStore';
import type { WorkSlicer } from '../workSlicer';

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
 * invalid spans are counted in partialSuccess. LogsService and MetricsService answer
 * partialSuccess saying their data is not kept (so SDKs that send all three signals by default get
 * no errors, and are told).
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
    });
    server.addService(TRACE_SERVICE, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => this.exportTraces(call.request, cb) });
    server.addService(LOGS_SERVICE, { Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, exportResponse(true, 0, 'log records are not kept by this collector (only traces)')) });
    server.addService(METRICS_SERVICE, { Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, exportResponse(true, 0, 'metrics are not kept by this collector (only traces)')) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.options.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.server = server;
    this.addressValue = `127.0.0.1:${port}`;
    return this.addressValue;
  }

  private exportTraces(body: Buffer, cb: grpc.sendUnaryData<Buffer>): void {
    const { store, slicer } = this.options;
    const counters = store.counters;
    counters.requests++;
    slicer.run(() => {
      let batch: DecodedBatch;
      try {
        batch = decodeOtlpProto(body, store.decodeContext);
      } catch (e) {
        counters.rejectedRequests++;
        const message = e instanceof DecodeError ? e.message : `malformed body: ${e instanceof Error ? e.message : String(e)}`;
        cb({ code: grpc.status.INVALID_ARGUMENT, details: message });
        return;
      }
      store.ingest(batch);
      if (batch.spans.length > 0) this.options.onAccepted?.(body);
      cb(null, exportResponse(true, batch.rejected, batch.rejected ? `${batch.rejected} span(s) rejected; first: ${batch.firstError}` : ''));
    });
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
