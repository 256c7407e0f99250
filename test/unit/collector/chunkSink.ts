import assert from 'node:assert/strict';
import { ChunkSpan } from '../../../src/collector/store/chunkSpan';
import { SpanChunk, type ChunkSink } from '../../../src/collector/store/spanChunk';

/** A sink of fresh chunks of `rows` rows (each sealed when full), keeping every row it is given, in order. */
export function collectChunks(rows = 64): ChunkSink & { spans: ChunkSpan[]; chunks: SpanChunk[] } {
  const chunks: SpanChunk[] = [];
  const spans: ChunkSpan[] = [];
  return {
    chunks,
    spans,
    chunk() {
      let c = chunks[chunks.length - 1];
      if (!c || c.full) {
        c?.seal();
        chunks.push((c = new SpanChunk(rows)));
      }
      return c;
    },
    added(chunk, row, i) {
      assert.equal(i, spans.length, 'rows are added in batch order');
      spans.push(new ChunkSpan(chunk, row));
    },
  };
}
