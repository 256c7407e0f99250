// A plan-shaped trace of about `n` spans: root, passes, steps (some returning further steps),
// calls with attributes, log lines, a few errors. Self-contained (no imports, no outer names) so
// it can also be handed to page.evaluate and run inside the browser.
import type { SpanView } from '../../src/protocol/spanView';

export function syntheticTrace(n: number, traceId = '0af7651916cd43dd8448eb211c80319c'): SpanView[] {
  const spans: SpanView[] = [];
  let seq = 0;
  const id = () => (++seq).toString(16).padStart(16, '0');
  const t0 = 1_700_000_000_000;
  const rootId = id();
  const passes = Math.max(2, Math.min(5, Math.round(Math.log10(n + 10))));
  const budget = n - 1 - passes;
  const perPass = Math.floor(budget / (passes - 1));
  let t = t0 + 1;
  let rand = 42;
  const rnd = () => {
    rand = (rand * 1103515245 + 12345) & 0x7fffffff;
    return rand / 0x7fffffff;
  };
  const services = ['EC2', 'ELBv2', 'S3', 'IAM', 'RDS'];
  for (let p = 1; p <= passes; p++) {
    const passId = id();
    const passStart = t;
    const last = p === passes;
    let count = 0;
    const want = last ? 0 : p === passes - 1 ? budget - perPass * (passes - 2) : perPass;
    let stepNo = 0;
    while (count < want) {
      const stepId = id();
      const sid = `step_${p}_${stepNo++}`;
      const start = t;
      const calls = Math.min(want - count - 1, 1 + Math.floor(rnd() * 6));
      const callSpans: SpanView[] = [];
      let ct = start + 0.05;
      for (let c = 0; c < calls; c++) {
        const d = 0.2 + rnd() * 3;
        const svc = services[Math.floor(rnd() * services.length)]!;
        callSpans.push({
          traceId,
          spanId: id(),
          parentSpanId: stepId,
          name: `${svc} Call${c}`,
          startMs: ct,
          endMs: ct + d,
          status: 'unset',
          attributes: { 'instrument_first.kind': 'call', 'rpc.system': 'aws-api', 'rpc.service': svc, 'rpc.method': `Call${c}`, 'aws.request': `{"n":${c}}` },
          events: [],
        });
        ct += d + 0.02;
      }
      const end = ct + 0.05;
      const error = rnd() < 0.002;
      spans.push({
        traceId,
        spanId: stepId,
        parentSpanId: passId,
        name: sid,
        startMs: start,
        endMs: end,
        status: error ? 'error' : 'unset',
        attributes: {
          'instrument_first.kind': 'step',
          'plan.name': 'synthetic',
          'plan.pass': p,
          'procedure.id': sid,
          'procedure.type': `Step${stepNo % 50}`,
          'procedure.depth': 0,
          'code.function': `Step${stepNo % 50}.do`,
        },
        events: [{ name: 'log', timeMs: start + 0.01, attributes: { 'log.severity': 'info', 'log.message': `running ${sid}` } }],
      });
      for (const c of callSpans) spans.push(c);
      count += 1 + calls;
      t = end + 0.01;
    }
    spans.push({
      traceId,
      spanId: passId,
      parentSpanId: rootId,
      name: `pass ${p}`,
      startMs: passStart,
      endMs: t + 0.01,
      status: 'unset',
      attributes: { 'instrument_first.kind': 'pass', 'plan.name': 'synthetic', 'plan.pass': p, 'plan.pass.step_count': last ? 0 : stepNo, ...(last ? { 'plan.pass.converged': true } : {}) },
      events: [],
    });
    t += 0.02;
  }
  spans.push({
    traceId,
    spanId: rootId,
    name: 'plan synthetic',
    startMs: t0,
    endMs: t + 0.01,
    status: 'unset',
    attributes: { 'instrument_first.kind': 'plan', 'plan.name': 'synthetic', 'plan.passes': passes, 'plan.outcome': 'converged' },
    events: [],
  });
  return spans;
}
