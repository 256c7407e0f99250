// A small create-cluster-like run (the timeline's browser tests share it).
import type { SpanView } from '../../src/protocol/spanView';

export const TRACE = 'aaaabbbbccccddddeeeeffff00001111';

export function sp(id: string, parent: string | undefined, name: string, start: number, end: number, attrs: SpanView['attributes'], extra: Partial<SpanView> = {}): SpanView {
  const s: SpanView = { traceId: TRACE, spanId: id, name, startMs: 1000 + start, endMs: 1000 + end, status: 'unset', attributes: attrs, events: [], ...extra };
  if (parent) s.parentSpanId = parent;
  return s;
}

/** A small create-cluster-like run. */
export function smallRun(): SpanView[] {
  return [
    sp('r', undefined, 'plan create-cluster', 0, 1000, { 'instrument_first.kind': 'plan', 'plan.outcome': 'converged', 'plan.passes': 2 }),
    sp('p1', 'r', 'pass 1', 1, 900, { 'instrument_first.kind': 'pass', 'plan.pass': 1, 'plan.pass.step_count': 2 }),
    sp('s1', 'p1', 'create_security_group', 2, 200, { 'instrument_first.kind': 'step', 'procedure.id': 'create_security_group', 'procedure.type': 'CreateSecurityGroup' }, {
      events: [{ name: 'log', timeMs: 1010, attributes: { 'log.severity': 'info', 'log.message': 'creating sg' } }],
    }),
    sp('c1', 's1', 'EC2 CreateSecurityGroup', 10, 150, { 'instrument_first.kind': 'call', 'rpc.service': 'EC2' }),
    sp('s2', 'p1', 'register_cluster_node_to_lb', 210, 880, { 'instrument_first.kind': 'step', 'procedure.id': 'register_cluster_node_to_lb', 'procedure.type': 'RegisterNodes' }, {
      status: 'error',
      statusMessage: 'throttled',
      events: [{ name: 'exception', timeMs: 1870, attributes: { 'exception.type': 'ThrottlingError', 'exception.message': 'throttled', 'exception.stacktrace': 'ThrottlingError: throttled\n    at register (create-cluster.ts:88:11)' } }],
    }),
    sp('c2', 's2', 'ELBv2 RegisterTargets', 220, 500, { 'instrument_first.kind': 'call', 'rpc.service': 'ELBv2' }),
    sp('c3', 's2', 'ELBv2 RegisterTargets', 510, 860, { 'instrument_first.kind': 'call', 'rpc.service': 'ELBv2' }),
    sp('p2', 'r', 'pass 2', 901, 999, { 'instrument_first.kind': 'pass', 'plan.pass': 2, 'plan.pass.step_count': 0, 'plan.pass.converged': true }),
  ];
}
