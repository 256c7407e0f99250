// Hand-built spans for the timeline's unit tests.
import { strict as assert } from 'node:assert';
import { encodeSpanBatch } from '../../../src/protocol/spanBatch';
import { isSpanBatch } from '../../../src/protocol/spanBatchCheck';
import type { AttrValue, SpanView } from '../../../src/protocol/spanView';
import { SpanTable } from '../../../src/timelineModel/spanTable';
import type { SpanTree } from '../../../src/timelineModel/spanTree';
import { buildSpanTree } from '../../../src/timelineModel/spanTreeBuilder';

export function span(id: string, parent: string | undefined, startMs: number, endMs: number, attributes: Record<string, AttrValue> = {}, extra: Partial<SpanView> = {}): SpanView {
  const s: SpanView = { traceId: 't1', spanId: id, name: id, startMs, endMs, status: 'unset', attributes, events: [], ...extra };
  if (parent !== undefined) s.parentSpanId = parent;
  return s;
}

/** A two-pass plan run: pass 1 has steps a (returns a1, a2) and b (one call); pass 2 is the empty converged pass. */
export function planRun(): SpanView[] {
  return [
    span('root', undefined, 0, 100, { 'instrument_first.kind': 'plan', 'plan.outcome': 'converged', 'plan.passes': 2 }, { name: 'plan demo' }),
    span('p1', 'root', 1, 90, { 'instrument_first.kind': 'pass', 'plan.pass': 1, 'plan.pass.step_count': 2 }, { name: 'pass 1' }),
    span('a', 'p1', 2, 10, { 'instrument_first.kind': 'step', 'procedure.id': 'a', 'procedure.type': 'StepA' }),
    span('a1', 'a', 11, 30, { 'instrument_first.kind': 'step', 'procedure.id': 'a1', 'procedure.type': 'StepA1' }),
    span('a2', 'a', 31, 40, { 'instrument_first.kind': 'step', 'procedure.id': 'a2', 'procedure.type': 'StepA2' }),
    span('b', 'p1', 41, 89, { 'instrument_first.kind': 'step', 'procedure.id': 'b', 'procedure.type': 'StepB' }, { status: 'error' }),
    span('b.call', 'b', 50, 80, { 'instrument_first.kind': 'call', 'rpc.service': 'EC2' }, { name: 'EC2 RunInstances' }),
    span('p2', 'root', 91, 99, { 'instrument_first.kind': 'pass', 'plan.pass': 2, 'plan.pass.step_count': 0, 'plan.pass.converged': true }, { name: 'pass 2' }),
  ];
}

/** Spans with every kind of field: arrays, a NaN, status messages, events with attributes, odd keys. */
export function variedSpans(): SpanView[] {
  return [
    ...planRun(),
    span('v', 'root', 3, 4, { tags: ['a', 'b'], nums: [1, 2.5], flags: [true, false], empty: [], odd: [1, Infinity], nan: NaN, neg: -0.25, t: true, f: false }, {
      status: 'error',
      statusMessage: 'boom',
      events: [
        { name: 'log', timeMs: 3.5, attributes: { 'log.message': 'hi', n: 1 } },
        { name: 'exception', timeMs: 3.9, attributes: {} },
      ],
    }),
    // Keys that are special on plain objects, as JSON.parse (and a structured clone) makes them: own properties.
    span('w', '', 5, 6, JSON.parse('{"__proto__": "not a prototype", "constructor": "x", "é😀": "<img src=x onerror=alert(1)>"}') as Record<string, string>, {
      status: 'ok',
      statusMessage: '',
    }),
  ];
}

/** The tree the webview builds from these spans: encoded as the extension sends them, checked, built. */
export function treeOf(spans: readonly SpanView[]): SpanTree {
  const batch = encodeSpanBatch(spans);
  assert.ok(isSpanBatch(batch), 'the encoded batch passes the webview check');
  return buildSpanTree(new SpanTable(batch));
}
