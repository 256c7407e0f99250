import { IdIndex } from '../../../src/timelineModel/idIndex';

/**
 * Ids back to back in one text, as a span batch's string table holds them, indexed by position;
 * `capacity`: the ids the table is made for (a smaller one makes it grow as ids are added).
 */
export function indexOf(ids: string[], seed?: number, capacity = ids.length): { idx: IdIndex; text: string; from: number[]; to: number[] } {
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const id of ids) {
    from.push(at);
    to.push((at += id.length));
  }
  const text = ids.join('');
  return { idx: new IdIndex(capacity, text, (i) => from[i]!, (i) => to[i]!, seed), text, from, to };
}
