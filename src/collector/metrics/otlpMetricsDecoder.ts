import type { AttrValue } from '../../protocol/spanView';
import { DecodeError, type DecodeContext } from '../store/decodedBatch';
import { anyValue, jsonTimeToMs } from '../ingest/otlpJsonDecoder';
import { ProtoReader } from '../ingest/protoReader';
import { decodeKeyValue } from '../logs/otlpLogsDecoder';
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

function within(r: ProtoReader, read: () => void): void {
  const end = r.lengthEnd();
  const saved = r.end;
  r.end = end;
  read();
  r.pos = end;
  r.end = saved;
}

function fixed64(r: ProtoReader): number {
  if (r.pos + 8 > r.end) throw new DecodeError('truncated protobuf message');
  const lo = r.buf.readUInt32LE(r.pos);
  const hi = r.buf.readInt32LE(r.pos + 4);
  r.pos += 8;
  return hi * 4294967296 + lo;
}

/** A protobuf ExportMetricsServiceRequest (opentelemetry/proto/metrics/v1 field numbers) into points. */
export function decodeOtlpMetricsProto(buf: Buffer, ctx: DecodeContext): DecodedMetricPoint[] {
  const out: DecodedMetricPoint[] = [];
  const r = new ProtoReader(buf);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    within(r, () => {
      let service = 'unknown_service';
      const scopes: [number, number][] = [];
      while (r.pos < r.end) {
        const t = r.varint();
        if (t >>> 3 === 1 && (t & 7) === 2) {
          within(r, () => {
            while (r.pos < r.end) {
              const a = r.varint();
              if (a >>> 3 === 1 && (a & 7) === 2) {
                within(r, () => {
                  const [k, v] = decodeKeyValue(r, ctx);
                  if (k === 'service.name' && typeof v === 'string') service = v;
                });
              } else r.skip(a & 7);
            }
          });
        } else if (t >>> 3 === 2 && (t & 7) === 2) {
          const end = r.lengthEnd();
          scopes.push([r.pos, end]);
          r.pos = end;
        } else r.skip(t & 7);
      }
      const saved = r.end;
      for (const [start, end] of scopes) {
        r.pos = start;
        r.end = end;
        while (r.pos < r.end) {
          const t = r.varint();
          if (t >>> 3 === 2 && (t & 7) === 2) within(r, () => metric(r, ctx, service, out));
          else r.skip(t & 7);
        }
      }
      r.end = saved;
    });
  }
  return out;
}

const KIND_FIELDS: Record<number, MetricKind> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponentialHistogram', 11: 'summary' };

function metric(r: ProtoReader, ctx: DecodeContext, serviceName: string, out: DecodedMetricPoint[]): void {
  let name = '';
  let unit = '';
  const data: [MetricKind, number, number][] = [];
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1 && (t & 7) === 2) name = r.string();
    else if (f === 3 && (t & 7) === 2) unit = r.string();
    else if (KIND_FIELDS[f] && (t & 7) === 2) {
      const end = r.lengthEnd();
      data.push([KIND_FIELDS[f]!, r.pos, end]);
      r.pos = end;
    } else r.skip(t & 7);
  }
  const saved = r.end;
  for (const [kind, start, end] of data) {
    r.pos = start;
    r.end = end;
    while (r.pos < r.end) {
      const t = r.varint();
      if (t >>> 3 === 1 && (t & 7) === 2) within(r, () => out.push(point(r, ctx, serviceName, name, unit, kind)));
      else r.skip(t & 7);
    }
  }
  r.end = saved;
}

function point(r: ProtoReader, ctx: DecodeContext, serviceName: string, name: string, unit: string, kind: MetricKind): DecodedMetricPoint {
  const p: DecodedMetricPoint = { serviceName, name, unit, kind, attributes: {}, timeMs: 0 };
  // Attribute field: 7 for number and summary points, 9 for histograms, 1 for exponential histograms.
  const attrField = kind === 'histogram' ? 9 : kind === 'exponentialHistogram' ? 1 : 7;
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    const w = t & 7;
    if (f === attrField && w === 2) {
      within(r, () => {
        const [k, v] = decodeKeyValue(r, ctx);
        if (k !== undefined && v !== undefined) p.attributes[k] = v;
      });
    } else if (f === 3 && w === 1) p.timeMs = r.fixed64NanosToMs();
    else if ((kind === 'gauge' || kind === 'sum') && f === 4 && w === 1) p.value = r.double();
    else if ((kind === 'gauge' || kind === 'sum') && f === 6 && w === 1) p.value = fixed64(r);
    else if (kind !== 'gauge' && kind !== 'sum' && f === 4 && w === 1) p.count = fixed64(r);
    else if (kind !== 'gauge' && kind !== 'sum' && f === 5 && w === 1) p.sum = r.double();
    else r.skip(w);
  }
  if (!(p.timeMs > 0)) p.timeMs = Date.now();
  return p;
}
