// A summary batch in the webview (what the collector's store sends a timeline, SpanBatch.summary):
// the waterfall draws from it alone; a selected span's attributes, events and links are asked for
// (spanDetails) with a line in their place until they come, or saying why they cannot; `key=value`
// search asks the host (matchAttributes) and shows what it answers.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeSpanBatch, SUMMARY_ATTRIBUTE_KEYS, type SpanBatch } from '../../src/protocol/spanBatch';
import type { AttrValue, SpanView } from '../../src/protocol/spanView';
import { timelineSuite, type PageElement, type TimelinePage } from './harness';
import { smallRun, TRACE as SMALL_TRACE } from './smallRun';

const OUT = join(__dirname, '..', '..', '..', 'test-results');

mkdirSync(OUT, { recursive: true });
const open = timelineSuite();

const TRACE = SMALL_TRACE;

/** The batch the store sends a panel: the summary keys only, no event or link attributes. */
function summaryOf(spans: SpanView[]): SpanBatch {
  const keep = new Set(SUMMARY_ATTRIBUTE_KEYS);
  const cut = spans.map((s) => ({
    ...s,
    attributes: Object.fromEntries(Object.entries(s.attributes).filter(([k]) => keep.has(k))) as Record<string, AttrValue>,
    events: s.events.map((e) => ({ ...e, attributes: {} })),
  }));
  return { ...encodeSpanBatch(cut), summary: true };
}

async function rowLabels(tp: TimelinePage): Promise<string[]> {
  return tp.page.$$eval('.viewport .row', (rows) =>
    rows
      .filter((r) => (r as unknown as PageElement).style.display !== 'none')
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((r) => r.querySelector('.label')!.textContent!),
  );
}

async function showSummary(tp: TimelinePage): Promise<void> {
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: TRACE, title: 'create-cluster', spans: summaryOf(smallRun()), live: false });
  await tp.waitFor('rendered', n);
}

void test('details on demand: a selected span is asked for, a line shows until it comes, then its attributes, exception and logs', async () => {
  const run = smallRun();
  for (const width of [1400, 760]) {
    for (const theme of ['light', 'dark'] as const) {
      const tp = await open({ theme, width, height: 560 });
      try {
        await showSummary(tp);
        // Drawn from the summary alone: kinds, outcome, convergence, the error mark.
        assert.deepEqual((await rowLabels(tp)).slice(0, 3), ['plan create-cluster · converged', 'pass 1', 'create_security_group']);
        assert.equal(await tp.page.locator('.row.error').count() > 0, true);
        let n = (await tp.posted()).length;
        await tp.page.click('.row[data-node="4"] .label');
        assert.deepEqual(await tp.waitFor('spanDetails', n), { type: 'spanDetails', traceId: TRACE, spanId: 's2' });
        await tp.page.waitForSelector('.details-pending:has-text("Loading the attributes, events and links")');
        // What the batch has is shown at once.
        assert.match((await tp.page.textContent('.details'))!, /register_cluster_node_to_lb/);
        await tp.page.screenshot({ path: join(OUT, `timeline-details-loading-${theme}-${width}.png`) });
        await tp.post({ type: 'spanDetails', traceId: TRACE, spanId: 's2', span: encodeSpanBatch([run[4]!]) });
        await tp.page.waitForSelector('.details :text("ThrottlingError: throttled")');
        const text = (await tp.page.textContent('.details'))!;
        assert.match(text, /procedure\.type/);
        assert.match(text, /RegisterNodes/);
        assert.match(text, /at register \(create-cluster\.ts:88:11\)/);
        assert.equal(await tp.page.locator('.details-pending').count(), 0);
        await tp.page.screenshot({ path: join(OUT, `timeline-details-loaded-${theme}-${width}.png`) });
        // Selected again: kept, not asked for again. (Counted from here: other messages, such as the
        // signals report of the first render, may have come between the click and the ask above.)
        n = (await tp.posted()).length;
        await tp.page.click('.row[data-node="2"] .label');
        const asked = await tp.waitFor('spanDetails', n);
        assert.equal(asked.spanId, 's1');
        await tp.post({ type: 'spanDetails', traceId: TRACE, spanId: 's1', span: encodeSpanBatch([run[2]!]) });
        await tp.page.waitForSelector('.details .activity .act-body:has-text("creating sg")');
        n = (await tp.posted()).length;
        await tp.page.click('.row[data-node="4"] .label');
        await tp.page.waitForSelector('.details :text("ThrottlingError: throttled")');
        assert.equal((await tp.posted()).slice(n).filter((m) => m.type === 'spanDetails').length, 0, 'a span already fetched is not asked for again');
      } finally {
        await tp.close();
      }
    }
  }
});

