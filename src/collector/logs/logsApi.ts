import type { ServerResponse } from 'node:http';
import type { LogStore } from './logStore';

/**
 * The read API's log part: `GET /api/traces/{id}/logs` (the trace's logs in time order, each with
 * its span id) and `GET /api/logs?service=&limit=` (logs without trace context). True when it answered.
 */
export function serveLogsApi(url: URL, res: ServerResponse, logs: LogStore): boolean {
  const m = /^\/api\/traces\/([0-9a-fA-F]{32})\/logs$/.exec(url.pathname);
  if (m) return json(res, logs.forTrace(m[1]!));
  if (url.pathname === '/api/logs') {
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    return json(res, logs.withoutTrace(url.searchParams.get('service') ?? undefined, Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100_000) : 1000));
  }
  return false;
}

function json(res: ServerResponse, value: unknown): true {
  const body = Buffer.from(JSON.stringify(value));
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', body.length);
  res.end(body);
  return true;
}
