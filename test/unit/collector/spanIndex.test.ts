import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeContext, type DecodedBatch } from '../../../src/collector/store/decodedBatch';
import { DictionaryMirror } from '../../../src/collector/store/idDictionary';
import { decodeOtlpProto, indexOtlpProto } from '../../../src/collector/ingest/otlpProtoDecoder';
import { F_SHAPE, F_SPAN, F_TRACE, materialize, SAME, SPAN_INTS, type SpanIndex } from '../../../src/collector/ingest/spanIndex';
import { toSpanView } from '../../../src/collector/store/spanRecord';
import { spanIdOf, traceIdOf, T0, type SpanSpec } from './helpers';
import { decodeLimits } from '../../../src/collector/store/otlpValues';
import { fixed64, keyValue, len, protoSpan, str, tag, varint } from './protoWriter';

/** A body of `n` spans in one trace: a root, steps under it, calls under the steps; every attribute type. */
function body(n: number, seed: number, service = 'svc'): Buffer {
  const spans: number[][] = [];
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? undefined : i < 4 ? spanIdOf(seed + 1) : spanIdOf(seed + 2 + (i % 3));
    const spec: SpanSpec = {
      traceId: traceIdOf(seed),
      spanId: spanIdOf(seed + 1 + i),
      parentSpanId: parent,
      name: i === 0 ? 'plan p' : i % 2 ? 'step' : `call ${i % 5}`,
      startMs: T0 + i,
      endMs: T0 + i + 0.25,
      attributes: { 'procedure.id': `p${i % 4}`, 'request.id': `req-${seed}-${i}`, n: i, big: 2 ** 40 + i, neg: -5, ok: i % 2 === 0, ratio: i / 8 },
      status: i === 3 ? 2 : 0,
      statusMessage: i === 3 ? 'boom <b>' : undefined,
    };
    const extra = [
      ...len(9, [...str(1, 'list'), ...len(2, len(5, [...len(1, str(1, 'x')), ...len(1, [...tag(3, 0), ...varint(7)])]))]),
      ...len(9, [...str(1, 'map'), ...len(2, len(6, len(1, keyValue('k', 'v'))))]),
      ...len(9, [...str(1, 'raw'), ...len(2, len(7, [1, 2, 255]))]),
      ...(i === 2 ? len(11, [...fixed64(1, BigInt(T0 + 2) * 1_000_000n), ...str(2, 'exception'), ...len(3, keyValue('exception.message', 'bad'))]) : []),
    ];
    spans.push([...protoSpan(spec), ...extra]);
  }
  const resource = len(1, len(1, keyValue('service.name', service)));
  const scope = len(2, [...len(1, [...str(1, 'scope'), ...str(2, '1.0')]), ...spans.flatMap((s) => len(2, s))]);
  // A second resource whose scope comes before the resource on the wire.
  const other = len(1, [...len(2, [...len(1, str(1, 'late')), ...len(2, protoSpan({ traceId: traceIdOf(seed + 500), spanId: spanIdOf(seed + 900), name: 'lone', startMs: T0, endMs: T0 + 1 }))]), ...len(1, len(1, keyValue('service.name', 'second')))]);
  return Buffer.from([...len(1, [...resource, ...scope]), ...other]);
}

function views(batch: DecodedBatch): unknown[] {
  return batch.spans.map((r) => ({ ...toSpanView(r), service: r.origin.serviceName, scope: [r.origin.scopeName, r.origin.scopeVersion], kind: r.spanKind, resource: r.origin.resourceValues }));
}

