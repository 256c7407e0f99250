import type { SpanSource } from './spanSource';

/** What a call span is grouped by in a run summary: the service it called and the operation. */
export interface CallKey {
  service: string;
  operation: string;
}

function str(src: SpanSource, i: number, key: string): string | undefined {
  const v = src.attr(i, key);
  return v === undefined || v === '' ? undefined : String(v);
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(url);
  return m?.[1];
}

/**
 * Classifies a call by the OpenTelemetry semantic conventions where the span carries them — RPC
 * (`rpc.service`/`rpc.method`), database (`db.system`, `db.operation(.name)`), HTTP client
 * (`http.request.method` or the older `http.method`, with the server address and `http.route`),
 * messaging — else by `peer.service` and the span name. Ids in URLs or statements never enter the
 * key, so a call is the same call in every run.
 */
export function callKey(src: SpanSource, i: number): CallKey {
  const rpcService = str(src, i, 'rpc.service');
  if (rpcService) return { service: rpcService, operation: str(src, i, 'rpc.method') ?? src.name(i) };
  const dbSystem = str(src, i, 'db.system.name') ?? str(src, i, 'db.system');
  if (dbSystem) {
    const ns = str(src, i, 'db.namespace') ?? str(src, i, 'db.name');
    return {
      service: ns ? `${dbSystem} ${ns}` : dbSystem,
      operation: str(src, i, 'db.operation.name') ?? str(src, i, 'db.operation') ?? src.name(i),
    };
  }
  const method = str(src, i, 'http.request.method') ?? str(src, i, 'http.method');
  if (method) {
    const service =
      str(src, i, 'peer.service') ??
      str(src, i, 'server.address') ??
      str(src, i, 'net.peer.name') ??
      hostOf(str(src, i, 'url.full') ?? str(src, i, 'http.url')) ??
      'http';
    const route = str(src, i, 'http.route');
    return { service, operation: route ? `${method} ${route}` : method };
  }
  const messaging = str(src, i, 'messaging.system');
  if (messaging) {
    const dest = str(src, i, 'messaging.destination.name');
    return {
      service: dest ? `${messaging} ${dest}` : messaging,
      operation: str(src, i, 'messaging.operation.type') ?? str(src, i, 'messaging.operation') ?? src.name(i),
    };
  }
  return { service: str(src, i, 'peer.service') ?? '', operation: src.name(i) };
}

/** `ELBv2 RegisterTargets`; the operation alone when it already starts with the service. */
export function callLabel(k: CallKey): string {
  if (!k.service) return k.operation;
  return k.operation.startsWith(k.service + ' ') ? k.operation : `${k.service} ${k.operation}`;
}
