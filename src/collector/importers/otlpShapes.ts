import { FormatProblem } from './importError';

/** OTLP/JSON shapes the converters produce (the subset we write; readers accept the full format). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values: OtlpAnyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}
export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { code: number; message?: string };
}
export interface OtlpScopeSpans {
  scope: { name: string; version?: string };
  spans: OtlpSpan[];
}
export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: OtlpScopeSpans[];
}
/** An ExportTraceServiceRequest. */
export interface OtlpTraceRequest {
  resourceSpans: unknown[];
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
export const STATUS = { unset: 0, ok: 1, error: 2 } as const;

/**
 * Hex id of `bytes` bytes from a hex string of up to that many digits (Jaeger and Zipkin write
 * 64-bit trace ids as 16 digits and drop leading zeros of span ids): left-padded with zeros.
 */
export function hexId(v: unknown, bytes: 8 | 16, path: string): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]+$/.test(v) || v.length > bytes * 2) {
    throw new FormatProblem(`must be an id of up to ${bytes * 2} hex digits, found ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v}`, path);
  }
  const id = v.toLowerCase().padStart(bytes * 2, '0');
  if (/^0+$/.test(id)) throw new FormatProblem('must not be all zeros', path);
  return id;
}

/** Microseconds since the epoch (a JSON number) as OTLP's decimal nanoseconds. */
export function microsToNanos(v: unknown, path: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FormatProblem(`must be microseconds since the epoch (a number), found ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`, path);
  return (BigInt(Math.round(v)) * 1000n).toString();
}

export function addNanos(startNanos: string, micros: number): string {
  return (BigInt(startNanos) + BigInt(Math.round(micros)) * 1000n).toString();
}

export function stringAttr(key: string, value: string): OtlpKeyValue {
  return { key, value: { stringValue: value } };
}

export function intAttr(key: string, value: number): OtlpKeyValue {
  return { key, value: { intValue: String(Math.trunc(value)) } };
}

/** Groups spans into resourceSpans/scopeSpans by resource and scope (keys compared as JSON). */
export class ResourceGrouper {
  private readonly resources = new Map<string, { rs: OtlpResourceSpans; scopes: Map<string, OtlpScopeSpans> }>();

  add(resource: OtlpKeyValue[], scopeName: string, scopeVersion: string | undefined, span: OtlpSpan): void {
    const rkey = JSON.stringify(resource);
    let r = this.resources.get(rkey);
    if (!r) {
      r = { rs: { resource: { attributes: resource }, scopeSpans: [] }, scopes: new Map() };
      this.resources.set(rkey, r);
    }
    const skey = `${scopeName}\u0000${scopeVersion ?? ''}`;
    let s = r.scopes.get(skey);
    if (!s) {
      s = { scope: scopeVersion ? { name: scopeName, version: scopeVersion } : { name: scopeName }, spans: [] };
      r.scopes.set(skey, s);
      r.rs.scopeSpans.push(s);
    }
    s.spans.push(span);
  }

  request(): OtlpTraceRequest {
    return { resourceSpans: [...this.resources.values()].map((r) => r.rs) };
  }
}