test('a span index made with one dictionary materializes through its mirror to the records decoded in place', () => {
  const worker = new DecodeContext();
  const store = new DecodeContext();
  const mirror = new DictionaryMirror(store);
  const added: number[] = [];
  for (const [n, seed] of [
    [40, 1],
    [700, 200],
    [40, 1000],
  ] as const) {
    const b = body(n, seed);
    const ix = indexOtlpProto(b, worker);
    const additions = worker.dict.takeAdditions();
    added.push(additions.strings.length + additions.shapes.length);
    mirror.apply(additions);
    const batch = materialize(ix, b, mirror, store);
    assert.equal(batch.spans.length, n + 1);
    assert.deepEqual(views(batch), views(decodeOtlpProto(b, new DecodeContext())));
    const [, , two, three] = batch.spans.map(toSpanView);
    assert.deepEqual(
      three!.attributes,
      { 'procedure.id': 'p3', 'request.id': `req-${seed}-3`, n: 3, big: 2 ** 40 + 3, neg: -5, ok: false, ratio: 3 / 8, list: { kind: 'array', values: ['x', 7] }, map: { kind: 'kvlist', keys: ['k'], values: ['v'] }, raw: { kind: 'bytes', base64: 'AQL/' } },
    );
    assert.deepEqual([three!.status, three!.statusMessage, three!.startMs, three!.endMs], ['error', 'boom <b>', T0 + 3, T0 + 3.25]);
    assert.deepEqual(two!.events.map((e) => [e.name, e.attributes['exception.message']]), [['exception', 'bad']]);
    assert.equal(batch.spans[n]!.origin.serviceName, 'second');
  }
  // Once request ids proved one-off (read from the body, not the dictionary), a body of known
  // shapes and values adds nothing: only ids cross for what repeats.
  assert.ok(added[0]! > 5);
  assert.equal(added[2], 0);
  // Consecutive spans of one trace and siblings share their id strings (marked SAME in the index).
  const b = body(10, 7);
  const ix = indexOtlpProto(b, worker);
  assert.equal(ix.spans[SPAN_INTS + F_TRACE], SAME);
  const recs = materialize(ix, b, worker.dict, worker).spans;
  assert.equal(recs[1]!.traceId, recs[2]!.traceId);
  assert.equal(recs[2]!.parentSpanId, spanIdOf(8));
});

test('the dictionary starts over when full; its mirror follows, and an index of the old generation is refused', () => {
  const worker = new DecodeContext();
  const store = new DecodeContext();
  const mirror = new DictionaryMirror(store);
  const b1 = body(20, 1);
  const old = indexOtlpProto(b1, worker);
  mirror.apply(worker.dict.takeAdditions());
  worker.clear();
  const b2 = body(20, 50);
  const fresh = indexOtlpProto(b2, worker);
  const additions = worker.dict.takeAdditions();
  assert.equal(additions.reset, true);
  mirror.apply(additions);
  assert.deepEqual(views(materialize(fresh, b2, mirror, store)), views(decodeOtlpProto(b2, new DecodeContext())));
  assert.throws(() => materialize(old, b1, mirror, store), /out of step/);
});

test('a wrong span index is refused, never stored with holes', () => {
  const ctx = new DecodeContext();
  const b = body(12, 3);
  const good = indexOtlpProto(b, ctx);
  const broken = (change: (ix: SpanIndex) => void): SpanIndex => {
    const ix = { ...good, spans: good.spans.slice(), values: good.values.slice() };
    change(ix);
    return ix;
  };
  assert.throws(() => materialize(broken((ix) => (ix.spans[F_SPAN] = b.length - 4)), b, ctx.dict, ctx), /span id out of range/);
  assert.throws(() => materialize(broken((ix) => (ix.spans[F_TRACE] = SAME)), b, ctx.dict, ctx), /trace id out of range/);
  assert.throws(() => materialize(broken((ix) => (ix.spans[F_SHAPE] = 9999)), b, ctx.dict, ctx), /key list out of range/);
  assert.throws(() => materialize(broken((ix) => ix.values.set([-1, 1e6], 0)), b, ctx.dict, ctx), /value out of range/);
  assert.throws(() => materialize(broken((ix) => ix.values.set([b.length - 2, 10], 0)), b, ctx.dict, ctx), /string out of range/);
  // A range marked all-ASCII (length as -1 - length) is checked the same way.
  assert.throws(() => materialize(broken((ix) => ix.values.set([b.length - 2, -11], 0)), b, ctx.dict, ctx), /string out of range/);
  assert.throws(() => materialize(broken((ix) => ix.values.set([0, -0x80000000], 0)), b, ctx.dict, ctx), /string out of range/);
  assert.throws(() => materialize({ ...good, values: good.values.subarray(2) }, b, ctx.dict, ctx), /values/);
  // A mirror that missed additions does not resolve ids it never saw.
  assert.throws(() => materialize(good, b, new DictionaryMirror(new DecodeContext()), ctx), /out of range/);
  assert.equal(materialize(good, b, ctx.dict, ctx).spans.length, 13);
});

