// The load process: sends 512-span bodies (real OTel serializers, see bodies.ts) to a collector over
// keep-alive connections and prints one JSON line with what it measured.
// argv[2]: JSON {endpoint, format: 'json'|'proto'|'grpc', requests, warmup, concurrency, templates}
// ('grpc': protobuf bodies to TraceService/Export at endpoint `127.0.0.1:PORT`, over `channels` HTTP/2
// connections, default 1 as the official exporter uses; each sender keeps to one of them. The client
// is grpc-js's, the official exporters' transport; `grpcClient: 'http2'` sends the same bodies as
// pre-framed gRPC messages on node:http2 streams instead, as the HTTP load posts pre-encoded bodies.)
import { Agent, request } from 'node:http';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { jsonBody, makeTemplates, protoBody, SPANS_PER_BODY } from './bodies';

interface LoadOptions {
  endpoint: string;
  format: 'json' | 'proto' | 'grpc';
  requests: number;
  warmup: number;
  concurrency: number;
  templates: number;
  /** First request number (tags must not repeat across runs against one server). */
  offset?: number;
  /** gRPC: HTTP/2 connections (own subchannel pools), shared out among the concurrent senders. */
  channels?: number;
  /** gRPC: grpc-js's client (default) or a lean one on node:http2. */
  grpcClient?: 'grpc-js' | 'http2';
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** A gRPC length-prefixed message (uncompressed), written here rather than taken from the server's code. */
function grpcFrame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/**
 * One unary call on a node:http2 session: the framed request, then the status from the trailers (or
 * from the headers of a trailers-only answer); 200 for OK, 1000 + the gRPC status otherwise.
 * `statusWaits` gets the ms from the answer's headers to its trailers (the status the client waits for).
 */
function leanCall(session: ClientHttp2Session, framed: Buffer, statusWaits: number[]): Promise<number> {
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
    let status: string | undefined;
    let headersAt = 0;
    stream.on('response', (h) => {
      headersAt = performance.now();
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    stream.on('trailers', (t) => {
      statusWaits.push(performance.now() - headersAt);
      status = String(t['grpc-status']);
    });
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('close', () => resolve(status === '0' ? 200 : 1000 + (status === undefined ? 2 : Number(status))));
    stream.end(framed);
  });
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as LoadOptions;
  const templates = makeTemplates(o.templates);
  const url = o.format === 'grpc' ? undefined : new URL('/v1/traces', o.endpoint);
  const lean = o.format === 'grpc' && o.grpcClient === 'http2';
  const sessions = lean ? Array.from({ length: Math.max(1, o.channels ?? 1) }, () => connectHttp2(`http://${o.endpoint}`).on('error', () => {})) : [];
  const clients =
    o.format === 'grpc' && !lean
      ? Array.from({ length: Math.max(1, o.channels ?? 1) }, () => new grpc.Client(o.endpoint, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024, 'grpc.use_local_subchannel_pool': 1 }))
      : [];
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const contentType = o.format === 'json' ? 'application/json' : 'application/x-protobuf';
  const make = o.format === 'json' ? jsonBody : protoBody;
  // Bodies are made ahead of time so the load process spends its time sending.
  const total = o.warmup + o.requests;
  const offset = o.offset ?? 0;
  const bodies: Buffer[] = [];
  for (let i = 0; i < total; i++) bodies.push(make(templates, offset + i));
  // The lean client's messages are framed ahead too (grpc-js frames each one as it sends it).
  const framed = lean ? bodies.map(grpcFrame) : [];
  const postGrpc = (body: Buffer, sender: number): Promise<number> =>
    new Promise((resolve) => {
      clients[sender % clients.length]!.makeUnaryRequest(
        EXPORT_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        (err) => resolve(err ? 1000 + err.code : 200),
      );
    });
  const postHttp = (body: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(url!, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const statusWaits: number[] = [];
  const post: (body: Buffer, sender: number, i: number) => Promise<number> = lean ? (_body, sender, i) => leanCall(sessions[sender % sessions.length]!, framed[i]!, statusWaits) : clients.length ? postGrpc : postHttp;
  let next = 0;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const worker = async (sender: number, limit: number, record: boolean): Promise<void> => {
    while (next < limit) {
      const i = next++;
      const t = performance.now();
      const status = await post(bodies[i]!, sender, i);
      if (record) latencies.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, i) => worker(i, o.warmup, false)));
  statusWaits.length = 0;
  // Tell the bench we are warm (it notes the collector's CPU time) and wait for its go.
  if (process.send) {
    await new Promise<void>((resolve) => {
      process.once('message', () => resolve());
      process.send!({ type: 'warm' });
    });
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: o.concurrency }, (_, i) => worker(i, total, true)));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  const bytes = bodies.slice(o.warmup).reduce((n, b) => n + b.length, 0);
  agent.destroy();
  for (const c of clients) c.close();
  for (const s of sessions) s.close();
  process.disconnect?.();
  process.stdout.write(
    JSON.stringify({
      sentSpans: total * SPANS_PER_BODY,
      measuredSpans: o.requests * SPANS_PER_BODY,
      elapsedMs,
      // CPU time of this process (all its threads) while measuring, in ms.
      cpuMs: (cpu.user + cpu.system) / 1000,
      spansPerSec: (o.requests * SPANS_PER_BODY) / (elapsedMs / 1000),
      bytesPerSpan: bytes / (o.requests * SPANS_PER_BODY),
      p50Ms: pct(50),
      p99Ms: pct(99),
      // Lean gRPC client only: median ms from an answer's headers to its status trailers.
      statusWaitP50Ms: statusWaits.length ? statusWaits.sort((a, b) => a - b)[statusWaits.length >> 1] : undefined,
      statuses,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`load: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
