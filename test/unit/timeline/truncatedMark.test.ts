// Spans with values cut to the collector's caps are marked in the timeline: a row flag (drawn as
// a mark after the label) and a line in the span's details. The decoders keep a cut value as a
// tagged `{ kind: 'truncated', value, length }`, which reaches the batch as its JSON text.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { AttrValue } from '../../../src/protocol/spanView';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { NodeFlag } from '../../../src/timelineModel/spanTree';
import { spanDetails } from '../../../src/timelineModel/spanDetails';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { span } from './spanFixtures';

void test('a span with a truncated value is flagged and its details say so; others are not', () => {
  const cut = { kind: 'truncated', value: 'HTTP/1.1 200 OK…', length: 10_485_760 } as unknown as AttrValue;
  // Built without the webview's batch check: it does not accept tagged values yet (they arrive
  // with the decoders' fidelity work).
  const t = buildSpanTree(new SpanTable(encodeSpanBatch([
    span('root', undefined, 0, 10, { 'instrument_first.kind': 'plan' }),
    span('call', 'root', 1, 5, { 'http.response.body': cut, 'instrument_first.kind': 'call' }),
    span('plain', 'root', 5, 9, { note: '{"kind":"truncated" is only text here' }),
  ])));
  const at = (id: string) => t.byId.get(id)!;
  assert.ok(t.flags[at('call')]! & NodeFlag.truncated);
  assert.ok(t.truncated(at('call')));
  assert.equal(t.truncated(at('plain')), false, 'a string value that merely looks like the marker is not one');
  assert.equal(t.truncated(at('root')), false);
  assert.equal(t.kind(at('call')), 'call', 'the kind is still read');
  const details = spanDetails(t, at('call'))!;
  assert.ok(details.fields.some((f) => f.key === 'truncated' && /original length/.test(f.value)));
});