test('parent ids taken from the ones remembered in a batch are always the right ones', () => {
  // Ids that differ only in their first byte, only in their last, six parents in turn (more than
  // are remembered), children before their parent and after it, and a parent named again after
  // others pushed it out: every span gets exactly its own id and its parent's.
  const trace = traceIdOf(77);
  const parents = ['00000000000000a1', '10000000000000a1', '00000000000000a2', 'ff000000000000a1', '00000000000000ff', '7f7f7f7f7f7f7f7f'];
  const specs: SpanSpec[] = [];
  let n = 0;
  const child = (parent: string | undefined, spanId = `c${(n++).toString(16).padStart(15, '0')}`): void => {
    specs.push({ traceId: trace, spanId, parentSpanId: parent, name: 's', startMs: T0, endMs: T0 + 1 });
  };
  for (let round = 0; round < 3; round++) for (const p of parents) child(p);
  for (const p of [parents[5]!, parents[0]!, parents[5]!, parents[1]!]) child(p);
  // Each parent's own span after its children, then children of a parent already stored.
  for (const p of parents) child(p === parents[0] ? undefined : parents[0], p);
  child(parents[3]);
  const batch = decodeOtlpProto(Buffer.from([...len(1, [...len(2, specs.flatMap((s) => len(2, protoSpan(s))))])]), new DecodeContext());
  assert.deepEqual(
    batch.spans.map((r) => [r.spanId, r.parentSpanId]),
    specs.map((s) => [s.spanId, s.parentSpanId ?? '']),
  );
});

test('bodies decoded in place one after another on one context equal each decoded alone (reused index arrays)', () => {
  // A large body grows the arrays kept for reuse; smaller and larger ones follow, so a later body
  // runs over what an earlier one left in them.
  const ctx = new DecodeContext();
  for (const [n, seed] of [
    [700, 11],
    [3, 2000],
    [40, 3000],
    [1500, 4000],
    [1, 9000],
  ] as const) {
    const b = body(n, seed);
    assert.deepEqual(views(decodeOtlpProto(b, ctx)), views(decodeOtlpProto(b, new DecodeContext())), `${n} spans`);
  }
});

test('span attributes found whole by their bytes give what reading them gives: caps, dictionary resets', () => {
  const limits = decodeLimits({ maxSpanBytes: 40 });
  const span = (i: number, attributes: Record<string, string | number | boolean>): number[] =>
    protoSpan({ traceId: traceIdOf(5), spanId: spanIdOf(100 + i), name: 'n', startMs: T0, endMs: T0 + 1, attributes });
  const seen = { 'k.s': 'repeat', 'k.i': 7, 'k.b': true, 'k.t': 'other' };
  const bodies = [
    [
      span(0, seen),
      // The same attributes again, after a value that leaves too little of the span's 40 bytes:
      // found by their bytes, they must still be cut as when read.
      span(1, { big: 'x'.repeat(30), ...seen }),
      span(2, { 'k.i': 7, 'k.s': 'repeat', 'k.b': true }),
    ],
    // After the dictionary starts over its ids name other strings: nothing found before may answer.
    [span(3, { first: 'zzz', second: 'yyy', ...seen }), span(4, seen)],
  ];
  const ctx = new DecodeContext();
  ctx.limits = limits;
  const together: unknown[] = [];
  for (const [i, spans] of bodies.entries()) {
    if (i > 0) ctx.clear();
    together.push(...views(decodeOtlpProto(Buffer.from(len(1, len(2, spans.flatMap((s) => len(2, s))))), ctx)));
  }
  // Each span alone, in a context of its own: nothing of another span is known (no attribute
  // repeats within a span).
  const alone = bodies.flat().map((s) => {
    const own = new DecodeContext();
    own.limits = limits;
    return views(decodeOtlpProto(Buffer.from(len(1, len(2, len(2, s)))), own))[0];
  });
  assert.deepEqual(together, alone);
  const cut = (v: unknown): Record<string, unknown> => (v as { attributes: Record<string, unknown> }).attributes;
  assert.equal(cut(together[1])['k.t'] === 'other', false, 'the attribute past the cap is cut, not taken whole');
});
