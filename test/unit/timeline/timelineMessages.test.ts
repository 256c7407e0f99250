import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { parseHostToWebview, parseTimelineState, parseWebviewToHost } from '../../../src/protocol/timelineMessages';
import { planRun } from './spanFixtures';

void test('host → webview: valid messages pass, malformed ones are dropped', () => {
  const spans = encodeSpanBatch(planRun());
  assert.ok(parseHostToWebview({ type: 'showRun', traceId: 't1', title: 'x', spans, live: false }));
  assert.ok(parseHostToWebview({ type: 'updateRun', traceId: 't1', spans, live: true }));
  assert.ok(parseHostToWebview({ type: 'codeResult', spanId: 's', ok: false, message: 'no index' }));
  // Spans as objects (the old format) or a batch with a bad column: dropped.
  assert.equal(parseHostToWebview({ type: 'showRun', traceId: 't1', title: 'x', spans: planRun(), live: false }), undefined);
  assert.equal(parseHostToWebview({ type: 'showRun', traceId: 't1', title: 'x', spans: { ...spans, times: [1, 2] }, live: false }), undefined);
  assert.equal(parseHostToWebview({ type: 'showRun', traceId: 't1', title: 'x', spans, live: false, resource: { a: { nested: 1 } } }), undefined);
  assert.equal(parseHostToWebview({ type: 'eval', code: 'alert(1)' }), undefined);
  assert.equal(parseHostToWebview(null), undefined);
  assert.equal(parseHostToWebview('showRun'), undefined);
  assert.equal(parseHostToWebview({ type: 'showCompare', compare: { a: {}, b: {} } }), undefined);
});

void test('webview → host: only known messages, with only their fields', () => {
  assert.deepEqual(parseWebviewToHost({ type: 'openCode', traceId: 't', spanId: 's', extra: 1 }), { type: 'openCode', traceId: 't', spanId: 's' });
  assert.deepEqual(parseWebviewToHost({ type: 'ready' }), { type: 'ready' });
  assert.equal(parseWebviewToHost({ type: 'openCode', traceId: 't' }), undefined);
  assert.equal(parseWebviewToHost({ type: 'copy', text: 5 }), undefined);
  assert.equal(parseWebviewToHost({ type: 'log', level: 'fatal', message: 'x' }), undefined);
  assert.equal(parseWebviewToHost({ type: 'runCommand', command: 'workbench.action.terminal.new' }), undefined);
  assert.equal(parseWebviewToHost(undefined), undefined);
});

void test('persisted state: defaults for missing parts, unusable states rejected', () => {
  assert.deepEqual(parseTimelineState({ view: 'run', traceId: 't', collapsed: ['a', 3] }), {
    view: 'run',
    traceId: 't',
    collapsed: ['a'],
    filter: { text: '', errorsOnly: false, minDurationMs: 0 },
    critical: 'off',
  });
  assert.deepEqual(parseTimelineState({ view: 'compare', a: 'x', b: 'y' }), { view: 'compare', a: 'x', b: 'y' });
  assert.equal(parseTimelineState({ view: 'run' }), undefined);
  assert.equal(parseTimelineState(42), undefined);
  const tabOf = (tab: unknown) => {
    const st = parseTimelineState({ view: 'run', traceId: 't', tab });
    return st?.view === 'run' ? st.tab : 'no state';
  };
  assert.equal(tabOf('logs'), 'logs');
  assert.equal(tabOf('metrics'), 'metrics');
  assert.equal(tabOf('spans'), undefined, 'the waterfall is the default, not stored');
  assert.equal(tabOf('<img>'), undefined);
  const w = parseTimelineState({ view: 'run', traceId: 't', window: { startMs: 5, endMs: 1 }, critical: 'pass', selected: 's' });
  assert.equal(w?.view === 'run' && w.window, undefined);
  assert.equal(w?.view === 'run' && w.critical, 'pass');
});

void test('links and tagged values across the boundary: openLink with hex ids only, notices, tagged resource values', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  assert.deepEqual(parseWebviewToHost({ type: 'openLink', traceId, spanId: '00f067aa0ba902b7', extra: 1 }), { type: 'openLink', traceId, spanId: '00f067aa0ba902b7' });
  assert.equal(parseWebviewToHost({ type: 'openLink', traceId: '../etc', spanId: '00f067aa0ba902b7' }), undefined);
  assert.equal(parseWebviewToHost({ type: 'openLink', traceId, spanId: 5 }), undefined);
  assert.deepEqual(parseHostToWebview({ type: 'notice', text: 'x'.repeat(5000) }), { type: 'notice', text: 'x'.repeat(1000) });
  const spans = encodeSpanBatch(planRun());
  const ok = { type: 'showRun', traceId, title: 't', spans, live: false, focusSpanId: 'a', resource: { big: { kind: 'int', value: '9223372036854775807' }, map: { kind: 'kvlist', keys: ['k'], values: [{ kind: 'empty' }] } } };
  assert.ok(parseHostToWebview(ok));
  assert.equal(parseHostToWebview({ ...ok, resource: { bad: { kind: 'script', value: 'x' } } }), undefined);
  assert.equal(parseHostToWebview({ ...ok, resource: { bad: { kind: 'kvlist', keys: ['a', 'b'], values: [1] } } }), undefined);
  assert.equal(parseHostToWebview({ ...ok, focusSpanId: 7 }), undefined);
});

void test('live attribute search across the boundary: seq and the cursor checked both ways, only their fields kept', () => {
  const tokens = [{ key: 'rpc.service', value: 'elbv2' }];
  const ask = { type: 'matchAttributes', traceId: 't', query: 'rpc.service=elbv2', seq: 3, tokens, since: { generation: 2, spans: 40, extra: 1 } };
  assert.deepEqual(parseWebviewToHost(ask), { ...ask, since: { generation: 2, spans: 40 } });
  const { since: _since, ...first } = ask;
  assert.deepEqual(parseWebviewToHost(first), first);
  for (const bad of [{ seq: -1 }, { seq: 1.5 }, { seq: undefined }, { since: { generation: 1 } }, { since: { generation: 1, spans: -2 } }, { since: [1, 2] }]) {
    assert.equal(parseWebviewToHost({ ...ask, ...bad }), undefined, JSON.stringify(bad));
  }
  const answer = { type: 'attributeMatches', traceId: 't', query: 'q', seq: 3, spanIds: ['a'], full: false, cursor: { generation: 2, spans: 41 } };
  assert.ok(parseHostToWebview(answer));
  assert.ok(parseHostToWebview({ ...answer, cursor: undefined, full: true }), 'the run is gone: no cursor');
  for (const bad of [{ seq: 'x' }, { full: undefined }, { cursor: { generation: 'a', spans: 1 } }, { spanIds: [1] }]) {
    assert.equal(parseHostToWebview({ ...answer, ...bad }), undefined, JSON.stringify(bad));
  }
});
