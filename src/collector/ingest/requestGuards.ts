import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True when the Host header names a loopback authority (guards against DNS rebinding). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 clients; browsers always send Host.
  const h = host.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(h);
  if (!m) return false;
  const name = m[1]!.endsWith('.') ? m[1]!.slice(0, -1) : m[1]!;
  return LOOPBACK_HOSTS.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name.endsWith('.localhost');
}

/** Why a request must be refused (403), or '' when it may proceed. */
export function guardRequest(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): string {
  if (!isLoopbackHost(req.headers.host)) return 'Host is not a loopback address';
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin)) return 'Origin not allowed';
  return '';
}
