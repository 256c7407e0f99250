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

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Queues an answering job of a 1-byte body; resolves once it has run. */
function answered(slicer: WorkSlicer, job: () => void): Promise<void> {
  return new Promise((resolve) =>
    runAnswering(
      slicer,
      () => {
        job();
        resolve();
      },
      1,
    ),
  );
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await nextTurn();
}

test('OTLP/gRPC: the turns an answer needs are counted from its job — a body arriving once they have passed runs in its own turn, not one later', async () => {
  const slicer = new WorkSlicer();
  const seen: string[] = [];
  try {
    await answered(slicer, () => seen.push('a'));
    // The answer's two turns, and more, pass with nothing queued (a quiet collector between bodies).
    for (let i = 0; i < 4; i++) await nextTurn();
    await new Promise<void>((resolve) => {
      runAnswering(slicer, () => seen.push('b'), 1);
      // Queued after b's job in the same turn: b comes first unless the slicer still waits a turn
      // left over from a's answer.
      setImmediate(() => {
        seen.push('same turn');
        setImmediate(resolve);
      });
    });
    assert.deepEqual(seen, ['a', 'b', 'same turn']);
  } finally {
    slicer.dispose();
  }
});

test('OTLP/gRPC: a body arriving while an answer\'s turns are still passing waits for them, though nothing was queued when the answering job ended', async () => {
  const slicer = new WorkSlicer();
  const seen: string[] = [];
  try {
    let bRan: Promise<void> | undefined;
    await answered(slicer, () => {
      seen.push('a');
      // node:http2's two steps for the answer, and the next body arriving in between.
      setImmediate(() => {
        seen.push('turn 1');
        bRan = answered(slicer, () => seen.push('b'));
        setImmediate(() => seen.push('turn 2'));
      });
    });
    await until(() => bRan !== undefined);
    await bRan;
    assert.deepEqual(seen, ['a', 'turn 1', 'turn 2', 'b']);
  } finally {
    slicer.dispose();
  }
});
