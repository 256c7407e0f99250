import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { indexOf } from './idIndexFixtures';


void test('id index agrees with a Map: inserts, duplicates (last wins), misses, collisions', () => {
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) ids.push((i * 2654435761 % 2 ** 32).toString(16).padStart(16, '0'));
  for (let i = 0; i < 500; i++) ids.push(ids[i * 7]!); // duplicates
  ids.push('', 'x', '<img src=x>', 'é\u{1F600}');
  const { idx, from, to } = indexOf(ids);
  const map = new Map<string, number>();
  ids.forEach((id, i) => {
    idx.set(i);
    map.set(id, i);
  });
  assert.equal(idx.size, map.size);
  for (const [id, i] of map) assert.equal(idx.get(id), i);
  // Looked up by a range of the text: the same answer as by the string.
  ids.forEach((id, i) => assert.equal(idx.getRange(from[i]!, to[i]!), map.get(id)));
  assert.equal(idx.get('not-there'), undefined);
  assert.equal(idx.get('0000000000000000x'), undefined);
  // A range that spans two ids is neither of them.
  assert.equal(idx.getRange(from[0]!, to[1]!), undefined);
});

void test('a tiny table still works (it grows to twice the capacity, at least 16 slots)', () => {
  const { idx } = indexOf(['a', 'b']);
  idx.set(0);
  assert.equal(idx.get('a'), 0);
  assert.equal(idx.get('b'), undefined);
  assert.equal(idx.get('ab'), undefined);
});
