import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkSlicer } from '../../../src/collector/workSlicer';

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
