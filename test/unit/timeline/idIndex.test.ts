import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { IdIndex } from '../../../src/timelineModel/idIndex';

void test('id index agrees with a Map: inserts, duplicates (last wins), misses, collisions', () => {
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) ids.push((i * 2654435761 % 2 ** 32).toString(16).padStart(16, '0'));
  for (let i = 0; i < 500; i++) ids.push(ids[i * 7]!); // duplicates
  ids.push('', 'x', '<img src=x>');
  const idx = new IdIndex(ids.length, (i) => ids[i]!);
  const map = new Map<string, number>();
  ids.forEach((id, i) => {
    idx.set(i);
    map.set(id, i);
  });
  assert.equal(idx.size, map.size);
  for (const [id, i] of map) assert.equal(idx.get(id), i);
  assert.equal(idx.get('not-there'), undefined);
  assert.equal(idx.get('0000000000000000x'), undefined);
  // A tiny table still works (it grows to twice the capacity, at least 16 slots).
  const small = new IdIndex(1, (i) => ['a', 'b'][i]!);
  small.set(0);
  assert.equal(small.get('a'), 0);
  assert.equal(small.get('b'), undefined);
});
