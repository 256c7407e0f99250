import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { cleanForTerminal as clean } from '../../text/terminalText';
import { Env } from '../../protocol/envVars';
import { convertTraceFile, describeConverted, ImportError, MAX_IMPORT_BYTES, type ConvertedTraceFile } from '../../collector/importers';

const HELP = `Usage: instrument-first import <file>… [options]

Loads trace files into a running collector ("instrument-first collector"): OTLP/JSON, OTLP/JSON
lines (the OpenTelemetry Collector's file exporter), Jaeger JSON (the Jaeger UI's "Download
JSON", /api/traces), Jaeger API v3 and Tempo answers, Zipkin v2 JSON. The format is recognised
from the content. Every file is converted and checked first; a file with a problem is reported
(file, line, JSON path) and nothing of it is stored; the other files are.

Options:
  --collector URL   the collector (default: OTEL_EXPORTER_OTLP_ENDPOINT)
  --check           only convert and check, store nothing
  --out FILE        also write the converted OTLP/JSON (one file given) to FILE
  --json            print a JSON summary
`;

interface Outcome {
  file: string;
  ok: boolean;
  format?: string;
  spans?: number;
  traceIds?: string[];
  error?: string;
}

async function readTraceFile(path: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new ImportError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path, '');
  }
  if (size > MAX_IMPORT_BYTES) throw new ImportError(`the file has ${size} bytes; at most ${MAX_IMPORT_BYTES} are imported`, path, '');
  return readFile(path, 'utf8');
}

/** Sends converted requests to the collector's OTLP/HTTP receiver, which stores them. */
async function send(base: string, c: ConvertedTraceFile): Promise<string[]> {
  const ids = new Set<string>();
  for (const r of c.requests) {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r), signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
      throw new CliError(`import: cannot reach the collector at ${base}: ${cause}`, 1, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new CliError(`import: the collector refused ${c.file}: ${text.slice(0, 300)} (HTTP ${res.status})`, 1);
    // The file was checked: spans not kept now are the collector's memory bounds at work.
    try {
      const partial = (JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } }).partialSuccess;
      if (partial && Number(partial.rejectedSpans) > 0) process.stderr.write(`import: ${clean(c.file)}: the collector did not keep ${partial.rejectedSpans} span(s): ${clean(partial.errorMessage ?? '')}\n`);
    } catch {
      /* an empty or non-JSON success body */
    }
    for (const rs of r.resourceSpans as { scopeSpans?: { spans?: { traceId?: string }[] }[] }[]) {
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) if (typeof s.traceId === 'string') ids.add(normalId(s.traceId));
    }
  }
  return [...ids];
}

function normalId(id: string): string {
  return /^[0-9a-fA-F]{32}$/.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

export const importCommand: CliCommand = {
  summary: 'load trace files (OTLP, Collector file exporter, Jaeger, Tempo, Zipkin) into a collector',
  async run(argv) {
    const parsed = parseCommandArgs('import', HELP, argv, {
      collector: { type: 'string' },
      check: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals: files } = parsed;
    if (files.length === 0) throw new CliError(`import: give one or more files\n\n${HELP}`, 2);
    if (values.out && files.length !== 1) throw new CliError('import: --out takes one input file', 2);
    let base = '';
    if (!values.check) {
      const url = values.collector ?? process.env[Env.otlpEndpoint];
      if (!url) throw new CliError('import: no collector: pass --collector URL (printed by "instrument-first collector"), or --check', 2);
      try {
        const u = new URL(url);
        base = `${u.protocol}//${u.host}`;
      } catch {
        throw new CliError(`import: --collector must be a URL, got "${url}"`, 2);
      }
    }
    const outcomes: Outcome[] = [];
    for (const file of files) {
      let converted: ConvertedTraceFile;
      try {
        converted = convertTraceFile(await readTraceFile(file), file);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        outcomes.push({ file, ok: false, error: e.message });
        if (!values.json) process.stderr.write(`✘ ${clean(e.message)}\n`);
        continue;
      }
      if (values.out) await writeFile(values.out, JSON.stringify({ resourceSpans: converted.requests.flatMap((r) => r.resourceSpans) }));
      const traceIds = values.check ? [] : await send(base, converted);
      outcomes.push({ file, ok: true, format: converted.format, spans: converted.spans, traceIds });
      if (!values.json) {
        const verb = values.check ? 'checked' : 'imported';
        process.stdout.write(`✔ ${clean(basename(file))}: ${verb} ${clean(describeConverted(converted))}${traceIds.length ? `; trace${traceIds.length > 1 ? 's' : ''} ${traceIds.slice(0, 5).join(', ')}${traceIds.length > 5 ? ', …' : ''}` : ''}\n`);
      }
    }
    if (values.json) process.stdout.write(JSON.stringify(outcomes, null, 2) + '\n');
    return outcomes.every((o) => o.ok) ? 0 : 1;
  },
};
