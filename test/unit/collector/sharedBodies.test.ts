import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedBodies } from '../../../src/collector/ingest/sharedBodies';

const chunks = (sizes: number[], seed: number): Buffer[] => sizes.map((n, i) => Buffer.from(Array.from({ length: n }, (_, k) => (seed + i * 31 + k) & 255)));

test('shared bodies: chunks joined in shared memory equal Buffer.concat, for any split', () => {
  const bodies = new SharedBodies();
  for (const sizes of [[0], [1], [0, 5, 0], [70_000], [65_536, 1, 65_535], [300_000, 300_000, 17], [5_000_000]]) {
    const cs = chunks(sizes, sizes.length);
    const size = sizes.reduce((a, b) => a + b, 0);
    const joined = bodies.join(cs, size);
    assert.ok(joined.buffer instanceof SharedArrayBuffer);
    assert.equal(joined.length, size);
    assert.ok(joined.equals(Buffer.concat(cs, size)), `sizes ${sizes.join(',')}`);
    bodies.release(joined);
  }
});

test('shared bodies: a released buffer is reused for the next body of its size class, never handed out twice at once', () => {
  const bodies = new SharedBodies();
  const a = bodies.join(chunks([100_000], 1), 100_000);
  const b = bodies.join(chunks([90_000], 2), 90_000);
  assert.notEqual(a.buffer, b.buffer);
  bodies.release(a);
  const c = bodies.join(chunks([120_000], 3), 120_000);
  assert.equal(c.buffer, a.buffer, 'the released buffer of the same class is taken again');
  assert.ok(c.equals(chunks([120_000], 3)[0]!));
  assert.ok(b.equals(chunks([90_000], 2)[0]!), 'a body in use is untouched');
  const d = bodies.join(chunks([100_000], 4), 100_000);
  assert.notEqual(d.buffer, c.buffer);
  assert.notEqual(d.buffer, b.buffer);
});

test('shared bodies: what is kept for reuse is bounded in bytes; bodies over 4 MiB and foreign buffers are not kept', () => {
  const bodies = new SharedBodies();
  const held = Array.from({ length: 40 }, (_, i) => bodies.join(chunks([1_000_000], i), 1_000_000));
  for (const h of held) bodies.release(h);
  assert.ok(bodies.kept <= 16 * 1024 * 1024, `kept ${bodies.kept}`);
  assert.ok(bodies.kept > 0);
  const before = bodies.kept;
  bodies.release(bodies.join(chunks([5_000_000], 9), 5_000_000));
  bodies.release(Buffer.alloc(100_000));
  bodies.release(Buffer.from(new SharedArrayBuffer(100_000)));
  assert.equal(bodies.kept, before);
});
