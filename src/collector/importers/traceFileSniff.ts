import type { TraceFileFormat } from './traceFileImport';

/**
 * A cheap look at the start of a file (a few KB): does it look like a trace file we can import?
 * For offering an import when such a file is opened; the import itself checks everything.
 */
export function sniffTraceFile(head: string): TraceFileFormat | undefined {
  const h = head.replace(/^\uFEFF/, '').trimStart();
  if (!h.startsWith('{') && !h.startsWith('[')) return undefined;
  if (/^\{\s*"result"\s*:\s*\{\s*"resourceSpans"/.test(h)) return 'jaeger-api-v3';
  if (/^\{\s*"trace"\s*:\s*\{\s*"(resourceSpans|batches)"/.test(h)) return 'tempo-json';
  if (/"resourceSpans"\s*:/.test(h) || /^\{\s*"resource(Logs|Metrics)"\s*:/.test(h)) {
    const firstLineEnd = h.indexOf('\n');
    // The Collector's file exporter writes one compact object per line.
    return firstLineEnd > 0 && /^\{\s*"resource(Spans|Logs|Metrics)"/.test(h) && /\}\s*$/.test(h.slice(0, firstLineEnd)) && /^\s*\{/.test(h.slice(firstLineEnd + 1)) ? 'otlp-json-lines' : 'otlp-json';
  }
  if (/"traceID"\s*:/.test(h) && /"spans"\s*:/.test(h) && /"(operationName|processID|processes)"\s*:/.test(h)) return 'jaeger-json';
  if (/"traceId"\s*:\s*"[0-9a-fA-F]{16,32}"/.test(h) && /"id"\s*:\s*"[0-9a-fA-F]{1,16}"/.test(h) && /"(timestamp|localEndpoint|kind)"\s*:/.test(h)) return 'zipkin-json';
  return undefined;
}
