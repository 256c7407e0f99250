/**
 * The hash of the hand-made id tables (SpanIdIndex: the store's trace entries, its timeline
 * batches' parents, the page's span rows). Ids come
 * from users' programs, imported files and remote backends, so they may be chosen to collide: each
 * table hashes from a random seed of its own with a full-avalanche finish, and no operation looks
 * at more than {@link MAX_PROBES} slots (ids beyond go to a `Map`, the engine's own seeded hash).
 */

/**
 * Slots one operation looks at, at most. At a table's load (at most one half) random ids seldom
 * make runs half this long (measured: a million random span ids, load 0.48, longest insert 44
 * slots, 1.5 on average), so the `Map` beside the table serves ids that collide on purpose.
 */
export const MAX_PROBES = 64;

/**
 * The size of a table for about `capacity` ids: a power of two, at least 16 and at least twice the
 * ids, so that the table is at most half full and probe runs stay short.
 */
export function slotCount(capacity: number): number {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  return size;
}

/** A fresh random seed for one table. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/**
 * MurmurHash3's finalizer: every output bit depends on every bit of the state. Without it a table's
 * slot (the low bits) would depend on the low bits of the seed and of each character only, and ids
 * could be made to collide whatever the seed.
 */
export function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
