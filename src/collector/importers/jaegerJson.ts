import { arr, FormatProblem, isObj, obj, type Obj } from './importError';
import {
  addNanos,
  hexId,
  intAttr,
  microsToNanos,
  ResourceGrouper,
  SPAN_KIND,
  STATUS,
  stringAttr,
  type OtlpKeyValue,
  type OtlpLink,
  type OtlpSpan,
  type OtlpTraceRequest,
} from './otlpShapes';

/**
 * Jaeger's JSON — what the Jaeger UI downloads ("Download JSON") and its HTTP API `/api/traces`
 * answer: `{"data":[{traceID, spans:[…], processes:{…}}]}` — also a single trace object or an
 * array of them. Mapped as the OpenTelemetry Collector's Jaeger translator maps it:
 * process → resource (`service.name` + process tags), `span.kind`/`error`/`otel.status_*`/
 * `otel.scope.*` tags → kind, status and scope; logs → events (name from the `event` field);
 * the first CHILD_OF reference within the trace → parent, other references → links with
 * `opentracing.ref_type`.
 */
export function isJaegerJson(doc: unknown): boolean {
  const first = Array.isArray(doc) ? doc[0] : isObj(doc) && Array.isArray(doc.data) ? doc.data[0] : doc;
  return isObj(first) && typeof first.traceID === 'string' && Array.isArray(first.spans);
}

export function jaegerToOtlp(doc: unknown): OtlpTraceRequest {
  let traces: unknown[];
  let base: string;
  if (Array.isArray(doc)) {
    traces = doc;
    base = '$';
  } else if (isObj(doc) && doc.data !== undefined) {
    traces = arr(doc.data, '$.data');
    base = '$.data';
  } else {
    traces = [doc];
    base = '';
  }
  const out = new ResourceGrouper();
  traces.forEach((t, ti) => convertTrace(t, base ? `${base}[${ti}]` : '$', out));
  return out.request();
}

function convertTrace(t: unknown, path: string, out: ResourceGrouper): void {
  const trace = obj(t, path, 'a trace object');
  const processes = trace.processes === undefined ? {} : obj(trace.processes, `${path}.processes`);
  const resources = new Map<string, OtlpKeyValue[]>();
  for (const [id, p] of Object.entries(processes)) resources.set(id, processResource(p, `${path}.processes[${JSON.stringify(id)}]`));
  arr(trace.spans, `${path}.spans`).forEach((s, i) => {
    const sp = `${path}.spans[${i}]`;
    const span = obj(s, sp);
    let resource: OtlpKeyValue[] | undefined;
    if (span.process !== undefined) resource = processResource(span.process, `${sp}.process`);
    else {
      if (typeof span.processID !== 'string') throw new FormatProblem('must name a process of the trace (processID)', `${sp}.processID`);
      resource = resources.get(span.processID);
      if (!resource) throw new FormatProblem(`names process "${span.processID}", which is not in ${path}.processes`, `${sp}.processID`);
    }
    const { span: otlp, scopeName, scopeVersion } = convertSpan(span, sp);
    out.add(resource, scopeName, scopeVersion, otlp);
  });
}

function processResource(p: unknown, path: string): OtlpKeyValue[] {
  const proc = obj(p, path, 'a process object');
  if (typeof proc.serviceName !== 'string') throw new FormatProblem('must have a serviceName', path);
  const attrs = [stringAttr('service.name', proc.serviceName)];
  arr(proc.tags, `${path}.tags`, true).forEach((t, i) => {
    const kv = tag(t, `${path}.tags[${i}]`);
    if (kv.key !== 'service.name') attrs.push(kv);
  });
  return attrs;
}

/** A Jaeger tag (`{key, type, value}`) as an OTLP attribute. */
function tag(t: unknown, path: string): OtlpKeyValue {
  const o = obj(t, path, 'a tag object');
  if (typeof o.key !== 'string') throw new FormatProblem('must have a string key', path);
  const type = typeof o.type === 'string' ? o.type.toLowerCase() : 'string';
  const v = o.value;
  switch (type) {
    case 'string':
      return { key: o.key, value: { stringValue: typeof v === 'string' ? v : JSON.stringify(v ?? '') } };
    case 'bool':
      if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') throw new FormatProblem(`a bool tag must be true or false`, `${path}.value`);
      return { key: o.key, value: { boolValue: v === true || v === 'true' } };
    case 'int64': {
      const s = typeof v === 'number' ? String(Math.trunc(v)) : typeof v === 'string' && /^-?\d+$/.test(v) ? v : undefined;
      if (s === undefined) throw new FormatProblem('an int64 tag must be an integer', `${path}.value`);
      return { key: o.key, value: { intValue: s } };
    }
    case 'float64': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) throw new FormatProblem('a float64 tag must be a number', `${path}.value`);
      return { key: o.key, value: { doubleValue: n } };
    }
    case 'binary':
      if (typeof v !== 'string') throw new FormatProblem('a binary tag must be base64 text', `${path}.value`);
      return { key: o.key, value: { bytesValue: v } };
    default:
      throw new FormatProblem(`unknown tag type "${String(o.type)}" (string, bool, int64, float64 or binary)`, `${path}.type`);
  }
}

