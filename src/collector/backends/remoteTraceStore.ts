import type { ImportResult } from '../../protocol/collectorTypes';
import { DecodeContext } from '../store/decodedBatch';
import { importConverted } from '../importers';
import { decodeOtlpProto } from '../ingest/otlpProtoDecoder';
import type { SpanStore } from '../store/spanStore';
import type { FetchedTrace } from './traceBackendClient';

/**
 * Set on every span of a trace pulled from a team backend: where it came from
 * (`<backend name> <request URL>`), so a remote trace is told apart from local runs wherever its
 * attributes are shown. (A name of this tool's own namespace: the lead may move it to protocol/attributes.)
 */
export const REMOTE_ORIGIN_ATTR = 'instrument_first.remote.origin';

/** Where a remote trace came from, kept beside the store by whoever fetched it. */
export interface RemoteOrigin {
  backend: string;
  url: string;
  fetchedMs: number;
}

/** Stores a fetched trace (JSON answers get {@link REMOTE_ORIGIN_ATTR} on each span); returns what was stored. */
export function storeFetchedTrace(store: SpanStore, fetched: FetchedTrace): ImportResult {
  const origin = `${fetched.backend} ${fetched.url}`;
  if (fetched.converted) {
    for (const r of fetched.converted.requests) {
      for (const rs of r.resourceSpans as { scopeSpans?: { spans?: { attributes?: unknown[] }[] }[] }[]) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) (span.attributes ??= []).push({ key: REMOTE_ORIGIN_ATTR, value: { stringValue: origin } });
        }
      }
    }
    return importConverted(store, fetched.converted);
  }
  if (fetched.protobuf) {
    // Checked on a throw-away context first: a refused span refuses the whole answer.
    const check = decodeOtlpProto(fetched.protobuf, new DecodeContext());
    if (check.rejected > 0) throw new Error(`the backend's trace has ${check.rejected} invalid span(s); first: ${check.firstError}`);
    const batch = decodeOtlpProto(fetched.protobuf, store.decodeContext);
    return store.ingest(batch);
  }
  return { traceIds: [], acceptedSpans: 0, rejectedSpans: 0, refusedSpans: 0 };
}
