// The timeline batch made from a trace's records (encodeRecordBatch, through SpanStore.batchSince)
// against the reference path (the read API's span views through the general encoder), on random
// traces large enough for every shortcut the encoder takes to switch on and off: keys whose values
// repeat and keys whose values do not (and keys that change from one to the other), empty strings,
// values of several kinds under one key, parents that arrive after their children or never, events,
// links, values cut to the caps, and traces that arrive in several requests (the delta batches,
// appended, are the whole batch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOtlpJsonBytes } from '../../../src/collector/ingest/otlpJsonScanner';
import { decodeLimits } from '../../../src/collector/store/otlpValues';
import { batchBytes, encodeRecordBatch } from '../../../src/collector/store/recordBatch';
import { SpanStore } from '../../../src/collector/store/spanStore';
import type { TraceBatch } from '../../../src/protocol/collectorTypes';
import { encodeSpanBatch, PARENT_ELSEWHERE, PARENT_NONE, SUMMARY_ATTRIBUTE_KEYS, type SpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import type { SpanView } from '../../../src/protocol/spanView';
import { parseFilter } from '../../../src/timelineModel/rowFilter';
import { buildRows } from '../../../src/timelineModel/rows';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';
import { parseHostToWebview } from '../../../src/protocol/timelineMessages';
import { concatBatches } from '../../../src/timelineModel/spanBatchConcat';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import { hexId, prng, T0 } from './helpers';

/** Every span of a batch as the webview reads it (after a structured clone and its checks), in row order. */
function webviewSpans(batch: SpanBatch): unknown[] {
  const msg = parseHostToWebview(structuredClone({ type: 'showRun', traceId: 't', title: 't', spans: batch, live: false }));
  assert.ok(msg && msg.type === 'showRun', 'the webview accepts the batch');
  const table = new SpanTable(msg.spans);
  return Array.from({ length: table.size }, (_, i) => table.span(i));
}

const str = (b: SpanBatch, ref: number): string => b.text.slice(ref === 0 ? 0 : b.textEnd[ref - 1], b.textEnd[ref]);

interface Options {
  spans: number;
  /** Probability that a span's string values are new (unique) rather than one of a few. */
  unique: number;
  seed: number;
}

type Json = Record<string, unknown>;

function anyValue(rand: () => number, key: number, i: number, o: Options): Json {
  const r = rand();
  // Mostly strings; a key now and then carries another kind (the encoder's string shortcut must step aside).
  if (r < 0.05) return { intValue: String(Math.floor(rand() * 1000)) };
  if (r < 0.08) return { boolValue: rand() < 0.5 };
  if (r < 0.1) return { doubleValue: rand() };
  if (r < 0.13) return { stringValue: '' };
  if (r < 0.15) return { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: `b${key}` }] } };
  // Keys 0–2 change from unique to repeating values halfway (and 3 the other way round).
  const half = i < o.spans / 2;
  const uniqueHere = key <= 2 ? half : key === 3 ? !half : rand() < o.unique;
  return { stringValue: uniqueHere ? `v${key}-${o.seed}-${i}-${rand().toString(36).slice(2, 8)}` : `v${key}-${Math.floor(rand() * 5)}` };
}

