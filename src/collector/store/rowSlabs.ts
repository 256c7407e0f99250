import { LargeText } from './largeText';
import type { SpanChunk } from './spanChunk';
import type { TextSlabs } from './textSlabs';

/**
 * Moves a chunk row's large values (its own, its events' and links') into the store's slabs, so
 * that they are counted and kept off the heap; returns how many there are.
 */
export function storeRowLarge(slabs: TextSlabs, chunk: SpanChunk, row: number): number {
  let n = slabs.storeValues(chunk.values, chunk.valueStart(row), chunk.valueEnd[row]);
  const x = chunk.extra(row);
  if (x?.events) for (const e of x.events) n += slabs.storeValues(e.values);
  if (x?.links) for (const l of x.links) n += slabs.storeValues(l.values);
  return n;
}

/** Gives back the slab room of a row's large values (its span was refused or replaced, or its trace went). */
export function releaseRowLarge(slabs: TextSlabs, chunk: SpanChunk, row: number): void {
  const values = chunk.values;
  const end = chunk.valueEnd[row]!;
  for (let i = chunk.valueStart(row); i < end; i++) {
    const v = values[i];
    if (v instanceof LargeText) slabs.release(v);
  }
  const x = chunk.extra(row);
  if (x?.events) for (const e of x.events) slabs.releaseValues(e.values);
  if (x?.links) for (const l of x.links) slabs.releaseValues(l.values);
}
