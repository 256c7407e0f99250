/** The kinds of team backend a trace can be pulled from by id. */
export type BackendKind = 'jaeger' | 'tempo' | 'url';

/** One backend, as configured (settings `instrumentFirst.backends`, CLI `--backend`). */
export interface BackendConfig {
  /** A label for messages and the trace's origin (default: the kind and host). */
  name: string;
  kind: BackendKind;
  /**
   * Jaeger: the query service's base URL (`http://jaeger:16686`), `/api/v3/traces/{id}` is
   * appended. Tempo: the query frontend (`http://tempo:3200`), `/api/v2/traces/{id}` appended.
   * url: a template with `{traceId}`, answering OTLP/JSON (or any format the importer knows).
   */
  url: string;
  headers: Record<string, string>;
  /** Per request (default 10 s). */
  timeoutMs: number;
  /** Tempo only: ask for protobuf (`Accept: application/protobuf`) instead of JSON. */
  protobuf: boolean;
}

export const BACKEND_KINDS: readonly BackendKind[] = ['jaeger', 'tempo', 'url'];
export const DEFAULT_BACKEND_TIMEOUT_MS = 10_000;

/** A backend config from loose input (settings JSON): undefined with a reason when unusable. */
export function readBackendConfig(v: unknown): BackendConfig | string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'must be an object with "type" and "url"';
  const o = v as Record<string, unknown>;
  const kind = (o.type ?? o.kind) as BackendKind;
  if (!BACKEND_KINDS.includes(kind)) return `"type" must be one of ${BACKEND_KINDS.join(', ')}`;
  if (typeof o.url !== 'string' || !o.url.trim()) return '"url" is missing';
  const url = o.url.trim();
  const problem = urlProblem(kind, url);
  if (problem) return problem;
  const headers: Record<string, string> = {};
  if (o.headers && typeof o.headers === 'object' && !Array.isArray(o.headers)) {
    for (const [k, val] of Object.entries(o.headers as Record<string, unknown>)) if (k && typeof val === 'string') headers[k] = val;
  }
  const timeout = typeof o.timeoutMs === 'number' && Number.isFinite(o.timeoutMs) && o.timeoutMs >= 100 && o.timeoutMs <= 600_000 ? o.timeoutMs : DEFAULT_BACKEND_TIMEOUT_MS;
  return {
    name: typeof o.name === 'string' && o.name.trim() ? o.name.trim() : defaultName(kind, url),
    kind,
    url,
    headers,
    timeoutMs: timeout,
    protobuf: o.protobuf === true,
  };
}

function urlProblem(kind: BackendKind, url: string): string {
  let u: URL;
  try {
    u = new URL(kind === 'url' ? url.replaceAll('{traceId}', '0') : url);
  } catch {
    return `"url" is not a URL: ${url}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"url" must be http or https: ${url}`;
  if (kind === 'url' && !url.includes('{traceId}')) return '"url" of type url must contain {traceId}';
  return '';
}

function defaultName(kind: BackendKind, url: string): string {
  try {
    return `${kind} ${new URL(url.replaceAll('{traceId}', '0')).host}`;
  } catch {
    return kind;
  }
}

/** CLI form: `jaeger=http://host:16686`, `tempo=http://host:3200`, `url=https://…/{traceId}`. */
export function parseBackendSpec(spec: string, headers: Record<string, string> = {}, timeoutMs = DEFAULT_BACKEND_TIMEOUT_MS): BackendConfig | string {
  const eq = spec.indexOf('=');
  if (eq <= 0) return `"${spec}" is not kind=URL (jaeger=…, tempo=…, url=…{traceId}…)`;
  const kind = spec.slice(0, eq).trim();
  const protobuf = kind === 'tempo+protobuf';
  return readBackendConfig({ type: protobuf ? 'tempo' : kind, url: spec.slice(eq + 1), headers, timeoutMs, protobuf });
}

/** The request URL for one trace. */
export function traceUrl(b: BackendConfig, traceId: string): string {
  const base = b.url.replace(/\/+$/, '');
  if (b.kind === 'jaeger') return `${base}/api/v3/traces/${traceId}`;
  if (b.kind === 'tempo') return `${base}/api/v2/traces/${traceId}`;
  return b.url.replaceAll('{traceId}', traceId);
}

export const KIND_NAMES: Record<BackendKind, string> = { jaeger: 'Jaeger', tempo: 'Tempo', url: 'backend' };
