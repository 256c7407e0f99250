import type { ImportResult } from '../../protocol/collectorTypes';
import { DecodeContext, DecodeError } from '../store/decodedBatch';
import { decodeOtlpJsonValue, importOtlpJson, type OtlpJsonImportTarget } from '../ingest/otlpJsonDecoder';
import { FormatProblem, ImportError, isObj, type Obj } from './importError';
import { isJaegerJson, jaegerToOtlp } from './jaegerJson';
import { jsonErrorOffset } from './jsonErrorOffset';
import type { OtlpTraceRequest } from './otlpShapes';
import { isZipkinJson, zipkinToOtlp } from './zipkinJson';

/** The formats a trace file is recognised as. */
export type TraceFileFormat =
  | 'otlp-json' // an ExportTraceServiceRequest / TracesData (this tool's export, otel-desktop-viewer, Aspire)
  | 'otlp-json-lines' // the OpenTelemetry Collector's file exporter: one OTLP/JSON object per line, any signal
  | 'jaeger-json' // the Jaeger UI's download, Jaeger's /api/traces answer
  | 'jaeger-api-v3' // Jaeger's /api/v3/traces answer: {"result": TracesData}
  | 'tempo-json' // Tempo's /api/v2/traces answer {"trace": …} or /api/traces {"batches": …}
  | 'zipkin-json'; // Zipkin v2 spans

export const FORMAT_NAMES: Record<TraceFileFormat, string> = {
  'otlp-json': 'OTLP/JSON',
  'otlp-json-lines': 'OTLP/JSON lines (Collector file exporter)',
  'jaeger-json': 'Jaeger JSON',
  'jaeger-api-v3': 'Jaeger API v3 JSON',
  'tempo-json': 'Tempo JSON',
  'zipkin-json': 'Zipkin v2 JSON',
};

/** A file converted to OTLP/JSON and checked against the decoder; ready to store. */
export interface ConvertedTraceFile {
  file: string;
  format: TraceFileFormat;
  /** One ExportTraceServiceRequest per source object (per line for JSON lines). */
  requests: OtlpTraceRequest[];
  spans: number;
  /** Log records and metric data found beside the spans (not stored by an import of traces). */
  logRecords: number;
  metricPoints: number;
}

/** Where converted requests go: a span store. */
export type { OtlpJsonImportTarget };

/** Most bytes of one file read for an import. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/**
 * Recognises, converts and checks a whole file; throws ImportError (with file, line and JSON
 * path) at the first problem, before anything is stored.
 */
export function convertTraceFile(text: string, file: string): ConvertedTraceFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) throw new ImportError('the file is empty', file, '');
  let doc: unknown;
  let parseError: Error | undefined;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    parseError = e as Error;
  }
  if (parseError) {
    const lines = text.split('\n');
    if (lines.filter((l) => l.trim()).length > 1 && parsesAlone(lines.find((l) => l.trim())!)) return convertJsonLines(lines, file);
    throw new ImportError(`not valid JSON: ${jsonErrorWhere(parseError.message, text)}`, file, '');
  }
  return convertDocument(doc, file);
}

/** A JSON lines file: its first line is a whole JSON object. */
function parsesAlone(line: string): boolean {
  try {
    return isObj(JSON.parse(line));
  } catch {
    return false;
  }
}

function convertDocument(doc: unknown, file: string): ConvertedTraceFile {
  const at = (problem: string, path = '$'): ImportError => new ImportError(problem, file, path);
  let format: TraceFileFormat;
  let request: OtlpTraceRequest;
  let logRecords = 0;
  let metricPoints = 0;
  try {
    if (isObj(doc) && (doc.resourceSpans !== undefined || doc.resourceLogs !== undefined || doc.resourceMetrics !== undefined)) {
      format = 'otlp-json';
      request = { resourceSpans: otlpList(doc.resourceSpans, '$.resourceSpans') };
      logRecords = countLogRecords(doc);
      metricPoints = countMetricPoints(doc);
    } else if (isObj(doc) && isObj(doc.result) && doc.result.resourceSpans !== undefined) {
      format = 'jaeger-api-v3';
      request = { resourceSpans: otlpList(doc.result.resourceSpans, '$.result.resourceSpans') };
    } else if (isObj(doc) && isObj(doc.trace) && (doc.trace.resourceSpans !== undefined || doc.trace.batches !== undefined)) {
      format = 'tempo-json';
      const t = doc.trace;
      request = { resourceSpans: t.resourceSpans !== undefined ? otlpList(t.resourceSpans, '$.trace.resourceSpans') : otlpList(t.batches, '$.trace.batches') };
    } else if (isObj(doc) && doc.batches !== undefined) {
      format = 'tempo-json';
      request = { resourceSpans: otlpList(doc.batches, '$.batches') };
    } else if (isJaegerJson(doc)) {
      format = 'jaeger-json';
      request = jaegerToOtlp(doc);
    } else if (isZipkinJson(doc)) {
      format = 'zipkin-json';
      request = zipkinToOtlp(doc);
    } else if (isObj(doc) && isObj(doc.error)) {
      throw at(`the file holds an error answer, not a trace: ${JSON.stringify(doc.error).slice(0, 200)}`);
    } else {
      throw at(
        'not a trace file this tool knows: expected OTLP/JSON ({"resourceSpans": …}), OTLP/JSON lines (the Collector file exporter), Jaeger JSON ({"data": [{"traceID", "spans", "processes"}]}), Jaeger API v3 ({"result": …}), Tempo ({"trace": …}) or Zipkin v2 ([{"traceId", "id", …}])',
      );
    }
  } catch (e) {
    if (e instanceof FormatProblem) throw at(e.problem, e.jsonPath);
    throw e;
  }
  checkDecodes(request, file, undefined);
  return { file, format, requests: [request], spans: countSpans(request), logRecords, metricPoints };
}