/** Random spans of one trace, in a random order (children before parents too), some parents remote. */
function randomSpans(o: Options): Json[] {
  const rand = prng(o.seed);
  const traceId = hexId(0x7a000000 + o.seed, 16);
  const spanId = (i: number) => hexId(0x10000 + i, 8);
  const spans: Json[] = [];
  for (let i = 0; i < o.spans; i++) {
    const attributes: Json[] = [];
    const keys = 3 + Math.floor(rand() * 6);
    for (let k = 0; k < keys; k++) attributes.push({ key: `k${k}`, value: anyValue(rand, k, i, o) });
    // A key sent twice: the last value counts, at the first place.
    if (rand() < 0.05) attributes.push({ key: 'k0', value: { stringValue: `again-${i}` } });
    const parent = i === 0 ? undefined : rand() < 0.05 ? hexId(0xfff000 + i, 8) : spanId(Math.floor(rand() * i));
    const span: Json = {
      traceId,
      spanId: spanId(i),
      ...(parent ? { parentSpanId: parent } : {}),
      name: `op ${Math.floor(rand() * 7)}`,
      kind: Math.floor(rand() * 6),
      startTimeUnixNano: String((T0 + i) * 1e6 + Math.floor(rand() * 1e6)),
      endTimeUnixNano: String((T0 + i + 2) * 1e6),
      attributes,
      status: rand() < 0.1 ? { code: 2, message: `failed ${i % 3}` } : { code: rand() < 0.5 ? 1 : 0 },
    };
    if (rand() < 0.2) {
      span.events = [{ name: rand() < 0.5 ? 'exception' : 'log', timeUnixNano: String((T0 + i + 1) * 1e6), attributes: [{ key: 'exception.message', value: { stringValue: `boom ${i}` } }] }];
    }
    if (rand() < 0.1) {
      span.links = [{ traceId, spanId: spanId(Math.floor(rand() * o.spans)), traceState: 'k=v', flags: 1, attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }] }];
    }
    if (rand() < 0.03) span.attributes = [...attributes, { key: 'body', value: { stringValue: 'x'.repeat(200) } }];
    spans.push(span);
  }
  // Arrival order: shuffled, so that children often come before their parents.
  for (let i = spans.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [spans[i], spans[j]] = [spans[j]!, spans[i]!];
  }
  return spans;
}

const request = (spans: Json[]): Buffer =>
  Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] }));

function storeOf(spans: Json[], requests = 1): SpanStore {
  const store = new SpanStore({ maxSpans: 100_000 });
  // Values over 100 bytes are cut: some spans carry truncated markers.
  store.decodeContext.limits = decodeLimits({ maxValueBytes: 100 });
  const per = Math.ceil(spans.length / requests);
  for (let at = 0; at < spans.length; at += per) store.ingest(decodeOtlpJsonBytes(request(spans.slice(at, at + per)), store.decodeContext));
  return store;
}

/**
 * Parents link by position: a parent at a position is a span with the parent's id, and a parent
 * elsewhere is the id of no span of the batch (then its words are in the batch).
 */
function assertIdsShareRefs(b: SpanBatch): void {
  const t = new SpanTable(b);
  const ids = new Set(Array.from({ length: t.size }, (_, r) => t.spanId(r)));
  for (let i = 0; i < t.size; i++) {
    const p = b.parent[i]!;
    if (p === PARENT_NONE) continue;
    if (p >= 0) assert.equal(t.spanId(p), t.parentSpanId(i), `span ${i}: its parent's position`);
    else assert.equal(ids.has(t.parentSpanId(i)!), false, `span ${i}: a parent elsewhere is no span of the batch`);
  }
}

for (const unique of [0, 0.5, 1]) {
  test(`record batch: random traces (${unique * 100}% of values unique) reach the webview exactly as the span views say, links, events and truncated markers included`, () => {
    let links = 0;
    let events = 0;
    let truncated = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const o = { spans: 150 + seed * 60, unique, seed };
      const store = storeOf(randomSpans(o));
      const [entry] = [...store.entries()];
      const got = store.batchSince(entry!.traceId)!;
      assert.ok(isSpanBatch(got.batch), `seed ${seed}: a valid batch`);
      assert.equal(got.batch.parent.length, o.spans);
      assertIdsShareRefs(got.batch);
      assert.deepEqual(webviewSpans(got.batch), webviewSpans(encodeSpanBatch(store.trace(entry!.traceId))), `seed ${seed}`);
      links += got.batch.linkTraceId.length;
      events += got.batch.eventName.length;
      truncated += got.batch.attrType.filter((t) => t === 9).length;
    }
    assert.ok(links > 0 && events > 0 && truncated > 0, `${links} links, ${events} events, ${truncated} truncated values seen`);
  });
}

test('record batch: a repeating value is in the string table once, whichever spans carry it (the batch stays as small as with a lookup per value)', () => {
  const store = storeOf(randomSpans({ spans: 600, unique: 0, seed: 42 }));
  const [entry] = [...store.entries()];
  const b = store.batchSince(entry!.traceId)!.batch;
  const strings = Array.from({ length: b.textEnd.length }, (_, r) => str(b, r));
  for (let k = 4; k < 8; k++) {
    for (let v = 0; v < 5; v++) {
      const value = `v${k}-${v}`;
      assert.ok(strings.filter((s) => s === value).length <= 1, `${value} stored once`);
    }
  }
  // And the keys of every span once.
  assert.equal(strings.filter((s) => s === 'k0').length, 1);
});