void test('details on demand: a span the collector no longer has says so, and the rest of the details stay', async () => {
  const tp = await open({ theme: 'dark', width: 1400, height: 560 });
  try {
    await showSummary(tp);
    const n = (await tp.posted()).length;
    await tp.page.click('.row[data-node="3"] .label');
    assert.equal((await tp.waitFor('spanDetails', n)).spanId, 'c1');
    const message = 'This run is no longer in the collector (evicted or deleted): its attributes, events and links cannot be shown.';
    await tp.post({ type: 'spanDetails', traceId: TRACE, spanId: 'c1', message });
    await tp.page.waitForSelector('.details-pending:has-text("no longer in the collector")');
    assert.match((await tp.page.textContent('.details'))!, /EC2 CreateSecurityGroup/);
    // An answer for another run, or a malformed one, changes nothing.
    await tp.post({ type: 'spanDetails', traceId: 'f'.repeat(32), spanId: 'c1', span: encodeSpanBatch([smallRun()[3]!]) });
    assert.match((await tp.page.textContent('.details'))!, /no longer in the collector/);
    await tp.page.screenshot({ path: join(OUT, 'timeline-details-gone-dark.png') });
  } finally {
    await tp.close();
  }
});

void test('search on demand: key=value tokens are matched by the host; the rows show its answer', async () => {
  const tp = await open({ width: 1400, height: 560 });
  try {
    await showSummary(tp);
    const n = (await tp.posted()).length;
    await tp.page.fill('.search', 'rpc.service=ELBv2');
    await tp.page.press('.search', 'Enter');
    const asked = await tp.waitFor('matchAttributes', n);
    assert.deepEqual(asked.tokens, [{ key: 'rpc.service', value: 'elbv2' }]);
    assert.equal(asked.traceId, TRACE);
    await tp.page.waitForSelector('.filter-empty:has-text("Searching the attributes")');
    // An answer to another query is ignored.
    await tp.post({ type: 'attributeMatches', traceId: TRACE, query: 'other', seq: asked.seq, spanIds: ['c1'], full: true });
    await tp.post({ type: 'attributeMatches', traceId: TRACE, query: asked.query, seq: asked.seq, spanIds: ['c2', 'c3'], full: true, cursor: { generation: 1, spans: 8 } });
    await tp.page.waitForSelector('.filter-empty', { state: 'hidden' });
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets', 'ELBv2 RegisterTargets']);
    assert.match((await tp.page.textContent('.status'))!, /2 match/);
    // Words still match names in the page, without asking.
    const m = (await tp.posted()).length;
    await tp.page.fill('.search', 'security');
    await tp.page.press('.search', 'Enter');
    assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'create_security_group', 'EC2 CreateSecurityGroup']);
    assert.equal((await tp.posted()).slice(m).filter((x) => x.type === 'matchAttributes').length, 0);
  } finally {
    await tp.close();
  }
});

