import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteStringCache } from '../../../src/collector/store/byteStringCache';
import { KeyShapes } from '../../../src/collector/store/stringPool';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

test('byte string cache: a hit needs the same bytes at any offset of any buffer; longer than 64 bytes is never cached', () => {
  const cache = new ByteStringCache<string>(4);
  const a = bytes('xx http.request.method yy');
  assert.equal(cache.get(a, 3, 22), undefined);
  cache.store(a, 3, 22, 'http.request.method');
  assert.equal(cache.get(a, 3, 22), 'http.request.method');
  // The same bytes elsewhere (an unaligned offset, another buffer) hit; a one-byte change misses.
  const b = bytes('#http.request.method');
  assert.equal(cache.get(b, 1, 20), 'http.request.method');
  const c = bytes('#http.request.methoe');
  assert.equal(cache.get(c, 1, 20), undefined);
  // Lengths that are not a multiple of four compare their tail bytes too.
  for (const s of ['a', 'ab', 'abc', 'abcde', 'abcdefg']) {
    const buf = bytes(`..${s}`);
    assert.equal(cache.get(buf, 2, buf.length), undefined, s);
    cache.store(buf, 2, buf.length, s);
    assert.equal(cache.get(buf, 2, buf.length), s, s);
    const other = bytes(`..${s.slice(0, -1)}!`);
    assert.equal(cache.get(other, 2, other.length), undefined, `${s} vs its last byte changed`);
  }
  const long = bytes('k'.repeat(65));
  assert.equal(cache.get(long, 0, 65), undefined);
  cache.store(long, 0, 65, 'long');
  assert.equal(cache.get(long, 0, 65), undefined);
  const empty = bytes('');
  cache.get(empty, 0, 0);
  cache.store(empty, 0, 0, 'empty');
  assert.equal(cache.get(bytes('zz'), 1, 1), 'empty');
  cache.clear();
  assert.equal(cache.get(a, 3, 22), undefined);
});

test('byte string cache: entries sharing a slot replace each other and never answer for one another', () => {
  const cache = new ByteStringCache<number>(1); // two slots: most strings collide
  const words = Array.from({ length: 40 }, (_, i) => `value-${i}`);
  for (let round = 0; round < 2; round++) {
    for (const [i, w] of words.entries()) {
      const buf = bytes(w);
      const hit = cache.get(buf, 0, buf.length);
      if (hit !== undefined) assert.equal(hit, i, `${w} answered with another entry's value`);
      else cache.store(buf, 0, buf.length, i);
    }
  }
});

test('key shapes: the same keys give the same shared array, other keys another, past the remembered few', () => {
  const shapes = new KeyShapes();
  const lists = Array.from({ length: 12 }, (_, i) => ['service.name', `k${i}`, 'http.method']);
  const first = lists.map((keys) => shapes.share([...keys, 'scratch'], 3));
  lists.forEach((keys, i) => assert.deepEqual(first[i], keys));
  for (let round = 0; round < 3; round++) {
    lists.forEach((keys, i) => assert.equal(shapes.share([...keys], 3), first[i], `shape ${i}, round ${round}`));
  }
  assert.notEqual(shapes.share(['a', 'b'], 2), shapes.share(['a', 'c'], 2));
  assert.equal(shapes.share(['a', 'b', 'c'], 2), shapes.share(['a', 'b'], 2));
  const scratch = ['x', 'y'];
  const shared = shapes.share(scratch, 2);
  scratch[0] = 'changed';
  assert.deepEqual(shared, ['x', 'y'], 'the scratch array is never kept');
});