test('record batch: a trace received in several requests, its delta batches appended one after another, is its whole batch', () => {
  for (const unique of [0, 1]) {
    for (let seed = 1; seed <= 4; seed++) {
      const spans = randomSpans({ spans: 400, unique, seed });
      const store = new SpanStore({ maxSpans: 100_000 });
      const traceId = String(spans[0]!.traceId);
      let cursor: TraceBatch | undefined;
      let joined: SpanBatch | undefined;
      for (let at = 0; at < spans.length; at += 70) {
        store.ingest(decodeOtlpJsonBytes(request(spans.slice(at, at + 70)), store.decodeContext));
        const got: TraceBatch = store.batchSince(traceId, cursor?.cursor)!;
        assert.equal(got.full, joined === undefined);
        assert.ok(isSpanBatch(got.batch));
        joined = joined ? concatBatches(joined, got.batch) : got.batch;
        cursor = got;
      }
      const whole = store.batchSince(traceId)!.batch;
      assert.deepEqual(webviewSpans(joined!), webviewSpans(whole), `unique ${unique}, seed ${seed}`);
      assertIdsShareRefs(whole);
      // Parents sent in an earlier delta are found by their id: the same tree as the whole batch's.
      const edges = (b: SpanBatch): string[] => {
        const tree = buildSpanTree(new SpanTable(b));
        return Array.from({ length: tree.size }, (_, i) => `${tree.spanId(i)}<${tree.parent[i] === -1 ? '' : tree.spanId(tree.parent[i]!)}`).sort();
      };
      assert.deepEqual(edges(joined!), edges(whole));
    }
  }
});

test('record batch: a trace of 12,000 spans, values unique (ids copied in runs across several chunks), reaches the webview as the span views say', () => {
  const store = storeOf(randomSpans({ spans: 12_000, unique: 1, seed: 77 }));
  const [entry] = [...store.entries()];
  for (const summary of [false, true]) {
    const b = store.batchSince(entry!.traceId, undefined, { summary })!.batch;
    assertIdsShareRefs(b);
    const reference = encodeSpanBatch(store.trace(entry!.traceId).map((v) => (summary ? summaryView(v) : v)));
    assert.deepEqual(webviewSpans(b), webviewSpans({ ...reference, summary }));
  }
});

test('record batch: a span id twice in the records (a hand-made list) keeps its words, and its children link to it; a parent that is no span of the batch is elsewhere, with its id', () => {
  const spans = randomSpans({ spans: 300, unique: 0.5, seed: 11 });
  const store = storeOf(spans);
  const [entry] = [...store.entries()];
  const records = store.records(entry!.traceId);
  // The first record again at the end; the second half alone (its parents in the first half are absent from it).
  const twice = encodeRecordBatch([...records, records[0]!]);
  const tw = new SpanTable(twice);
  assert.equal(tw.spanId(records.length), tw.spanId(0));
  assertIdsShareRefs(twice);
  const half = records.slice(150);
  const delta = encodeRecordBatch(half);
  assertIdsShareRefs(delta);
  const t = new SpanTable(delta);
  const inHalf = new Set(half.map((r) => r.spanId));
  let outside = 0;
  half.forEach((r, i) => {
    const p = delta.parent[i]!;
    if (!r.parentSpanId) return assert.equal(p, PARENT_NONE);
    assert.equal(t.parentSpanId(i), r.parentSpanId);
    if (inHalf.has(r.parentSpanId)) return assert.equal(half[p]!.spanId, r.parentSpanId);
    assert.equal(p, PARENT_ELSEWHERE);
    outside++;
  });
  assert.ok(outside > 10, `${outside} parents outside the half`);
});

const idsOf = (b: SpanBatch): string[] => Array.from({ length: b.parent.length }, (_, r) => new SpanTable(b).spanId(r));

