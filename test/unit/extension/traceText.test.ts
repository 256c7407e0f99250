import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceToText } from '../../../src/views/traceText';
import type { SpanNode, TraceTree } from '../../../src/protocol/collectorTypes';

function node(name: string, start: number, end: number, kind: string, children: SpanNode[] = [], status: SpanNode['status'] = 'unset'): SpanNode {
  return { traceId: 't'.repeat(32), spanId: name, name, startMs: start, endMs: end, status, attributes: { 'instrument_first.kind': kind }, events: [], children };
}

test('a run as text: waterfall rows, call counts, errors listed; span text cannot inject lines', () => {
  const step = node('register\nnodes', 10, 60, 'step', [node('ELBv2 RegisterTargets', 20, 50, 'call')], 'error');
  step.statusMessage = 'boom';
  const tree: TraceTree = {
    traceId: 'f'.repeat(32),
    spanCount: 4,
    summary: { traceId: 'f'.repeat(32), kind: 'plan', plan: 'create-cluster', startMs: 0, durationMs: 100, passes: 1, status: 'failed', spanCount: 4, errorCount: 1, serviceName: 'svc' },
    roots: [node('plan create-cluster', 0, 100, 'plan', [node('pass 1', 0, 100, 'pass', [step])])],
  };
  const text = traceToText(tree);
  assert.match(text, /^plan create-cluster · failed in pass 1 · 100 ms · 1 error$/m);
  assert.match(text, /^ {4}register nodes +50 ms \|.*\| ✗ {2}1 call$/m);
  assert.match(text, /^errors:\n {2}register nodes: boom$/m);
});
