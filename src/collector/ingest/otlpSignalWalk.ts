import type { AttrValue } from '../../protocol/spanView';
import type { DecodeContext } from '../store/decodedBatch';
import { KEY_VALUE_KEY, KEY_VALUE_VALUE, LEN, RESOURCE_ATTRIBUTES, tag } from './otlpProtoFields';
import { readAnyValue } from './protoAnyValue';
import type { ProtoReader } from './protoReader';

// The envelope the logs and metrics requests share (opentelemetry/proto/collector/{logs,metrics}/v1):
// Export…ServiceRequest { repeated Resource… resource_… = 1 }, Resource… { Resource resource = 1;
// repeated Scope… scope_… = 2; string schema_url = 3 }, Scope… { InstrumentationScope scope = 1;
// repeated <item> = 2; string schema_url = 3 }. Traces have the same numbers (otlpProtoFields.ts).
export const REQUEST_RESOURCE_ITEMS = tag(1, LEN);
export const RESOURCE_ITEMS_RESOURCE = tag(1, LEN);
export const RESOURCE_ITEMS_SCOPE_ITEMS = tag(2, LEN);
export const SCOPE_ITEMS_SCOPE = tag(1, LEN);
export const SCOPE_ITEMS_ITEMS = tag(2, LEN);

/** Runs `read` with the reader bounded to the length-delimited field at its position, then moves past it. */
export function within(r: ProtoReader, read: () => void): void {
  const end = r.lengthEnd();
  const saved = r.end;
  r.end = end;
  read();
  r.pos = end;
  r.end = saved;
}

/** A protobuf KeyValue (the reader bounded to it). */
export function decodeKeyValue(r: ProtoReader, ctx: DecodeContext): [string | undefined, AttrValue | undefined] {
  let key: string | undefined;
  let value: AttrValue | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === KEY_VALUE_KEY) key = r.string();
    else if (t === KEY_VALUE_VALUE) within(r, () => (value = readAnyValue(r, ctx, r.end, 0)));
    else r.skip(t & 7);
  }
  return [key, value];
}

/** `service.name` of a Resource message (the reader bounded to it). */
function serviceOf(r: ProtoReader, ctx: DecodeContext): string | undefined {
  let service: string | undefined;
  while (r.pos < r.end) {
    const t = r.varint();
    if (t === RESOURCE_ATTRIBUTES) {
      within(r, () => {
        const [k, v] = decodeKeyValue(r, ctx);
        if (k === 'service.name' && typeof v === 'string') service = v;
      });
    } else r.skip(t & 7);
  }
  return service;
}

/**
 * Walks a logs or metrics Export…ServiceRequest: for each Scope… message, `visit` runs with the
 * reader bounded to it and the service name of its resource. Scope messages may precede their
 * resource on the wire, so each resource's scopes are visited once the resource is read.
 */
export function walkResourceScopes(r: ProtoReader, ctx: DecodeContext, visit: (r: ProtoReader, serviceName: string) => void): void {
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag !== REQUEST_RESOURCE_ITEMS) {
      r.skip(tag & 7);
      continue;
    }
    within(r, () => {
      let service = 'unknown_service';
      const scopes: number[] = [];
      while (r.pos < r.end) {
        const t = r.varint();
        if (t === RESOURCE_ITEMS_RESOURCE) within(r, () => (service = serviceOf(r, ctx) ?? service));
        else if (t === RESOURCE_ITEMS_SCOPE_ITEMS) {
          const end = r.lengthEnd();
          scopes.push(r.pos, end);
          r.pos = end;
        } else r.skip(t & 7);
      }
      const serviceName = ctx.pool.intern(service);
      const saved = r.end;
      for (let i = 0; i < scopes.length; i += 2) {
        r.pos = scopes[i]!;
        r.end = scopes[i + 1]!;
        visit(r, serviceName);
      }
      r.end = saved;
    });
  }
}