test('kept batch: a full ask of an unchanged trace gets the batch made before; any change (spans added, a span replaced, the trace deleted and sent anew) gets a new one that carries it', () => {
  const spans = randomSpans({ spans: 200, unique: 0.5, seed: 7 });
  const traceId = String(spans[0]!.traceId);
  const store = storeOf(spans.slice(0, 100));
  const first = store.batchSince(traceId)!;
  const again = store.batchSince(traceId)!;
  assert.equal(again.batch, first.batch, 'kept');
  assert.deepEqual(again.cursor, first.cursor);
  assert.equal(again.full, true);

  store.ingest(decodeOtlpJsonBytes(request(spans.slice(100, 150)), store.decodeContext));
  const grown = store.batchSince(traceId)!;
  assert.notEqual(grown.batch, first.batch);
  assert.equal(grown.batch.parent.length, 150);
  assert.deepEqual(webviewSpans(grown.batch), webviewSpans(encodeSpanBatch(store.trace(traceId))));

  // The same span id again, with another name: same count, another generation.
  const resent = { ...spans[120]!, name: 'renamed' };
  store.ingest(decodeOtlpJsonBytes(request([resent]), store.decodeContext));
  const replaced = store.batchSince(traceId)!;
  assert.equal(replaced.batch.parent.length, 150);
  assert.ok(Array.from(replaced.batch.name, (r) => str(replaced.batch, r)).includes('renamed'));

  // Deleted and sent anew with as many spans (other ones): a new entry, a new batch.
  assert.ok(store.deleteTrace(traceId));
  store.ingest(decodeOtlpJsonBytes(request(spans.slice(50, 200)), store.decodeContext));
  const anew = store.batchSince(traceId)!;
  assert.equal(anew.batch.parent.length, 150);
  assert.deepEqual(new Set(idsOf(anew.batch)), new Set(spans.slice(50, 200).map((s) => String(s.spanId))));
});

test('kept batch: only in the budget\'s free room — not kept when it does not fit, dropped when stored spans need the room', () => {
  const spans = randomSpans({ spans: 300, unique: 1, seed: 9 });
  const traceId = String(spans[0]!.traceId);
  // A budget the trace nearly fills: its batch does not fit beside it.
  const tight = new SpanStore({ maxBytes: 200 * 1024, maxTraceBytes: 200 * 1024 });
  tight.ingest(decodeOtlpJsonBytes(request(spans), tight.decodeContext));
  assert.equal(tight.entry(traceId)!.size, 300, 'the whole trace is stored');
  const room = tight.maxBytes - tight.stats().bytes;
  const first = tight.batchSince(traceId)!;
  assert.ok(batchBytes(first.batch) > room, `the batch (${batchBytes(first.batch)} B) is larger than the free room (${room} B)`);
  assert.notEqual(tight.batchSince(traceId)!.batch, first.batch, 'not kept beyond the free room');

  // Room for it at first; then other traces take the room, and it is dropped.
  const store = new SpanStore({ maxBytes: 4 * 1024 * 1024 });
  store.ingest(decodeOtlpJsonBytes(request(spans), store.decodeContext));
  const kept = store.batchSince(traceId)!;
  assert.equal(store.batchSince(traceId)!.batch, kept.batch, 'kept while there is room');
  for (let n = 1; store.maxBytes - store.stats().bytes >= batchBytes(kept.batch); n++) {
    store.ingest(decodeOtlpJsonBytes(request(randomSpans({ spans: 100, unique: 1, seed: 100 + n })), store.decodeContext));
  }
  assert.ok(store.entry(traceId), 'the trace itself is still stored');
  assert.notEqual(store.batchSince(traceId)!.batch, kept.batch, 'dropped once stored spans needed its room');
});

/** A span view as a summary batch carries it: the summary keys (every key when one was cut), no event or link attributes. */
function summaryView(v: SpanView): SpanView {
  const keep = new Set(SUMMARY_ATTRIBUTE_KEYS);
  const cut = Object.values(v.attributes).some((x) => typeof x === 'object' && !Array.isArray(x) && x.kind === 'truncated');
  const attributes = cut ? v.attributes : Object.fromEntries(Object.entries(v.attributes).filter(([k]) => keep.has(k)));
  const out: SpanView = { ...v, attributes, events: v.events.map((e) => ({ ...e, attributes: {} })) };
  if (v.links) out.links = v.links.map((l) => ({ ...l, attributes: {} }));
  return out;
}

