import type { AttrValue } from '../../protocol/spanView';
import { DecodeError, type DecodeContext } from '../store/decodedBatch';
import { anyValue, jsonTimeToMs } from '../ingest/otlpJsonDecoder';
import { ProtoReader } from '../ingest/protoReader';
import { decodeKeyValue, SCOPE_ITEMS_ITEMS, walkResourceScopes, within } from '../ingest/otlpSignalWalk';
import { DATA_POINTS, DISTRIBUTION_COUNT, DISTRIBUTION_SUM, METRIC_DATA, METRIC_NAME, METRIC_UNIT, NUMBER_AS_DOUBLE, NUMBER_AS_INT, POINT_ATTRIBUTES, POINT_TIME } from './otlpMetricsFields';
import type { DecodedMetricPoint, MetricKind } from './metricStore';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const KINDS: MetricKind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

function attrsOf(list: unknown, ctx: DecodeContext): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (Array.isArray(list)) for (const kv of list) if (isObj(kv) && typeof kv.key === 'string') {
    const v = anyValue(kv.value, ctx, 0);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** An OTLP/JSON ExportMetricsServiceRequest into points; throws DecodeError when its shape is wrong. */
export function decodeOtlpMetricsJson(doc: unknown, ctx: DecodeContext): DecodedMetricPoint[] {
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object (ExportMetricsServiceRequest)');
  const rms = doc.resourceMetrics ?? [];
  if (!Array.isArray(rms)) throw new DecodeError('resourceMetrics must be an array');
  const out: DecodedMetricPoint[] = [];
  for (const rm of rms) {
    if (!isObj(rm)) throw new DecodeError('resourceMetrics[] must be objects');
    const service = String(attrsOf(isObj(rm.resource) ? rm.resource.attributes : undefined, ctx)['service.name'] ?? 'unknown_service');
    for (const sm of Array.isArray(rm.scopeMetrics) ? rm.scopeMetrics : []) {
      if (!isObj(sm)) continue;
      for (const m of Array.isArray(sm.metrics) ? sm.metrics : []) {
        if (!isObj(m) || typeof m.name !== 'string') continue;
        for (const kind of KINDS) {
          const data = m[kind];
          if (!isObj(data) || !Array.isArray(data.dataPoints)) continue;
          for (const dp of data.dataPoints) {
            if (!isObj(dp)) continue;
            const point: DecodedMetricPoint = { serviceName: service, name: m.name, unit: typeof m.unit === 'string' ? m.unit : '', kind, attributes: attrsOf(dp.attributes, ctx), timeMs: jsonTimeToMs(dp.timeUnixNano) || Date.now() };
            if (kind === 'gauge' || kind === 'sum') point.value = num(dp.asDouble) ?? num(dp.asInt);
            else {
              point.count = num(dp.count);
              point.sum = num(dp.sum);
            }
            out.push(point);
          }
        }
      }
    }
  }
  return out;
}

function fixed64(r: ProtoReader): number {
  if (r.pos + 8 > r.end) throw new DecodeError('truncated protobuf message');
  const lo = r.buf.readUInt32LE(r.pos);
  const hi = r.buf.readInt32LE(r.pos + 4);
  r.pos += 8;
  return hi * 4294967296 + lo;
}

/** A protobuf ExportMetricsServiceRequest (opentelemetry/proto/metrics/v1) into points. */
export function decodeOtlpMetricsProto(buf: Buffer, ctx: DecodeContext): DecodedMetricPoint[] {
  const out: DecodedMetricPoint[] = [];
  walkResourceScopes(new ProtoReader(buf), ctx, (r, serviceName) => {
    while (r.pos < r.end) {
      const t = r.varint();
      if (t === SCOPE_ITEMS_ITEMS) within(r, () => metric(r, ctx, serviceName, out));
      else r.skip(t & 7);
    }
  });
  return out;
}

function metric(r: ProtoReader, ctx: DecodeContext, serviceName: string, out: DecodedMetricPoint[]): void {
  let name = '';
  let unit = '';
  const data: [MetricKind, number, number][] = [];
  while (r.pos < r.end) {
    const t = r.varint();
    const kind = METRIC_DATA[t];
    if (t === METRIC_NAME) name = r.string();
    else if (t === METRIC_UNIT) unit = r.string();
    else if (kind !== undefined) {
      const end = r.lengthEnd();
      data.push([kind, r.pos, end]);
      r.pos = end;
    } else r.skip(t & 7);
  }
  const saved = r.end;
  for (const [kind, start, end] of data) {
    r.pos = start;
    r.end = end;
    while (r.pos < r.end) {
      const t = r.varint();
      if (t === DATA_POINTS) within(r, () => out.push(point(r, ctx, serviceName, name, unit, kind)));
      else r.skip(t & 7);
    }
  }
  r.end = saved;
}

function point(r: ProtoReader, ctx: DecodeContext, serviceName: string, name: string, unit: string, kind: MetricKind): DecodedMetricPoint {
  const p: DecodedMetricPoint = { serviceName, name, unit, kind, attributes: {}, timeMs: 0 };
  const number = kind === 'gauge' || kind === 'sum';
  const attributesTag = POINT_ATTRIBUTES[kind];
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === attributesTag) {
      within(r, () => {
        const [k, v] = decodeKeyValue(r, ctx);
        if (k !== undefined && v !== undefined) p.attributes[k] = v;
      });
    } else if (t === POINT_TIME) p.timeMs = r.fixed64NanosToMs();
    else if (number && t === NUMBER_AS_DOUBLE) p.value = r.double();
    else if (number && t === NUMBER_AS_INT) p.value = fixed64(r);
    else if (!number && t === DISTRIBUTION_COUNT) p.count = fixed64(r);
    else if (!number && t === DISTRIBUTION_SUM) p.sum = r.double();
    else r.skip(t & 7);
  }
  if (!(p.timeMs > 0)) p.timeMs = Date.now();
  return p;
}
