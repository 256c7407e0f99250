import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CostBoundedCache } from '../../../src/views/costBoundedCache';

test('recomputes at once after a quiet period, at most once per cost/dutyCycle while changes stream', () => {
  let clock = 0;
  let computed = 0;
  const cache = new CostBoundedCache(
    () => {
      computed++;
      clock += 20; // each computation costs 20 ms
      return computed;
    },
    0.1,
    () => clock,
  );
  assert.deepEqual(cache.get(), { value: 1, fresh: true, retryInMs: 0 });
  assert.equal(cache.get().value, 1, 'cached while nothing changed');
  cache.invalidate();
  clock += 50;
  const r = cache.get();
  assert.equal(r.value, 1, 'stale value served: 20 ms cost allows one computation per 200 ms');
  assert.equal(r.fresh, false);
  assert.equal(r.retryInMs, 150);
  clock += 150;
  assert.deepEqual(cache.get(), { value: 2, fresh: true, retryInMs: 0 });
  cache.invalidate();
  clock += 1000; // a quiet period: the next read is fresh
  assert.equal(cache.get().value, 3);
  cache.reset();
  assert.equal(cache.get().value, 4, 'reset recomputes whatever the cost');
  assert.equal(cache.lastCostMs, 20);
});
