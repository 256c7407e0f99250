import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disposable } from './store/changeCoalescer';
import type { DecodeContext } from './store/decodedBatch';
import type { LogStore } from './logs/logStore';
import { decodeOtlpLogsJson } from './logs/otlpLogsDecoder';
import type { MetricStore } from './metrics/metricStore';
import { decodeOtlpMetricsJson } from './metrics/otlpMetricsDecoder';
import { enforceRetention, filesOldestFirst, LOG_FILE_PREFIX, METRIC_FILE_PREFIX, writeFileAtomically } from './persistFiles';
import { retentionOf, type PersistenceOptions } from './runPersistence';
import { logsJsonPieces, metricsJsonPieces } from './signalFilesJson';

/** How often the stores are looked at for records and points not yet written (ms). */
const DEFAULT_INTERVAL_MS = 2_000;
/** The metric store is written whole, into this one file (its size is bounded by the budget). */
const METRICS_FILE = `${METRIC_FILE_PREFIX}latest.json`;

const isLogFile = (n: string): boolean => n.startsWith(LOG_FILE_PREFIX);
const isMetricFile = (n: string): boolean => n.startsWith(METRIC_FILE_PREFIX);

/**
 * Keeps log records and metric points in the persist folder beside the trace files, with the same
 * retention (count, bytes, age: applied to the log files and the metric files as to the trace
 * files), atomic writes, and corrupt files skipped with a warning naming them:
 * - log records: each write is a new OTLP/JSON file (`logs_<time>_<n>.json`) of the records that
 *   arrived since the last one; files are never rewritten;
 * - metric points: the latest points of every series in one OTLP/JSON file, rewritten when new
 *   points arrived.
 * On start the files are loaded (logs oldest first) into the stores, within the memory budget.
 */
export class SignalPersistence implements Disposable {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private writes = 0;
  private logsWritten = 0;
  private metricsWritten = 0;

  constructor(
    private readonly logs: LogStore,
    private readonly metrics: MetricStore,
    private readonly decodeContext: DecodeContext,
    private readonly options: PersistenceOptions & { intervalMs?: number; onError?: () => void },
  ) {}

  private warn(m: string): void {
    this.options.onWarning?.(m);
  }

  /** Loads the log files (oldest first) and the metric file; a file that does not load is skipped with a warning. */
  async load(): Promise<{ loaded: number; skipped: number }> {
    const dir = this.options.dir;
    const retention = retentionOf(this.options);
    await enforceRetention(dir, isLogFile, retention);
    await enforceRetention(dir, isMetricFile, retention);
    let loaded = 0;
    let skipped = 0;
    const each = async (name: string, apply: (doc: unknown) => number): Promise<void> => {
      const path = join(dir, name);
      try {
        const n = apply(JSON.parse(await readFile(path, 'utf8')) as unknown);
        if (n === 0) throw new Error('nothing in it');
        loaded++;
      } catch (e) {
        skipped++;
        this.warn(`skipped ${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (const name of await filesOldestFirst(dir, isLogFile)) {
      await each(name, (doc) => {
        const d = decodeOtlpLogsJson(doc, this.decodeContext, this.logs.tables);
        this.logs.add(d.records);
        return d.records.length;
      });
    }
    for (const name of await filesOldestFirst(dir, isMetricFile)) {
      await each(name, (doc) => {
        const points = decodeOtlpMetricsJson(doc, this.decodeContext);
        this.metrics.add(points);
        return points.length;
      });
    }
    // What was loaded is on disk already.
    this.logsWritten = this.logs.position;
    this.metricsWritten = this.metrics.stats().acceptedPoints;
    return { loaded, skipped };
  }

  /** Starts writing what arrives (looked at every couple of seconds; never on the receiving path). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.enqueue(), this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.timer.unref();
  }

  private enqueue(): void {
    this.writing = this.writing.then(() => this.writeNew()).catch((e: unknown) => {
      this.options.onError?.();
      this.warn(`could not write logs or metrics: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  private async writeNew(): Promise<void> {
    const dir = this.options.dir;
    const retention = retentionOf(this.options);
    const position = this.logs.position;
    if (position > this.logsWritten) {
      const records = this.logs.recordsAfter(this.logsWritten);
      this.logsWritten = position;
      if (records.length > 0) {
        const when = new Date().toISOString().replace(/[:.]/g, '-');
        await writeFileAtomically(dir, `${LOG_FILE_PREFIX}${when}_${position}.json`, logsJsonPieces(records), ++this.writes);
        await enforceRetention(dir, isLogFile, retention);
      }
    }
    const accepted = this.metrics.stats().acceptedPoints;
    if (accepted > this.metricsWritten) {
      this.metricsWritten = accepted;
      await writeFileAtomically(dir, METRICS_FILE, metricsJsonPieces(this.metrics.query()), ++this.writes);
      await enforceRetention(dir, isMetricFile, retention);
    }
  }

  /** Writes what is not written yet and waits for it. */
  async flush(): Promise<void> {
    this.enqueue();
    await this.writing;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