void test('live search on demand: after each update the page asks about the new spans only; their matches join the rows, a changed query starts over, stale answers are ignored', async () => {
  const run = smallRun();
  const byId = (ids: string[]) => summaryOf(run.filter((s) => ids.includes(s.spanId)));
  const asks = async (tp: TimelinePage, from: number) => (await tp.posted()).slice(from).filter((m) => m.type === 'matchAttributes');
  for (const width of [1400, 760]) {
    for (const theme of ['light', 'dark'] as const) {
      const tp = await open({ theme, width, height: 560 });
      try {
        let n = (await tp.posted()).length;
        await tp.post({ type: 'showRun', traceId: TRACE, title: 'create-cluster', spans: byId(['r', 'p1', 's1', 'c1']), live: true });
        await tp.waitFor('rendered', n);
        n = (await tp.posted()).length;
        await tp.page.fill('.search', 'rpc.service=ELBv2');
        await tp.page.press('.search', 'Enter');
        const first = await tp.waitFor('matchAttributes', n);
        assert.equal(first.since, undefined, 'a new query searches every span');
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: first.query, seq: first.seq, spanIds: [], full: true, cursor: { generation: 3, spans: 4 } });
        await tp.page.waitForSelector('.filter-empty:has-text("No span matches the filter")');

        // Spans arrive: asked about from the last answer's cursor; the match joins the rows.
        n = (await tp.posted()).length;
        await tp.post({ type: 'updateRun', traceId: TRACE, spans: byId(['s2', 'c2']), live: true });
        const second = await tp.waitFor('matchAttributes', n);
        assert.equal(second.query, first.query);
        assert.deepEqual(second.since, { generation: 3, spans: 4 });
        assert.ok(second.seq > first.seq);
        // While it is answered, a late answer to the first ask (another seq) changes nothing.
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: first.query, seq: first.seq, spanIds: ['c1'], full: true, cursor: { generation: 3, spans: 4 } });
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: second.query, seq: second.seq, spanIds: ['c2'], full: false, cursor: { generation: 3, spans: 6 } });
        await tp.page.waitForSelector('.filter-empty', { state: 'hidden' });
        assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets']);
        assert.match((await tp.page.textContent('.status'))!, /1 match/);

        // Two updates while an ask is out: one ask at a time, the next from the answer's cursor.
        n = (await tp.posted()).length;
        await tp.post({ type: 'updateRun', traceId: TRACE, spans: byId(['c3']), live: true });
        const third = await tp.waitFor('matchAttributes', n);
        assert.deepEqual(third.since, { generation: 3, spans: 6 });
        await tp.post({ type: 'updateRun', traceId: TRACE, spans: byId(['p2']), live: true });
        await tp.page.waitForSelector('.status:has-text("8 spans")');
        assert.equal((await asks(tp, n)).length, 1, 'no second ask while the first is out');
        const m = (await tp.posted()).length;
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: third.query, seq: third.seq, spanIds: ['c3'], full: false, cursor: { generation: 3, spans: 7 } });
        const fourth = await tp.waitFor('matchAttributes', m);
        assert.deepEqual(fourth.since, { generation: 3, spans: 7 });
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: fourth.query, seq: fourth.seq, spanIds: [], full: false, cursor: { generation: 3, spans: 8 } });
        await tp.page.waitForSelector('.status:has-text("2 match")');
        assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'register_cluster_node_to_lb', 'ELBv2 RegisterTargets', 'ELBv2 RegisterTargets']);
        await tp.page.screenshot({ path: join(OUT, `timeline-live-search-${theme}-${width}.png`) });

        // The run's spans replaced (a span sent again): the next ask searches everything; a full answer replaces the matches.
        n = (await tp.posted()).length;
        await tp.post({ type: 'updateRun', traceId: TRACE, spans: summaryOf(run), live: true, replace: true });
        const fifth = await tp.waitFor('matchAttributes', n);
        assert.equal(fifth.since, undefined);
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: fifth.query, seq: fifth.seq, spanIds: ['c3'], full: true, cursor: { generation: 4, spans: 8 } });
        await tp.page.waitForSelector('.status:has-text("1 match")');

        // Another query starts over: asked without a cursor, "Searching" until its answer; the old query's answers are ignored.
        n = (await tp.posted()).length;
        await tp.page.fill('.search', 'rpc.service=EC2');
        await tp.page.press('.search', 'Enter');
        const other = await tp.waitFor('matchAttributes', n);
        assert.equal(other.since, undefined);
        assert.deepEqual(other.tokens, [{ key: 'rpc.service', value: 'ec2' }]);
        await tp.page.waitForSelector('.filter-empty:has-text("Searching the attributes")');
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: fifth.query, seq: fifth.seq, spanIds: ['c2', 'c3'], full: true, cursor: { generation: 4, spans: 8 } });
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: other.query, seq: other.seq + 1, spanIds: ['c2'], full: true, cursor: { generation: 4, spans: 8 } });
        await tp.post({ type: 'attributeMatches', traceId: TRACE, query: other.query, seq: other.seq, spanIds: ['c1'], full: true, cursor: { generation: 4, spans: 8 } });
        await tp.page.waitForSelector('.filter-empty', { state: 'hidden' });
        assert.deepEqual(await rowLabels(tp), ['plan create-cluster · converged', 'pass 1', 'create_security_group', 'EC2 CreateSecurityGroup']);
      } finally {
        await tp.close();
      }
    }
  }
});
