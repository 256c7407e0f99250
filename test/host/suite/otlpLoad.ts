// Synthetic OTLP/JSON traffic for the extension's measurements (no vscode import: it also runs as
// a child process that sends load). `node otlpLoad.js <endpoint> <spansPerSecond> <seconds>`.
import { randomBytes } from 'node:crypto';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string; boolValue?: boolean } }>;
  status: { code: number };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ns = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
const attr = (key: string, v: string | number | boolean) => ({
  key,
  value: typeof v === 'string' ? { stringValue: v } : typeof v === 'number' ? { intValue: String(v) } : { boolValue: v },
});

const CLASSES: Array<[string, string]> = [
  ['CreateSecurityGroup', 'create_security_group'],
  ['ConfigureIngress', 'configure_ingress'],
  ['ConfigureEgress', 'configure_egress'],
  ['CreateInstances', 'create_instances'],
  ['WaitForInstances', 'wait_for_instances'],
  ['CreateLoadBalancer', 'create_load_balancer'],
  ['RegisterClusterNodeToLb', 'register_cluster_node_to_lb'],
];

/** A converged two-pass run of `plan` with exactly `total` spans; steps carry `code.filepath`. */
export function syntheticRun(plan: string, total: number, filepath: string, startMs = Date.now() - 5000): { traceId: string; spans: OtlpSpan[] } {
  const traceId = hex(16);
  const spans: OtlpSpan[] = [];
  const span = (name: string, parent: string | undefined, start: number, end: number, attributes: OtlpSpan['attributes']): string => {
    const spanId = hex(8);
    spans.push({ traceId, spanId, ...(parent ? { parentSpanId: parent } : {}), name, kind: 1, startTimeUnixNano: ns(start), endTimeUnixNano: ns(end), attributes, status: { code: 0 } });
    return spanId;
  };
  const end = startMs + 4000;
  const rootId = hex(8);
  const pass1 = span('pass 1', rootId, startMs, end - 10, [attr('instrument_first.kind', 'pass'), attr('plan.name', plan), attr('plan.pass', 1)]);
  let remaining = total - 3;
  let i = 0;
  let t = startMs;
  while (remaining > 0) {
    const [type, id] = CLASSES[i % CLASSES.length]!;
    const calls = Math.min(4, remaining - 1);
    const step = span(id, pass1, t, t + 8, [
      attr('instrument_first.kind', 'step'), attr('plan.name', plan), attr('plan.pass', 1), attr('procedure.id', id),
      attr('procedure.type', type), attr('procedure.depth', 0), attr('code.filepath', filepath),
    ]);
    for (let c = 0; c < calls; c++) span(`EC2 Call${c}`, step, t + c, t + c + 1, [attr('instrument_first.kind', 'call'), attr('rpc.service', 'EC2')]);
    remaining -= 1 + calls;
    t += 9;
    i++;
  }
  span('pass 2', rootId, end - 9, end - 1, [attr('instrument_first.kind', 'pass'), attr('plan.name', plan), attr('plan.pass', 2), attr('plan.pass.converged', true)]);
  // The root comes last, as from the SDK (it ends last).
  spans.push({
    traceId, spanId: rootId, name: `plan ${plan}`, kind: 1, startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(end), status: { code: 0 },
    attributes: [attr('instrument_first.kind', 'plan'), attr('plan.name', plan), attr('plan.passes', 2), attr('plan.outcome', 'converged'), attr('plan.steps_run', i)],
  });
  return { traceId, spans };
}

export function otlpBody(spans: OtlpSpan[], service = 'load'): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ scope: { name: 'instrument-first' }, spans }] }] });
}

/** Posts spans in batches of 512, root spans last, as the SDK would. */
export async function postRun(endpoint: string, spans: OtlpSpan[], service?: string): Promise<void> {
  for (let i = 0; i < spans.length; i += 512) {
    const res = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpBody(spans.slice(i, i + 512), service) });
    if (!res.ok) throw new Error(`collector answered ${res.status}`);
    await res.arrayBuffer();
  }
}

/** Sends about `rate` spans/s for `seconds`: runs of 2,048 spans, 4 batches each, paced per 100 ms. */
async function load(endpoint: string, rate: number, seconds: number): Promise<void> {
  const templates = Array.from({ length: 8 }, () => syntheticRun('load-plan', 2048, '/load/plan.ts'));
  const bodies = templates.map((t) => [0, 1, 2, 3].map((b) => otlpBody(t.spans.slice(b * 512, b * 512 + 512))));
  const started = Date.now();
  let sent = 0;
  let k = 0;
  const inFlight = new Set<Promise<void>>();
  const postOne = async (n: number) => {
    const tpl = templates[n % templates.length]!;
    const fresh = hex(16);
    // New trace id per run; same shape. Batches of one run go one after another, as from one SDK.
    for (const b of bodies[n % bodies.length]!) {
      const res = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.split(tpl.traceId).join(fresh) });
      await res.arrayBuffer();
    }
  };
  while (Date.now() - started < seconds * 1000) {
    const due = ((Date.now() - started) / 1000) * rate;
    if (sent >= due || inFlight.size >= 8) {
      await (inFlight.size >= 8 ? Promise.race(inFlight) : new Promise((r) => setTimeout(r, 5)));
      continue;
    }
    const p: Promise<void> = postOne(k++).finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent += 2048;
  }
  await Promise.all(inFlight);
  process.stdout.write(JSON.stringify({ sent, seconds: (Date.now() - started) / 1000 }) + '\n');
}

// Run as a script (forked by the host suite and the extension bench, which bundles this module in
// too: there `require.main === module` holds for the bench itself, so the file name decides).
if (require.main === module && /otlpLoad\.js$/.test(process.argv[1] ?? '')) {
  const [endpoint, rate, seconds] = process.argv.slice(2);
  load(endpoint!, Number(rate ?? 50_000), Number(seconds ?? 5)).catch((e: unknown) => {
    process.stderr.write(String(e) + '\n');
    process.exit(1);
  });
}
