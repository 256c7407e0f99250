import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs, USAGE_EXIT } from '../commandArgs';
import { Collector } from '../../collector';

const HELP = `Usage: instrument-first collector [options]

Runs the OTLP/HTTP collector on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM. Programs send spans
to it with OTEL_EXPORTER_OTLP_ENDPOINT=<endpoint> (or "instrument-first run --endpoint <endpoint>");
"instrument-first runs|show|diff --collector <endpoint>" query it.

Options:
  --port N          port to listen on (default 0: a free port)
  --grpc-port N     also serve OTLP/gRPC on 127.0.0.1:N (0: a free port; default: no gRPC);
                    programs send with OTEL_EXPORTER_OTLP_PROTOCOL=grpc
                    OTEL_EXPORTER_OTLP_ENDPOINT=http://<printed gRPC address>
  --persist DIR     keep each finished trace as an OTLP JSON file in DIR, load them on start
  --retention N     trace files kept in DIR at most (default 200)
  --retention-mb N  megabytes of trace files kept in DIR at most (default 1024)
  --retention-days N  trace files older than N days are deleted (default 30; 0: no age limit)
  --forward URL     also send every accepted batch to this OTLP/HTTP endpoint
  --header k=v      header for --forward (repeatable)
  --max-memory MB   memory budget of the stored traces in MiB (default 1024), measured on the
                    stored spans; beyond it whole traces are evicted, finished ones first (least
                    recently finished first), unfinished ones last; one trace may take half of
                    it, its newer spans are refused beyond that (the sender is told)
  --max-spans N     spans kept in memory at most (default 500000; one trace: half)
  --max-traces N    traces kept in memory at most (default 2000)
  --idle-seconds N  a trace whose root has not arrived counts as finished after N seconds
                    without spans (default 5; plan runs wait 12 times as long)
  --max-body N      request body limit in bytes, compressed and decompressed (default 16 MiB)
  --allow-origin O  browser origin allowed to send or read (repeatable; default none)
  --decode-threads N  worker threads that decode JSON request bodies (default 2 with 2 or more
                    CPUs, else 0: decoding on the main thread); protobuf is decoded in place,
                    or by an idle worker while bodies wait for the main thread
`;

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`collector: --${name} must be an integer from ${min} to ${max}`, 2);
  return n;
}

/**
 * The standalone collector's budget: a process of its own can take more than the extension host,
 * which every extension of the window shares (256 MiB there).
 */
const STANDALONE_MAX_BYTES = 1024 * 1024 * 1024;
const mib = (n: number | undefined): number | undefined => (n === undefined ? undefined : n * 1024 * 1024);
const days = (n: number | undefined): number | undefined => (n === undefined ? undefined : n * 24 * 3600 * 1000);
const secs = (n: number | undefined): number | undefined => (n === undefined ? undefined : n * 1000);

export const collectorCommand: CliCommand = {
  summary: 'serve the OTLP/HTTP collector (and its read API) on 127.0.0.1',
  async run(argv) {
    const parsed = parseCommandArgs('collector', HELP, argv, {
      port: { type: 'string' },
      'grpc-port': { type: 'string' },
      persist: { type: 'string' },
      retention: { type: 'string' },
      forward: { type: 'string' },
      header: { type: 'string', multiple: true },
      'max-spans': { type: 'string' },
      'max-memory': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'retention-mb': { type: 'string' },
      'retention-days': { type: 'string' },
      'max-traces': { type: 'string' },
      'max-body': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'decode-threads': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    if (parsed.positionals.length > 0) throw new CliError(`collector: unexpected argument "${parsed.positionals[0]}"\n\n${HELP}`, USAGE_EXIT);
    const { values } = parsed;
    const headers: Record<string, string> = {};
    for (const h of values.header ?? []) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw new CliError(`collector: --header must be k=v, got "${h}"`, 2);
      headers[h.slice(0, eq).trim()] = h.slice(eq + 1).trim();
    }
    if (values.forward) {
      try {
        new URL(values.forward);
      } catch {
        throw new CliError(`collector: --forward must be a URL, got "${values.forward}"`, 2);
      }
    }
    const collector = new Collector({
      port: int('port', values.port, 0, 65535) ?? 0,
      grpcPort: int('grpc-port', values['grpc-port'], 0, 65535),
      persistDir: values.persist,
      retention: int('retention', values.retention, 1, 1_000_000),
      retentionBytes: mib(int('retention-mb', values['retention-mb'], 1, 1024 * 1024)),
      retentionMs: days(int('retention-days', values['retention-days'], 0, 100_000)),
      maxBytes: mib(int('max-memory', values['max-memory'], 1, 1024 * 1024)) ?? STANDALONE_MAX_BYTES,
      // Its own process: keep V8's garbage near the budget (see heapGrowth.ts).
      limitHeapGrowth: true,
      idleMs: secs(int('idle-seconds', values['idle-seconds'], 0, 86_400)),
      maxSpans: int('max-spans', values['max-spans'], 1, 100_000_000),
      maxTraces: int('max-traces', values['max-traces'], 1, 10_000_000),
      maxBodyBytes: int('max-body', values['max-body'], 1024, 1024 * 1024 * 1024),
      allowedOrigins: values['allow-origin'],
      decodeThreads: int('decode-threads', values['decode-threads'], 0, 16),
      forward: values.forward ? { url: values.forward, headers } : undefined,
      onWarning: (m) => process.stderr.write(`collector: ${m}\n`),
      // One line the first time spans are evicted, refused or truncated; the counts are in /api/stats.
      onFirstLoss: (m) => process.stderr.write(`collector: ${m}\n`),
    });
    let endpoint: string;
    try {
      ({ endpoint } = await collector.start());
    } catch (err) {
      throw new CliError(`collector: cannot listen: ${(err as Error).message}`, 1, { cause: err });
    }
    const stats = collector.store.stats();
    process.stdout.write(`${endpoint}\n`);
    if (collector.grpcAddress) process.stdout.write(`grpc ${collector.grpcAddress}\n`);
    process.stderr.write(
      `collector listening on ${endpoint} (traces: ${endpoint}/v1/traces, read API: ${endpoint}/api/runs)` +
        (collector.grpcAddress ? `; OTLP/gRPC on ${collector.grpcAddress}` : '') +
        `; memory budget ${Math.round(stats.maxBytes / (1024 * 1024))} MiB` +
        (values.persist ? `; ${stats.traces} trace(s) loaded from ${values.persist}` : '') +
        (values.forward ? `; forwarding to ${values.forward}` : '') +
        '\n',
    );
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
    await collector.stop();
    const s = collector.store.stats();
    process.stderr.write(
      `collector stopped: ${s.acceptedSpans} spans accepted, ${s.rejectedSpans} rejected, ${s.refusedSpans} refused for the memory bounds, ${s.truncatedSpans} truncated, ${s.evictedTraces} traces evicted` +
        (values.forward ? `, ${s.forwardedBatches} batches forwarded, ${s.forwardFailures} failed` : '') +
        '\n',
    );
    return 0;
  },
};
