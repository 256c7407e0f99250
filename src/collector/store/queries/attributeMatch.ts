import type { AttrToken } from '../../../protocol/timelineMessages';
import { attrText } from '../../../protocol/spanView';
import { fromStoredValue } from '../largeText';
import type { SpanRecord } from '../spanRecord';

/**
 * The ids of the spans whose attributes match every token, as the timeline's search matches a
 * batch that holds them all (rowFilter's `key=value`): the attribute's text, lower-cased, contains
 * the token's value ('' asks for the key only). A key a span repeats counts with its last value,
 * as in the batch (see recordBatch's shapes).
 */
export function matchingSpanIds(records: Iterable<SpanRecord>, tokens: readonly AttrToken[]): string[] {
  const out: string[] = [];
  const wanted = tokens.map((t) => ({ key: t.key, value: t.value.toLowerCase() }));
  for (const rec of records) {
    let all = true;
    for (const t of wanted) {
      const at = rec.keys.lastIndexOf(t.key);
      if (at === -1) {
        all = false;
        break;
      }
      if (t.value === '') continue;
      const v = fromStoredValue(rec.values[at]!);
      if (!(typeof v === 'string' ? v : attrText(v)).toLowerCase().includes(t.value)) {
        all = false;
        break;
      }
    }
    if (all) out.push(rec.spanId);
  }
  return out;
}
