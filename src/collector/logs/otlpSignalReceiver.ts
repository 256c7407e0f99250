import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { DecodeError, type DecodeContext } from '../store/decodedBatch';
import { exportResponse, statusBody } from '../ingest/otlpResponse';
import type { WorkSlicer } from '../ingest/workSlicer';
import { RETRY_AFTER_SECONDS, type InFlightBytes } from '../ingest/inFlightBytes';
import { discard, DRAIN_CAP } from '../ingest/otlpHttpReceiver';
import type { MetricStore } from '../metrics/metricStore';
import { decodeOtlpMetricsJson, decodeOtlpMetricsProto } from '../metrics/otlpMetricsDecoder';
import type { LogStore } from './logStore';
import { decodeOtlpLogsJson, decodeOtlpLogsProto, type DecodedLogs } from './otlpLogsDecoder';

export interface SignalReceiverOptions {
  maxBodyBytes: number;
  slicer: WorkSlicer;
  decodeContext: DecodeContext;
  /** Where `/v1/logs` records go. */
  logs: LogStore;
  /** Where `/v1/metrics` points go (without it they are answered as not kept). */
  metrics?: MetricStore;
  counters: { requests: number; rejectedRequests: number };
  /** Bodies received and not yet stored, shared with the traces path: past its bound, 503. */
  inFlight?: InFlightBytes;
}

/**
 * `POST /v1/logs` and `POST /v1/metrics` (both stored), OTLP/HTTP with the same limits as traces: JSON or protobuf, gzip or deflate, 413 beyond the limit, 400 (nothing stored) for a body
 * that does not decode; invalid log records counted in partialSuccess.
 */
export function receiveSignal(signal: 'logs' | 'metrics', req: IncomingMessage, res: ServerResponse, o: SignalReceiverOptions): void {
  o.counters.requests++;
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const proto = ct === 'application/x-protobuf' || ct === 'application/protobuf';
  const send = (status: number, body: Buffer): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', proto ? 'application/x-protobuf' : 'application/json');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };
  const fail = (status: number, message: string): void => {
    o.counters.rejectedRequests++;
    send(status, statusBody(proto, status === 413 ? 8 : 3, message));
  };
  if (!proto && ct !== 'application/json') {
    req.resume();
    return fail(415, 'Content-Type must be application/json or application/x-protobuf');
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    req.resume();
    return fail(415, `unsupported Content-Encoding "${encoding}"`);
  }
  const limit = o.maxBodyBytes;
  const hold = o.inFlight?.hold();
  const busy = (): void => {
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    send(503, statusBody(proto, 14, `the collector is busy storing earlier requests (${o.inFlight!.maxBytes} bytes in flight): retry after ${RETRY_AFTER_SECONDS} s`));
  };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (hold) {
    res.once('finish', hold.release);
    res.once('close', hold.release);
    if (declared >= 0 && declared <= limit && !hold.reserve(declared)) {
      discard(req, declared > DRAIN_CAP);
      return busy();
    }
  }
  const reservedUpFront = hold !== undefined && declared >= 0 && declared <= limit;
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (over) return;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      fail(413, `body exceeds the limit of ${limit} bytes`);
      return;
    }
    if (hold && !reservedUpFront && !hold.reserve(c.length)) {
      over = true;
      chunks.length = 0;
      busy();
      return;
    }
    chunks.push(c);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    if (over) return;
    const raw = Buffer.concat(chunks, size);
    const handle = (body: Buffer): void =>
      o.slicer.run(() => {
        if (signal === 'metrics') {
          let points;
          try {
            points = proto ? decodeOtlpMetricsProto(body, o.decodeContext) : decodeOtlpMetricsJson(parseJson(body), o.decodeContext);
          } catch (e) {
            return fail(400, e instanceof DecodeError ? e.message : `malformed body: ${(e as Error).message}`);
          }
          if (!o.metrics) return send(200, exportResponse(proto, 0, 'metrics are not kept by this collector'));
          o.metrics.add(points);
          return send(200, proto ? Buffer.alloc(0) : Buffer.from('{}'));
        }
        let decoded: DecodedLogs;
        try {
          decoded = proto ? decodeOtlpLogsProto(body, o.decodeContext, o.logs.tables) : decodeOtlpLogsJson(parseJson(body), o.decodeContext, o.logs.tables);
        } catch (e) {
          return fail(400, e instanceof DecodeError ? e.message : `malformed body: ${(e as Error).message}`);
        }
        o.logs.add(decoded.records, decoded.rejected);
        send(200, logsResponse(proto, decoded.rejected, decoded.rejected ? `${decoded.rejected} log record(s) rejected; first: ${decoded.firstError}` : ''));
      });
    if (encoding === 'identity') return handle(raw);
    (encoding === 'deflate' ? inflate : gunzip)(raw, { maxOutputLength: limit }, (err, out) => {
      if (err) return fail((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError ? 413 : 400, `invalid ${encoding} body: ${err.message}`);
      handle(out);
    });
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DecodeError(`invalid JSON: ${(e as Error).message}`);
  }
}

/** ExportLogsServiceResponse: its partialSuccess has rejected_log_records = 1 as traces' rejected_spans. */
export function logsResponse(proto: boolean, rejected: number, message: string): Buffer {
  if (proto) return exportResponse(true, rejected, message);
  return Buffer.from(JSON.stringify(rejected > 0 || message ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } } : {}));
}