function convertJsonLines(lines: string[], file: string): ConvertedTraceFile {
  const requests: OtlpTraceRequest[] = [];
  let spans = 0;
  let logRecords = 0;
  let metricPoints = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      throw new ImportError(`not valid JSON: ${(e as Error).message}`, file, '', i + 1);
    }
    if (!isObj(doc) || (doc.resourceSpans === undefined && doc.resourceLogs === undefined && doc.resourceMetrics === undefined)) {
      throw new ImportError('each line of a JSON lines file must be an OTLP/JSON object with resourceSpans, resourceLogs or resourceMetrics', file, '$', i + 1);
    }
    let request: OtlpTraceRequest;
    try {
      request = { resourceSpans: otlpList(doc.resourceSpans, '$.resourceSpans') };
    } catch (e) {
      if (e instanceof FormatProblem) throw new ImportError(e.problem, file, e.jsonPath, i + 1);
      throw e;
    }
    checkDecodes(request, file, i + 1);
    logRecords += countLogRecords(doc);
    metricPoints += countMetricPoints(doc);
    const n = countSpans(request);
    spans += n;
    if (n > 0) requests.push(request);
  });
  return { file, format: 'otlp-json-lines', requests, spans, logRecords, metricPoints };
}

function otlpList(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FormatProblem('must be an array', path);
  return v;
}

/** The store's decoder, run on a throw-away context: a span it would refuse fails the file. */
function checkDecodes(request: OtlpTraceRequest, file: string, line: number | undefined): void {
  let batch;
  try {
    batch = decodeOtlpJsonValue(request, new DecodeContext());
  } catch (e) {
    if (e instanceof DecodeError) throw new ImportError(e.message, file, '', line);
    throw e;
  }
  if (batch.rejected > 0) {
    const m = /^(resourceSpans\[\d+\]\.scopeSpans\[\d+\]\.spans\[\d+\]): (.*)$/.exec(batch.firstError);
    const more = batch.rejected > 1 ? ` (and ${batch.rejected - 1} more span(s))` : '';
    if (m) throw new ImportError(`${m[2]}${more}`, file, `$.${m[1]} (converted OTLP)`, line);
    throw new ImportError(`${batch.firstError}${more}`, file, '', line);
  }
}

function countSpans(r: OtlpTraceRequest): number {
  let n = 0;
  for (const rs of r.resourceSpans) if (isObj(rs) && Array.isArray(rs.scopeSpans)) for (const ss of rs.scopeSpans) if (isObj(ss) && Array.isArray(ss.spans)) n += ss.spans.length;
  return n;
}

function countLogRecords(doc: Obj): number {
  let n = 0;
  if (Array.isArray(doc.resourceLogs)) for (const rl of doc.resourceLogs) if (isObj(rl) && Array.isArray(rl.scopeLogs)) for (const sl of rl.scopeLogs) if (isObj(sl) && Array.isArray(sl.logRecords)) n += sl.logRecords.length;
  return n;
}

function countMetricPoints(doc: Obj): number {
  let n = 0;
  if (!Array.isArray(doc.resourceMetrics)) return 0;
  for (const rm of doc.resourceMetrics) {
    if (!isObj(rm) || !Array.isArray(rm.scopeMetrics)) continue;
    for (const sm of rm.scopeMetrics) {
      if (!isObj(sm) || !Array.isArray(sm.metrics)) continue;
      for (const m of sm.metrics) {
        if (!isObj(m)) continue;
        for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
          const d = m[k];
          if (isObj(d) && Array.isArray(d.dataPoints)) n += d.dataPoints.length;
        }
      }
    }
  }
  return n;
}

/** JSON.parse's complaint, shortened, with the line and column where the text goes wrong. */
function jsonErrorWhere(message: string, text: string): string {
  const pos = jsonErrorOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  const what = pos >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text.slice(pos, pos + 12))}`;
  return `${what} at line ${line}, column ${column}${message.length < 120 && /position/.test(message) ? ` (${message})` : ''}`;
}

/** Stores converted files (already checked: nothing in them is refused). */
export function importConverted(target: OtlpJsonImportTarget, converted: ConvertedTraceFile): ImportResult {
  const traceIds = new Set<string>();
  let acceptedSpans = 0;
  let rejectedSpans = 0;
  let refusedSpans = 0;
  for (const r of converted.requests) {
    const res = importOtlpJson(target, JSON.stringify(r));
    for (const id of res.traceIds) traceIds.add(id);
    acceptedSpans += res.acceptedSpans;
    rejectedSpans += res.rejectedSpans;
    // Spans the store's memory bounds do not keep (a trace beyond its share of the budget).
    refusedSpans += res.refusedSpans;
  }
  return { traceIds: [...traceIds], acceptedSpans, rejectedSpans, refusedSpans };
}

/** A one-line account of a converted file, for the CLI and notifications. */
export function describeConverted(c: ConvertedTraceFile): string {
  const extra = [c.logRecords ? `${c.logRecords} log record(s)` : '', c.metricPoints ? `${c.metricPoints} metric point(s)` : ''].filter(Boolean);
  return `${c.spans} span(s) as ${FORMAT_NAMES[c.format]}${extra.length ? `; ${extra.join(' and ')} not imported (only traces are stored)` : ''}`;
}
