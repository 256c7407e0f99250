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
  type OtlpSpan,
  type OtlpTraceRequest,
} from './otlpShapes';

/**
 * Zipkin v2 JSON (`POST /api/v2/spans` bodies, `GET /api/v2/trace/{id}` answers): an array of
 * spans (or one span), or of traces (arrays of spans) as `/api/v2/traces` answers.
 *
 * localEndpoint.serviceName → `service.name`; remoteEndpoint → `peer.service`,
 * `network.peer.address`, `network.peer.port`; annotations → events; tags → string attributes,
 * with `error` (and `otel.status_code`) → status ERROR. A span without a kind is INTERNAL.
 * Zipkin lets a server share its client's span id (`shared: true`); one id per span is what
 * OTLP (and our store) allows, so the shared server half gets an id derived from the client's
 * (last byte flipped), the client as its parent and `zipkin.shared_span_id` with the original id.
 */
export function isZipkinJson(doc: unknown): boolean {
  const first = Array.isArray(doc) ? (Array.isArray(doc[0]) ? doc[0][0] : doc[0]) : doc;
  return isObj(first) && typeof first.traceId === 'string' && typeof first.id === 'string';
}

const KINDS: Record<string, number> = { CLIENT: SPAN_KIND.client, SERVER: SPAN_KIND.server, PRODUCER: SPAN_KIND.producer, CONSUMER: SPAN_KIND.consumer };

export function zipkinToOtlp(doc: unknown): OtlpTraceRequest {
  if (isObj(doc)) {
    // One span on its own (as Zipkin's own benchmark resources hold them).
    const out = new ResourceGrouper();
    convertSpan(doc, '$', out);
    return out.request();
  }
  const list = arr(doc, '$');
  const out = new ResourceGrouper();
  const nested = list.length > 0 && Array.isArray(list[0]);
  list.forEach((item, i) => {
    if (nested) arr(item, `$[${i}]`).forEach((s, j) => convertSpan(s, `$[${i}][${j}]`, out));
    else convertSpan(item, `$[${i}]`, out);
  });
  return out.request();
}

function endpointName(e: unknown, path: string): string | undefined {
  if (e === undefined || e === null) return undefined;
  const o = obj(e, path, 'an endpoint object');
  return typeof o.serviceName === 'string' && o.serviceName ? o.serviceName : undefined;
}

function convertSpan(s: unknown, path: string, out: ResourceGrouper): void {
  const span = obj(s, path, 'a span object');
  const traceId = hexId(span.traceId, 16, `${path}.traceId`);
  let spanId = hexId(span.id, 8, `${path}.id`);
  let parentSpanId = span.parentId === undefined || span.parentId === null || span.parentId === '' ? undefined : hexId(span.parentId, 8, `${path}.parentId`);
  if (span.timestamp === undefined) throw new FormatProblem('has no timestamp (an incomplete span): Zipkin keeps those, a trace view cannot place them', path);
  const start = microsToNanos(span.timestamp, `${path}.timestamp`);
  const duration = span.duration ?? 0;
  if (typeof duration !== 'number' || !(duration >= 0)) throw new FormatProblem('must be a duration in microseconds', `${path}.duration`);
  let kind: number = SPAN_KIND.internal;
  if (span.kind !== undefined) {
    const k = KINDS[String(span.kind)];
    if (!k) throw new FormatProblem(`must be CLIENT, SERVER, PRODUCER or CONSUMER, found ${JSON.stringify(span.kind)}`, `${path}.kind`);
    kind = k;
  }
  const attributes: OtlpKeyValue[] = [];
  if (span.shared === true && kind === SPAN_KIND.server) {
    attributes.push(stringAttr('zipkin.shared_span_id', spanId));
    parentSpanId = spanId;
    spanId = spanId.slice(0, 14) + (parseInt(spanId.slice(14), 16) ^ 0xff).toString(16).padStart(2, '0');
  }
  const local = span.localEndpoint === undefined || span.localEndpoint === null ? undefined : obj(span.localEndpoint, `${path}.localEndpoint`);
  const service = endpointName(local, `${path}.localEndpoint`) ?? 'unknown_service';
  const resource = [stringAttr('service.name', service)];
  if (local) {
    const ip = typeof local.ipv4 === 'string' ? local.ipv4 : typeof local.ipv6 === 'string' ? local.ipv6 : undefined;
    if (ip) attributes.push(stringAttr('network.local.address', ip));
    if (typeof local.port === 'number') attributes.push(intAttr('network.local.port', local.port));
  }
  const remote = span.remoteEndpoint === undefined || span.remoteEndpoint === null ? undefined : obj(span.remoteEndpoint, `${path}.remoteEndpoint`);
  if (remote) {
    const peer = endpointName(remote, `${path}.remoteEndpoint`);
    if (peer) attributes.push(stringAttr('peer.service', peer));
    const ip = typeof remote.ipv4 === 'string' ? remote.ipv4 : typeof remote.ipv6 === 'string' ? remote.ipv6 : undefined;
    if (ip) attributes.push(stringAttr('network.peer.address', ip));
    if (typeof remote.port === 'number') attributes.push(intAttr('network.peer.port', remote.port));
  }
  let statusCode: number = STATUS.unset;
  let statusMessage = '';
  let scopeName = '';
  let scopeVersion: string | undefined;
  const tags = span.tags === undefined || span.tags === null ? {} : obj(span.tags, `${path}.tags`);
  for (const [key, v] of Object.entries(tags as Obj)) {
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    if (key === 'error') {
      statusCode = STATUS.error;
      statusMessage = value;
    } else if (key === 'otel.status_code') {
      if (value === 'ERROR') statusCode = STATUS.error;
      else if (value === 'OK' && statusCode !== STATUS.error) statusCode = STATUS.ok;
    } else if (key === 'otel.status_description') statusMessage = value;
    else if (key === 'otel.scope.name' || key === 'otel.library.name') scopeName = value;
    else if (key === 'otel.scope.version' || key === 'otel.library.version') scopeVersion = value;
    else attributes.push(stringAttr(key, value));
  }
  const events = arr(span.annotations, `${path}.annotations`, true).map((a, i) => {
    const ap = `${path}.annotations[${i}]`;
    const ann = obj(a, ap, 'an annotation object');
    if (typeof ann.value !== 'string') throw new FormatProblem('must have a string value', ap);
    return { timeUnixNano: microsToNanos(ann.timestamp, `${ap}.timestamp`), name: ann.value, attributes: [] };
  });
  if (span.debug === true) attributes.push({ key: 'zipkin.debug', value: { boolValue: true } });
  const otlp: OtlpSpan = {
    traceId,
    spanId,
    name: typeof span.name === 'string' ? span.name : '',
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: addNanos(start, duration),
    attributes,
    events,
    links: [],
    status: statusMessage ? { code: statusCode, message: statusMessage } : { code: statusCode },
  };
  if (parentSpanId) otlp.parentSpanId = parentSpanId;
  out.add(resource, scopeName, scopeVersion, otlp);
}
