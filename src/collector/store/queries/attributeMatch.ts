import type { AttributeMatches, BatchCursor } from '../../../protocol/collectorTypes';
import type { AttrToken } from '../../../protocol/timelineMessages';
import { attrText } from '../../../protocol/spanView';
import { fromStoredValue } from '../largeText';
import type { TraceEntry } from '../traceEntry';
import type { SpanRows } from '../recordBatch';

/**
 * The matches among a trace's spans added since `since` (a cursor this returned earlier): spans are
 * only appended within a generation, so a live search is answered from the new spans alone. All
 * spans are searched on a first ask, or when the trace's generation moved on (a span was replaced).
 */
export function attributeMatchesSince(entry: TraceEntry, tokens: readonly AttrToken[], since?: BatchCursor): AttributeMatches {
  const size = entry.size;
  const full = !since || since.generation !== entry.generation || since.spans > size;
  const cursor = { generation: entry.generation, spans: size };
  const from = full ? 0 : since.spans;
  if (from === size) return { spanIds: [], cursor, full };
  return { spanIds: matchingRows(entry.rows(from), tokens), cursor, full };
}

/**
 * The ids of the stored rows whose attributes match every token, as the timeline's search matches a
 * batch that holds them all (rowFilter's `key=value`): the attribute's text, lower-cased, contains
 * the token's value ('' asks for the key only). A key a span repeats counts with its last value,
 * as in the batch (see recordBatch's shapes).
 */
function matchingRows(spans: SpanRows, tokens: readonly AttrToken[]): string[] {
  const out: string[] = [];
  const wanted = tokens.map((t) => ({ key: t.key, value: t.value.toLowerCase() }));
  const { chunks, rows } = spans;
  for (let i = 0; i < rows.length; i++) {
    const chunk = chunks[i]!;
    const row = rows[i]!;
    const keys = chunk.keys(row);
    const start = chunk.valueStart(row);
    let all = true;
    for (const t of wanted) {
      const at = keys.lastIndexOf(t.key);
      if (at === -1) {
        all = false;
        break;
      }
      if (t.value === '') continue;
      const v = fromStoredValue(chunk.value(start + at));
      if (!(typeof v === 'string' ? v : attrText(v)).toLowerCase().includes(t.value)) {
        all = false;
        break;
      }
    }
    if (all) out.push(chunk.spanId(row));
  }
  return out;
}
