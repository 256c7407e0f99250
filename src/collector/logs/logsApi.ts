import type { ServerResponse } from 'node:http';
import type { MetricStore } from '../metrics/metricStore';
import type { LogStore } from './logStore';

/**
 * The read API's log part: `GET /api/traces/{id}/logs` (the trace's logs in time order, each with
 * its span id), `GET /api/logs?service=&limit=` (logs without trace context) and
 * `GET /api/metrics?service=&name=&since=` (series with their latest points). True when it answered.
 */
export function serveLogsApi(url: URL, res: ServerResponse, logs: LogStore, metrics?: MetricStore): boolean {
  const m = /^\/api\/traces\/([0-9a-fA-F]{32})\/logs$/.exec(url.pathname);
  if (m) return json(res, logs.forTrace(m[1]!));
  if (url.pathname === '/api/logs') {
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    return json(res, logs.withoutTrace(url.searchParams.get('service') ?? undefined, Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100_000) : 1000));
  }
  if (url.pathname === '/api/metrics' && metrics) {
    const since = Number(url.searchParams.get('since') ?? NaN);
    return json(res, metrics.query({ service: url.searchParams.get('service') ?? undefined, name: url.searchParams.get('name') ?? undefined, sinceMs: Number.isFinite(since) ? since : undefined }));
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
