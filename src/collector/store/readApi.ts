import type { ServerResponse } from 'node:http';
import type { SpanQuery } from '../../protocol/collectorTypes';
import type { SpanStatusName } from '../../protocol/spanView';
import { treeJson } from './queries/traceTree';
import type { SpanStore } from './spanStore';

function json(res: ServerResponse, status: number, value: unknown, text?: string): void {
  const body = Buffer.from(text ?? JSON.stringify(value));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function num(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/**
 * The read API (JSON, GET only): /api/runs, /api/runs/{id}, /api/traces/{id} (span tree),
 * /api/traces/{id}/spans, /api/traces/{id}/otlp, /api/stats, /api/procedures?lastRuns=&plan=,
 * /api/search?name=&attribute=&value=&status=&minDurationMs=&traceId=&limit=, /api/diff?a=&b=.
 * Returns false when the path is not one of them.
 */
export function serveReadApi(url: URL, res: ServerResponse, store: SpanStore): boolean {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'api') return false;
  const q = url.searchParams;
  const [, what, id, sub] = parts;
  const notFound = (m: string): void => json(res, 404, { error: m });
  const bad = (m: string): void => json(res, 400, { error: m });
  switch (what) {
    case 'runs':
      if (parts.length === 2) return json(res, 200, store.runs()), true;
      if (parts.length === 3 && id) {
        const run = store.run(id);
        return run ? json(res, 200, run) : notFound(`no trace ${id}`), true;
      }
      return false;
    case 'traces': {
      if (!id || parts.length > 4) return false;
      if (!TRACE_ID.test(id)) return bad('trace id must be 32 hex digits'), true;
      if (!store.run(id)) return notFound(`no trace ${id}`), true;
      if (sub === undefined) return json(res, 200, undefined, treeJson(store.tree(id)!)), true;
      if (sub === 'spans') return json(res, 200, store.trace(id)), true;
      if (sub === 'otlp') {
        const body = Buffer.from(store.exportOtlpJson(id));
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Content-Disposition', `attachment; filename="trace-${id}.json"`);
        res.end(body);
        return true;
      }
      return false;
    }
    case 'stats':
      return parts.length === 2 ? (json(res, 200, store.stats()), true) : false;
    case 'procedures': {
      if (parts.length !== 2) return false;
      const lastRuns = num(q.get('lastRuns'));
      const plan = q.get('plan') ?? undefined;
      return json(res, 200, store.procedureStats({ ...(lastRuns ? { lastRuns } : {}), ...(plan ? { plan } : {}) })), true;
    }
    case 'search': {
      if (parts.length !== 2) return false;
      const query: SpanQuery = {};
      const name = q.get('name');
      if (name) query.name = name;
      const attribute = q.get('attribute');
      if (attribute) query.attribute = attribute;
      const value = q.get('value');
      if (value !== null) query.attributeValue = value;
      const status = q.get('status');
      if (status) {
        if (status !== 'ok' && status !== 'error' && status !== 'unset') return bad('status must be ok, error or unset'), true;
        query.status = status as SpanStatusName;
      }
      const minDurationMs = num(q.get('minDurationMs'));
      if (minDurationMs !== undefined) query.minDurationMs = minDurationMs;
      const traceId = q.get('traceId');
      if (traceId) query.traceId = traceId;
      const limit = num(q.get('limit'));
      if (limit !== undefined) query.limit = limit;
      return json(res, 200, store.search(query)), true;
    }
    case 'diff': {
      if (parts.length !== 2) return false;
      const a = q.get('a');
      const b = q.get('b');
      if (!a || !b || !TRACE_ID.test(a) || !TRACE_ID.test(b)) return bad('diff needs a= and b= trace ids (32 hex digits)'), true;
      const diff = store.diff(a, b);
      return diff ? json(res, 200, diff) : notFound(`no trace ${store.run(a) ? b : a}`), true;
    }
    default:
      return false;
  }
}
