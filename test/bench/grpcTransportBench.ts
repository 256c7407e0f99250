// The receiving transport alone, no decoding: CPU per 200 KB body of a server process that reads
// each request whole and answers it, node's HTTP/1.1 server (reading as the OTLP/HTTP receiver does:
// chunks, one Buffer.concat) against our gRPC server (GrpcUnaryServer, the handler answering OK at
// once), each fed from a client process: node's HTTP client, a lean node:http2 client (pre-framed
// messages) and grpc-js's client. Rounds alternate the order; prints medians of CPU ms per body of
// the server and of the client, and the ratio gRPC server / HTTP server (lean client; ≤ 1.0 means
// the gRPC transport costs the collector no more than HTTP/1.1's). Not a goal of its own: it says
// where bench:grpc's collector CPU goes.
// Run: node esbuild.mjs --tests && node out/test/bench/grpcTransportBench.js [--bodies N] [--rounds N]
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { GrpcUnaryServer } from '../../src/collector/grpc/grpcUnaryServer';

type Client = 'http' | 'lean' | 'grpc-js';
const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const BODY_BYTES = 200_000;
const CONCURRENCY = 4;
const WARMUP = 50;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Math.max(1, Number(process.argv[i + 1]) || dflt) : dflt;
};

async function serve(kind: 'http' | 'grpc'): Promise<void> {
  let port: number;
  if (kind === 'http') {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
      });
      req.on('end', () => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        res.statusCode = body.length === BODY_BYTES ? 200 : 400;
        res.setHeader('Content-Type', 'application/x-protobuf');
        res.setHeader('Content-Length', 0);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  } else {
    const server = new GrpcUnaryServer({ port: 0, maxMessageBytes: 16 * 1024 * 1024, methods: new Map([[PATH, { handle: (m, call) => (m.length === BODY_BYTES ? call.ok(Buffer.alloc(0)) : call.fail(3, 'length')) }]]) });
    port = await server.start();
  }
  process.on('message', () => process.send!({ cpu: process.cpuUsage() }));
  process.send!({ port });
}

function frame(m: Buffer): Buffer {
  const out = Buffer.alloc(5 + m.length);
  out.writeUInt32BE(m.length, 1);
  m.copy(out, 5);
  return out;
}

async function send(client: Client, port: number, bodies: number): Promise<void> {
  const payloads = Array.from({ length: 16 }, (_, i) => Buffer.alloc(BODY_BYTES, i));
  const framed = payloads.map(frame);
  let call: (i: number) => Promise<boolean>;
  let close: () => void;
  if (client === 'http') {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    call = (i) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': BODY_BYTES } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', reject);
        req.end(payloads[i % 16]);
      });
    close = () => agent.destroy();
  } else if (client === 'lean') {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    call = (i) =>
      new Promise((resolve) => {
        const s = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
        let status: unknown;
        s.on('trailers', (t) => (status = t['grpc-status']));
        s.on('data', () => {});
        s.on('error', () => {});
        s.on('close', () => resolve(status === '0'));
        s.end(framed[i % 16]);
      });
    close = () => session.close();
  } else {
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    call = (i) => new Promise((resolve) => c.makeUnaryRequest(PATH, (b: Buffer) => b, (b: Buffer) => b, payloads[i % 16]!, (err) => resolve(!err)));
    close = () => c.close();
  }
  let next = 0;
  let failed = 0;
  const worker = async (limit: number): Promise<void> => {
    while (next < limit) if (!(await call(next++))) failed++;
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(WARMUP)));
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send!({ warm: true });
  });
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(WARMUP + bodies)));
  const c = process.cpuUsage(c0);
  close();
  process.send!({ cpuMs: (c.user + c.system) / 1000, failed });
  process.disconnect();
}

const ms = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

async function measure(client: Client, bodies: number): Promise<{ server: number; client: number }> {
  const server = fork(__filename, ['--serve', client === 'http' ? 'http' : 'grpc']);
  const { port } = await new Promise<{ port: number }>((r) => server.once('message', r as (m: unknown) => void));
  const cpu = (): Promise<number> =>
    new Promise((r) => {
      server.once('message', (m: { cpu: NodeJS.CpuUsage }) => r(ms(m.cpu)));
      server.send('cpu');
    });
  const sender = fork(__filename, ['--send', client, String(port), String(bodies)]);
  let s0 = 0;
  const done = await new Promise<{ cpuMs: number; failed: number }>((resolve) =>
    sender.on('message', (m: { warm?: boolean; cpuMs: number; failed: number }) => {
      if (m.warm)
        void cpu().then((t) => {
          s0 = t;
          sender.send('go');
        });
      else resolve(m);
    }),
  );
  const s1 = await cpu();
  server.kill();
  if (done.failed) throw new Error(`${client}: ${done.failed} calls failed`);
  return { server: (s1 - s0) / bodies, client: done.cpuMs / bodies };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const bodies = arg('--bodies', 1500);
  const rounds = arg('--rounds', 4);
  const clients: Client[] = ['http', 'lean', 'grpc-js'];
  const got: Record<Client, { server: number[]; client: number[] }> = { http: { server: [], client: [] }, lean: { server: [], client: [] }, 'grpc-js': { server: [], client: [] } };
  for (let i = 0; i < rounds; i++) {
    for (const c of i % 2 === 0 ? clients : [...clients].reverse()) {
      const r = await measure(c, bodies);
      got[c].server.push(r.server);
      got[c].client.push(r.client);
      process.stderr.write(`  ${c.padEnd(7)} server ${r.server.toFixed(3)} ms/body, client ${r.client.toFixed(3)} ms/body\n`);
    }
  }
  const m = (c: Client, k: 'server' | 'client'): number => median(got[c][k]);
  process.stderr.write(`CPU ms per ${BODY_BYTES / 1000} KB body, medians of ${rounds} rounds of ${bodies} (server / client): HTTP/1.1 ${m('http', 'server').toFixed(3)} / ${m('http', 'client').toFixed(3)}; gRPC lean ${m('lean', 'server').toFixed(3)} / ${m('lean', 'client').toFixed(3)}; gRPC grpc-js ${m('grpc-js', 'server').toFixed(3)} / ${m('grpc-js', 'client').toFixed(3)}\n`);
  process.stderr.write(`gRPC server / HTTP server: ${(m('lean', 'server') / m('http', 'server')).toFixed(2)}× (lean client), ${(m('grpc-js', 'server') / m('http', 'server')).toFixed(2)}× (grpc-js client)\n`);
}

const role = process.argv[2];
const run = role === '--serve' ? serve(process.argv[3] as 'http' | 'grpc') : role === '--send' ? send(process.argv[3] as Client, Number(process.argv[4]), Number(process.argv[5])) : main();
run.catch((e: unknown) => {
  process.stderr.write(`grpcTransportBench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
