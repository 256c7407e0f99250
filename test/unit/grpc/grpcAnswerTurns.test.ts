// An OK answer's status (its trailers) must be on the wire before the receiver's next job runs: the
// client waits for the status, and a job is ~1–2 ms of a 512-span body. The client runs in a worker
// thread (its own event loop), so it reads the answer while this thread is busy in the next job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { GrpcUnaryServer } from '../../../src/collector/grpc/grpcUnaryServer';
import { runAnswering } from '../../../src/collector/grpc/otlpGrpcReceiver';
import { WorkSlicer } from '../../../src/collector/ingest/workSlicer';

const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** How long the next job waits for the client at most: a bound for a broken run, not a measurement. */
const GIVE_UP_MS = 10_000;

// The client: one call; sets flag[0] to 1 when the status trailers arrive (2 for any other end).
const CLIENT = `
const { connect } = require('node:http2');
const { workerData, parentPort } = require('node:worker_threads');
const flag = new Int32Array(workerData.flag);
const session = connect('http://127.0.0.1:' + workerData.port);
session.on('error', () => {});
const req = session.request({ ':method': 'POST', ':path': workerData.path, 'content-type': 'application/grpc', te: 'trailers' });
let status;
req.on('trailers', (t) => { status = t['grpc-status']; Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });
req.on('data', () => {});
req.on('error', () => {});
req.on('close', () => { if (Atomics.load(flag, 0) === 0) Atomics.store(flag, 0, 2); parentPort.postMessage(String(status)); session.close(); });
req.end(Buffer.from([0, 0, 0, 0, 1, 0x0a]));
`;

test('OTLP/gRPC: an OK answer, status trailers included, leaves before the receiver runs its next job (node:http2 needs two event-loop turns for it)', async () => {
  const slicer = new WorkSlicer();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let seenByNextJob = -1;
  const server = new GrpcUnaryServer({
    port: 0,
    maxMessageBytes: 1024,
    methods: new Map([
      [
        PATH,
        {
          handle: (_message, call) => {
            // Job A answers; job B is the next body's work, which holds this thread until the client
            // has the status (or gives up).
            runAnswering(slicer, () => call.ok(Buffer.alloc(0)), 1);
            runAnswering(
              slicer,
              () => {
                Atomics.wait(flag, 0, 0, GIVE_UP_MS);
                seenByNextJob = Atomics.load(flag, 0);
              },
              1,
            );
          },
        },
      ],
    ]),
  });
  const port = await server.start();
  const worker = new Worker(CLIENT, { eval: true, workerData: { port, path: PATH, flag: flag.buffer } });
  try {
    const status = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.equal(status, '0', 'answered OK');
    assert.equal(seenByNextJob, 1, 'the client had the status trailers while the next job ran');
  } finally {
    await worker.terminate();
    await server.stop();
    slicer.dispose();
  }
});
