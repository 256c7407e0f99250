import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkSlicer } from '../../../src/collector/ingest/workSlicer';

test('work slicer: jobs run in order, one slice at a time, and a throwing job does not stall the rest', async () => {
  const slicer = new WorkSlicer(0); // budget 0: one job per slice, a loop turn between jobs
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    slicer.run(() => {
      seen.push(`a:${slicer.pending}`);
    });
    slicer.run(() => {
      throw new Error('boom');
    });
    slicer.run(() => {
      seen.push(`c:${slicer.pending}`);
      resolve();
    });
  });
  // While job a ran, b and c were still waiting: the slicer yielded between them.
  assert.deepEqual(seen, ['a:2', 'c:0']);
  assert.equal(slicer.pending, 0);
});

test('work slicer: reports the longest slice since it was last asked, a job longer than the budget included', async () => {
  const slicer = new WorkSlicer(8);
  assert.equal(slicer.takeLongestSliceMs(), 0);
  await new Promise<void>((resolve) => {
    slicer.run(() => {
      const until = performance.now() + 15;
      while (performance.now() < until) {
        // holds the loop for 15 ms, past the 8 ms budget
      }
      resolve();
    });
  });
  assert.ok(slicer.takeLongestSliceMs() >= 15);
  assert.equal(slicer.takeLongestSliceMs(), 0, 'reset by the read');
});

test('work slicer: jobs of large bodies wait behind smaller ones, in order among themselves', async () => {
  const slicer = new WorkSlicer(1000);
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    slicer.run(() => seen.push('big 1'), 1024 * 1024);
    slicer.run(() => seen.push('small 1'), 500);
    slicer.run(() => seen.push('big 2'), 300 * 1024);
    slicer.run(() => seen.push('small 2'));
    assert.equal(slicer.pending, 4);
    slicer.run(() => resolve(), 2 * 1024 * 1024);
  });
  assert.deepEqual(seen, ['small 1', 'small 2', 'big 1', 'big 2']);
  assert.equal(slicer.pending, 0);
});

test('work slicer: one large body\'s job a slice, so that what arrives meanwhile (a small body) is queued before the next large one', async () => {
  const slicer = new WorkSlicer(60_000);
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    slicer.run(() => {
      seen.push('big 1');
      // A small body's decode answer arriving while the first large job runs.
      setImmediate(() => slicer.run(() => seen.push('small')));
    }, 1024 * 1024);
    slicer.run(() => seen.push('big 2'), 1024 * 1024);
    slicer.run(() => {
      seen.push('big 3');
      resolve();
    }, 1024 * 1024);
  });
  assert.deepEqual(seen, ['big 1', 'small', 'big 2', 'big 3']);
});

test('work slicer: a job that asks to end the slice lets the event loop turn before the next job, whatever the budget', async () => {
  const order = async (endSlice: boolean): Promise<string[]> => {
    const slicer = new WorkSlicer(60_000);
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      slicer.run(() => {
        seen.push('a');
        // What a later loop turn does (node:http2 sends an answer's frames from an immediate).
        setImmediate(() => seen.push('turn'));
        if (endSlice) slicer.endSliceAfterJob();
      });
      slicer.run(() => seen.push('b'));
      slicer.run(() => {
        seen.push('c');
        setImmediate(resolve);
      });
    });
    return seen;
  };
  assert.deepEqual(await order(false), ['a', 'b', 'c', 'turn'], 'one slice within the budget');
  assert.deepEqual(await order(true), ['a', 'turn', 'b', 'c'], 'the slice ended after a; b and c in the next one');
});

test('work slicer: a job can ask for more than one turn to begin before the next slice (an OK gRPC answer\'s trailers leave two turns after the job)', async () => {
  const order = async (turns: number): Promise<string[]> => {
    const slicer = new WorkSlicer(60_000);
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      slicer.run(() => {
        seen.push('a');
        // node:http2's two steps: the next turn writes the answer and asks for trailers, whose write
        // is scheduled for the turn after.
        setImmediate(() => {
          seen.push('turn 1');
          setImmediate(() => seen.push('turn 2'));
        });
        slicer.endSliceAfterJob(turns);
      });
      slicer.run(() => seen.push('b'));
      slicer.run(() => {
        seen.push('c');
        setImmediate(() => setImmediate(resolve));
      });
    });
    return seen;
  };
  assert.deepEqual(await order(1), ['a', 'turn 1', 'b', 'c', 'turn 2'], 'one turn: b runs before the second step');
  assert.deepEqual(await order(2), ['a', 'turn 1', 'turn 2', 'b', 'c'], 'two turns: both steps before b');
});
