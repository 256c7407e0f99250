// Request bodies for the collector benchmark, made by the real OTel serializers: templates of 512
// spans × 10 attributes whose ids (and two per-span attribute values) carry a tag that the load
// process replaces per request, so every request holds new, unique traces at no cost to the server.
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { context, trace, type Span } from '@opentelemetry/api';

export const TAG = 'feedface';
export const TAG_BYTES = Buffer.from(TAG, 'hex');
export const SPANS_PER_BODY = 512;

class TaggedIds implements IdGenerator {
  private span = 0;
  constructor(private readonly template: number) {}
  generateTraceId(): string {
    return `${TAG}${this.template.toString(16).padStart(8, '0')}0123456789abcdef`;
  }
  generateSpanId(): string {
    return `${TAG}${(++this.span).toString(16).padStart(8, '0')}`;
  }
}

const PROCEDURES = ['create_security_group', 'configure_ingress', 'configure_egress', 'create_instances', 'wait_for_instances', 'create_load_balancer', 'register_cluster_node_to_lb', 'tag_resources', 'create_dns_record', 'attach_volumes', 'install_agent', 'verify_health'];

/** One plan run of 512 spans: root, pass, 170 steps with 2 calls each; 10 attributes per span. */
function makeSpans(template: number): ReturnType<InMemorySpanExporter['getFinishedSpans']> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    idGenerator: new TaggedIds(template),
    resource: resourceFromAttributes({ 'service.name': 'bench-plan' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('instrument-first');
  const t0 = 1_763_000_000_000 + template * 60_000;
  const withParent = (p: Span): ReturnType<typeof trace.setSpan> => trace.setSpan(context.active(), p);
  const root = tracer.startSpan('plan bench', { startTime: t0, attributes: { 'instrument_first.kind': 'plan', 'plan.name': 'bench', 'plan.passes': 1, 'plan.outcome': 'converged', 'plan.steps_run': 170, 'service.version': '1.4.2', 'deployment.environment': 'dev', 'host.name': 'bench-host', 'process.pid': 4242, 'plan.attempt': 1 } });
  const pass = tracer.startSpan('pass 1', { startTime: t0 + 1, attributes: { 'instrument_first.kind': 'pass', 'plan.name': 'bench', 'plan.pass': 1, 'plan.pass.step_count': 170, 'plan.pass.converged': false, 'a.b': 'c', 'x.y': 1, 'z.w': true, 'q.r': 'lorem', 's.t': 2.5 } }, withParent(root));
  let t = t0 + 2;
  for (let i = 0; i < 170; i++) {
    const id = PROCEDURES[i % PROCEDURES.length]!;
    const step = tracer.startSpan(id, { startTime: t }, withParent(pass));
    const sid = step.spanContext().spanId;
    step.setAttributes({ 'instrument_first.kind': 'step', 'plan.name': 'bench', 'plan.pass': 1, 'procedure.id': id, 'procedure.type': 'class', 'procedure.depth': 0, 'code.function': `${id}.do`, 'code.filepath': `/home/dev/plans/cluster/${id}.ts`, 'aws.request_id': `req-${sid}-7f3a`, 'step.note': `step ${i} of ${sid}` });
    for (let c = 0; c < 2; c++) {
      const call = tracer.startSpan(c === 0 ? 'EC2 DescribeInstances' : 'ELBv2 RegisterTargets', { startTime: t + 1 + c * 3 }, withParent(step));
      const cid = call.spanContext().spanId;
      call.setAttributes({ 'instrument_first.kind': 'call', 'rpc.system': 'aws-api', 'rpc.service': c === 0 ? 'EC2' : 'ELBv2', 'rpc.method': c === 0 ? 'DescribeInstances' : 'RegisterTargets', 'cloud.region': 'eu-west-1', 'http.request.method': 'POST', 'http.response.status_code': 200, 'aws.request_id': `req-${cid}-9c1e`, 'url.full': `https://ec2.eu-west-1.amazonaws.com/?Action=x&Id=${cid}`, 'retry.count': 0 });
      call.end(t + 3 + c * 3);
    }
    step.end(t + 9);
    t += 10;
  }
  pass.end(t);
  root.end(t + 1);
  return exporter.getFinishedSpans();
}

export interface Templates {
  json: string[][];
  proto: Buffer[];
}

/** `count` templates; JSON ones pre-split at the tag so that filling one in is a join. */
export function makeTemplates(count: number): Templates {
  const json: string[][] = [];
  const proto: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const spans = makeSpans(i);
    if (spans.length !== SPANS_PER_BODY) throw new Error(`expected ${SPANS_PER_BODY} spans, got ${spans.length}`);
    json.push(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8').split(TAG));
    proto.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
  }
  return { json, proto };
}

/** The tag of request n: 8 hex digits, never the template tag itself. */
export function tagOf(n: number): string {
  return (0x10000000 + n).toString(16).padStart(8, '0');
}

export function jsonBody(t: Templates, n: number): Buffer {
  return Buffer.from(t.json[n % t.json.length]!.join(tagOf(n)), 'utf8');
}

export function protoBody(t: Templates, n: number): Buffer {
  const src = t.proto[n % t.proto.length]!;
  const out = Buffer.from(src);
  const tag = tagOf(n);
  const bytes = Buffer.from(tag, 'hex');
  const text = Buffer.from(tag, 'latin1');
  const textTag = Buffer.from(TAG, 'latin1');
  for (let i = out.indexOf(TAG_BYTES); i >= 0; i = out.indexOf(TAG_BYTES, i + 4)) bytes.copy(out, i);
  for (let i = out.indexOf(textTag); i >= 0; i = out.indexOf(textTag, i + 8)) text.copy(out, i);
  return out;
}