const KINDS: Record<string, number> = SPAN_KIND;

function convertSpan(span: Obj, path: string): { span: OtlpSpan; scopeName: string; scopeVersion: string | undefined } {
  const traceId = hexId(span.traceID, 16, `${path}.traceID`);
  const spanId = hexId(span.spanID, 8, `${path}.spanID`);
  if (typeof span.operationName !== 'string') throw new FormatProblem('must have an operationName', path);
  const start = microsToNanos(span.startTime, `${path}.startTime`);
  const duration = span.duration ?? 0;
  if (typeof duration !== 'number' || !(duration >= 0)) throw new FormatProblem('must be a duration in microseconds', `${path}.duration`);
  const attributes: OtlpKeyValue[] = [];
  let kind: number = SPAN_KIND.internal;
  let statusCode: number = STATUS.unset;
  let statusMessage = '';
  let errorTag = false;
  let scopeName = '';
  let scopeVersion: string | undefined;
  let traceState: string | undefined;
  arr(span.tags, `${path}.tags`, true).forEach((t, i) => {
    const kv = tag(t, `${path}.tags[${i}]`);
    const s = kv.value.stringValue;
    switch (kv.key) {
      case 'span.kind':
        kind = KINDS[String(s).toLowerCase()] ?? SPAN_KIND.internal;
        return;
      case 'error':
        errorTag = kv.value.boolValue === true || s === 'true';
        return;
      case 'otel.status_code':
        statusCode = s === 'ERROR' ? STATUS.error : s === 'OK' ? STATUS.ok : STATUS.unset;
        return;
      case 'otel.status_description':
        statusMessage = s ?? '';
        return;
      case 'otel.scope.name':
      case 'otel.library.name':
        scopeName = s ?? '';
        return;
      case 'otel.scope.version':
      case 'otel.library.version':
        scopeVersion = s;
        return;
      case 'w3c.tracestate':
        traceState = s;
        return;
      default:
        attributes.push(kv);
    }
  });
  if (statusCode === STATUS.unset && errorTag) statusCode = STATUS.error;
  let parentSpanId: string | undefined;
  const links: OtlpLink[] = [];
  const refs = arr(span.references, `${path}.references`, true).map((r, i) => {
    const rp = `${path}.references[${i}]`;
    const ref = obj(r, rp, 'a reference object');
    const refType = ref.refType === 'FOLLOWS_FROM' ? 'follows_from' : ref.refType === 'CHILD_OF' || ref.refType === undefined ? 'child_of' : undefined;
    if (!refType) throw new FormatProblem(`refType must be CHILD_OF or FOLLOWS_FROM, found ${JSON.stringify(ref.refType)}`, `${rp}.refType`);
    return { traceId: hexId(ref.traceID ?? span.traceID, 16, `${rp}.traceID`), spanId: hexId(ref.spanID, 8, `${rp}.spanID`), refType };
  });
  const parentIndex = refs.findIndex((r) => r.refType === 'child_of' && r.traceId === traceId);
  refs.forEach((r, i) => {
    if (i === parentIndex) parentSpanId = r.spanId;
    else links.push({ traceId: r.traceId, spanId: r.spanId, attributes: [stringAttr('opentracing.ref_type', r.refType)] });
  });
  // Jaeger v1 JSON may also carry the parent as a span-level parentSpanID.
  if (parentSpanId === undefined && span.parentSpanID !== undefined && span.parentSpanID !== '' && span.parentSpanID !== '0') parentSpanId = hexId(span.parentSpanID, 8, `${path}.parentSpanID`);
  const events = arr(span.logs, `${path}.logs`, true).map((l, i) => {
    const lp = `${path}.logs[${i}]`;
    const log = obj(l, lp, 'a log object');
    let name = '';
    const attrs: OtlpKeyValue[] = [];
    arr(log.fields, `${lp}.fields`, true).forEach((f, j) => {
      const kv = tag(f, `${lp}.fields[${j}]`);
      if (kv.key === 'event' && kv.value.stringValue !== undefined && !name) name = kv.value.stringValue;
      else attrs.push(kv);
    });
    return { timeUnixNano: microsToNanos(log.timestamp, `${lp}.timestamp`), name, attributes: attrs };
  });
  if (Array.isArray(span.warnings) && span.warnings.length) attributes.push({ key: 'jaeger.warnings', value: { arrayValue: { values: span.warnings.map((w) => ({ stringValue: String(w) })) } } });
  if (typeof span.flags === 'number' && span.flags !== 1 && span.flags !== 0) attributes.push(intAttr('jaeger.flags', span.flags));
  const out: OtlpSpan = {
    traceId,
    spanId,
    name: span.operationName,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: addNanos(start, duration),
    attributes,
    events,
    links,
    status: statusMessage ? { code: statusCode, message: statusMessage } : { code: statusCode },
  };
  if (parentSpanId) out.parentSpanId = parentSpanId;
  if (traceState) out.traceState = traceState;
  return { span: out, scopeName, scopeVersion };
}
