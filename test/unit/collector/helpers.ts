import { request } from 'node:http';
import { Collector, type CollectorOptions } from '../../../src/collector';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** A raw HTTP request (lets tests set Host, Origin and odd headers that fetch would refuse). */
export function httpRequest(endpoint: string, path: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {}): Promise<HttpResult> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function postTraces(endpoint: string, body: Buffer | string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<HttpResult> {
  return httpRequest(endpoint, '/v1/traces', { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
}

export async function withCollector<T>(options: CollectorOptions, fn: (c: Collector, endpoint: string) => Promise<T>): Promise<T> {
  const c = new Collector(options);
  const { endpoint } = await c.start();
  try {
    return await fn(c, endpoint);
  } finally {
    await c.stop();
  }
}

export const T0 = 1_763_000_000_000; // ms

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes?: Record<string, string | number | boolean>;
  status?: 0 | 1 | 2;
  statusMessage?: string;
}

function anyValue(v: string | number | boolean): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** An OTLP/JSON span object. */
export function jsonSpan(s: SpanSpec): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: 1,
    startTimeUnixNano: String(Math.round(s.startMs * 1e6)),
    endTimeUnixNano: String(Math.round(s.endMs * 1e6)),
    attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({ key, value: anyValue(v) })),
    status: { code: s.status ?? 0, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
  };
}

export function jsonRequest(spans: SpanSpec[], service = 'test-service'): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'test' }, spans: spans.map(jsonSpan) }] }],
  });
}

export function hexId(n: number, bytes: number): string {
  return n.toString(16).padStart(bytes * 2, '0');
}
export const traceIdOf = (n: number): string => hexId(0xabc00000 + n, 16);
export const spanIdOf = (n: number): string => hexId(0x5000 + n, 8);

/** Deterministic PRNG (mulberry32) for fuzzing. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A plan run as the runtime records it: root `plan <name>`, passes, steps (with calls as children).
 * steps: per pass, a list of [procedureId, durationMs, calls (names), error?].
 */
export function planRun(
  n: number,
  plan: string,
  passes: [string, number, string[], boolean?][][],
  outcome: 'converged' | 'failed' | 'cancelled' | 'not_converged' = 'converged',
): SpanSpec[] {
  const traceId = traceIdOf(n);
  let id = n * 1000;
  const spans: SpanSpec[] = [];
  const rootId = spanIdOf(++id);
  let t = T0 + n * 10_000;
  const start = t;
  passes.forEach((steps, p) => {
    const passId = spanIdOf(++id);
    const passStart = t;
    for (const [procedureId, dur, calls, error] of steps) {
      const stepId = spanIdOf(++id);
      spans.push({ traceId, spanId: stepId, parentSpanId: passId, name: procedureId, startMs: t, endMs: t + dur, status: error ? 2 : 0, attributes: { 'instrument_first.kind': 'step', 'plan.name': plan, 'plan.pass': p + 1, 'procedure.id': procedureId, 'procedure.type': 'class', 'procedure.depth': 0, 'code.function': `${procedureId}.do`, 'code.filepath': `/plans/${plan}.ts` } });
      calls.forEach((c, i) => spans.push({ traceId, spanId: spanIdOf(++id), parentSpanId: stepId, name: c, startMs: t + i * 0.1, endMs: t + i * 0.1 + 0.05, attributes: { 'instrument_first.kind': 'call' } }));
      t += dur;
    }
    spans.push({ traceId, spanId: passId, parentSpanId: rootId, name: `pass ${p + 1}`, startMs: passStart, endMs: t, attributes: { 'instrument_first.kind': 'pass', 'plan.name': plan, 'plan.pass': p + 1, 'plan.pass.step_count': steps.length } });
  });
  spans.push({ traceId, spanId: rootId, name: `plan ${plan}`, startMs: start, endMs: t, status: outcome === 'failed' ? 2 : 0, attributes: { 'instrument_first.kind': 'plan', 'plan.name': plan, 'plan.outcome': outcome, 'plan.passes': passes.length, 'plan.steps_run': passes.flat().length } });
  return spans;
}
