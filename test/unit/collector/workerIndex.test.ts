import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeContext } from '../../../src/collector/store/decodedBatch';
import { encodeOtlpJson } from '../../../src/collector/store/otlpJsonEncoder';
import { materialize, type IndexScratch, type SpanIndex } from '../../../src/collector/ingest/spanIndex';
import { indexForPost } from '../../../src/collector/ingest/workerIndex';
import { scanOtlpJson } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { Generator, toJson, toProto } from './otlpGenerator';

/** What a worker's index of `body` decodes to, as OTLP/JSON text (with what was refused). */
function meaning(ix: SpanIndex, body: Buffer, ctx: DecodeContext): string {
  const b = materialize(ix, body, ctx.dict, ctx);
  return JSON.stringify([b.rejected, encodeOtlpJson(b.spans)]);
}

/** The buffers of an index that are its own: exactly its size, and none of the scratch arrays. */
function ownsArrays(ix: SpanIndex, scratch: IndexScratch): void {
  for (const a of [ix.spans, ix.values]) {
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, a.byteLength, 'exact size');
    assert.notEqual(a.buffer, scratch.spans?.buffer);
    assert.notEqual(a.buffer, scratch.values?.buffer);
  }
}

for (const encoding of ['json', 'proto'] as const) {
  test(`a worker's ${encoding} index keeps its meaning after the next bodies are read into the same scratch arrays`, () => {
    const worker = new DecodeContext();
    const scratch: IndexScratch = {};
    const bodies: Buffer[] = [];
    const indexes: SpanIndex[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const req = new Generator(seed, true).request();
      const body = encoding === 'json' ? Buffer.from(toJson(req)) : toProto(req);
      const ix = indexForPost(encoding, body, worker, scratch);
      assert.ok(ix, `seed ${seed}: the scanner's fast path`);
      ownsArrays(ix, scratch);
      bodies.push(body);
      indexes.push(ix);
    }
    // Read after every body went through the scratch arrays: each index as its body decoded alone.
    for (let i = 0; i < bodies.length; i++) {
      const alone = new DecodeContext();
      const direct = encoding === 'json' ? scanOtlpJson(bodies[i]!, alone)! : decodeOtlpProto(bodies[i]!, alone);
      assert.equal(meaning(indexes[i]!, bodies[i]!, worker), JSON.stringify([direct.rejected, encodeOtlpJson(direct.spans)]), `body ${i + 1}`);
    }
  });
}