test('summary batch: the spans with only the summary keys (all keys where a value was cut) and no event or link attributes; each span whole on demand', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const spans = randomSpans({ spans: 300, unique: 0.5, seed });
    // Some spans carry the keys the timeline reads.
    for (const [i, s] of spans.entries()) if (i % 3 === 0) (s.attributes as Json[]).push({ key: 'instrument_first.kind', value: { stringValue: 'step' } }, { key: 'code.filepath', value: { stringValue: `f${i}.ts` } });
    const store = storeOf(spans, 3);
    const [entry] = [...store.entries()];
    const got = store.batchSince(entry!.traceId, undefined, { summary: true })!;
    assert.equal(got.batch.summary, true);
    const full = store.batchSince(entry!.traceId)!.batch;
    assert.equal(full.summary, false);
    assert.ok(got.batch.attrKey.length < full.attrKey.length / 2, 'far fewer attribute entries');
    assert.deepEqual(webviewSpans(got.batch), webviewSpans(full).map((v) => summaryView(v as SpanView)), `seed ${seed}`);
    assertIdsShareRefs(got.batch);
    // Asked again: the kept summary, never the kept full batch (and the other way round).
    assert.equal(store.batchSince(entry!.traceId, undefined, { summary: true })!.batch.summary, true);
    // Live deltas are summaries too, and append to the whole.
    const delta = store.batchSince(entry!.traceId, { generation: got.cursor.generation, spans: 100 }, { summary: true })!;
    assert.equal(delta.batch.summary, true);
    assert.deepEqual(webviewSpans(concatBatches(store.batchSince(entry!.traceId, undefined, { summary: true })!.batch, delta.batch)).length, got.batch.parent.length + delta.batch.parent.length);
    // A span on demand: the whole span, as a one-span batch the webview accepts.
    for (const v of webviewSpans(full).slice(0, 40) as SpanView[]) {
      const one = store.spanBatch(entry!.traceId, v.spanId)!;
      assert.equal(one.summary, false);
      const msg = parseHostToWebview(structuredClone({ type: 'spanDetails', traceId: entry!.traceId, spanId: v.spanId, span: one }));
      assert.ok(msg && msg.type === 'spanDetails' && msg.span, 'the webview accepts the answer');
      assert.deepEqual(new SpanTable(msg.span).span(0), v);
    }
  }
});

test('summary batch: a span or run the store no longer has is undefined, not an error; a summary is refused as a details answer', () => {
  const store = storeOf(randomSpans({ spans: 50, unique: 0, seed: 9 }));
  const [entry] = [...store.entries()];
  assert.equal(store.spanBatch(entry!.traceId, 'ffffffffffffffff'), undefined);
  assert.equal(store.spanBatch('0'.repeat(32), 'ffffffffffffffff'), undefined);
  assert.equal(store.matchSpans('0'.repeat(32), [{ key: 'k1', value: '' }]), undefined);
  const summary = store.batchSince(entry!.traceId, undefined, { summary: true })!.batch;
  const first = store.spanBatch(entry!.traceId, new SpanTable(summary).spanId(0))!;
  assert.equal(parseHostToWebview({ type: 'spanDetails', traceId: entry!.traceId, spanId: 'x', span: summary }), undefined, 'more than one span');
  assert.equal(parseHostToWebview({ type: 'spanDetails', traceId: entry!.traceId, spanId: 'x', span: { ...first, summary: true } }), undefined, 'a summary');
});

test('attribute search in the store finds exactly what the webview finds on the whole batch', () => {
  for (let seed = 1; seed <= 3; seed++) {
    const store = storeOf(randomSpans({ spans: 400, unique: 0.5, seed }));
    const [entry] = [...store.entries()];
    const full = store.batchSince(entry!.traceId)!.batch;
    const tree = buildSpanTree(new SpanTable(full));
    for (const text of ['k1=v1-', 'k0=AGAIN', 'k2=', 'k4=b4', 'k3=v3-2 k5=', 'k1=9', 'nokey=', 'k0=again-1 k1=']) {
      const filter = { text, errorsOnly: false, minDurationMs: 0 };
      const local = buildRows(tree, new Set(), filter);
      const pf = parseFilter(filter);
      const ids = store.matchSpans(entry!.traceId, pf.attrs)!.spanIds;
      const remote = buildRows(tree, new Set(), filter, new Set(ids));
      assert.deepEqual(Array.from(remote.match), Array.from(local.match), `seed ${seed} "${text}"`);
      assert.equal(ids.length, local.matchCount, `seed ${seed} "${text}": ${ids.length} ids`);
    }
  }
});
