import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disposable } from './store/changeCoalescer';
import { encodeOtlpJsonPieces } from './store/otlpJsonEncoder';
import type { SpanStore } from './store/spanStore';
import { importOtlpJson } from './ingest/otlpJsonDecoder';
import { enforceRetention, filesOldestFirst, isSignalFile, removeLeftovers, writeFileAtomically, type Retention } from './persistFiles';

export interface PersistenceOptions {
  dir: string;
  /** Most trace files kept; the oldest are deleted beyond it (default 200). */
  retention?: number;
  /** Most bytes of trace files kept; the oldest are deleted beyond it (default 1 GiB). */
  retentionBytes?: number;
  /** Files older than this (by last write, in ms) are deleted (default 30 days; 0: no age limit). */
  retentionMs?: number;
  /** Wait this long after a run's last change before writing it (default 500 ms). */
  quietMs?: number;
  onWarning?: (message: string) => void;
}

/** Spans encoded between two writes of a run file (~2–4 ms of encoding). */
const PIECE_SPANS = 400;

/** File name of a run: sortable by start time, readable, unique by trace id. */
export function runFileName(startMs: number, plan: string, traceId: string): string {
  const date = new Date(startMs);
  // A time no Date can hold (a span from an odd sender) names the file as of 1970, never throws.
  const when = (Number.isNaN(date.getTime()) ? new Date(0) : date).toISOString().replace(/[:.]/g, '-');
  const safe = plan.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'trace';
  return `${when}_${safe}_${traceId}.json`;
}

export const DEFAULT_RETENTION_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The retention options as applied to each kind of file (traces; log files; metric files). */
export function retentionOf(o: Pick<PersistenceOptions, 'retention' | 'retentionBytes' | 'retentionMs'>): Retention {
  return { files: Math.max(1, o.retention ?? 200), bytes: Math.max(0, o.retentionBytes ?? DEFAULT_RETENTION_BYTES), ageMs: Math.max(0, o.retentionMs ?? DEFAULT_RETENTION_MS) };
}

const isTraceFile = (name: string): boolean => !isSignalFile(name);

/**
 * Keeps each finished trace (plan runs and any other OTel trace; finished when its root arrived or
 * it went idle) as one OTLP JSON file in a folder, and loads them back on start. Writes are
 * debounced per trace (late spans rewrite the file), never block ingest, and are atomic: a
 * temporary file, flushed, then renamed over the old one, so a crash leaves the old file or the
 * new one, never half of one. Files beyond the retention (count, bytes, age) are deleted oldest
 * first. A file that does not load (corrupt, truncated, not OTLP) is skipped with a warning that
 * names it.
 */
export class RunPersistence implements Disposable {
  private readonly files = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private subscription: Disposable | undefined;
  private writing: Promise<void> = Promise.resolve();
  private writes = 0;

  constructor(
    private readonly store: SpanStore,
    private readonly options: PersistenceOptions,
  ) {}

  private warn(m: string): void {
    this.options.onWarning?.(m);
  }

  /** Loads every *.json file of the folder, oldest first; corrupt files are skipped with a warning. */
  async load(): Promise<{ loaded: number; skipped: number }> {
    // The folder is created by the first trace saved (write), not by looking: opening a plan must
    // not leave `.instrument-first/` in a workspace where nothing ran.
    const all = await readdir(this.options.dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!all) return { loaded: 0, skipped: 0 };
    // Left by a write that did not finish (the process died): never a trace file.
    await removeLeftovers(this.options.dir);
    await this.enforceRetention();
    let loaded = 0;
    let skipped = 0;
    // Log and metric files are SignalPersistence's.
    for (const name of await filesOldestFirst(this.options.dir, isTraceFile)) {
      const path = join(this.options.dir, name);
      try {
        const result = importOtlpJson(this.store, await readFile(path, 'utf8'));
        if (result.acceptedSpans === 0) throw new Error('no spans in it');
        this.store.markFinished(result.traceIds);
        for (const id of result.traceIds) this.files.set(id, name);
        loaded++;
      } catch (e) {
        skipped++;
        this.warn(`skipped ${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return { loaded, skipped };
  }

  /** Starts writing completed runs as they arrive. */
  start(): void {
    this.subscription ??= this.store.onDidChange((e) => {
      for (const id of e.traceIds) {
        const run = this.store.run(id);
        if (!run || run.status === 'running') continue;
        this.schedule(id);
      }
    });
  }

  private schedule(traceId: string): void {
    const old = this.timers.get(traceId);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      this.timers.delete(traceId);
      this.enqueueWrite(traceId);
    }, this.options.quietMs ?? 500);
    t.unref();
    this.timers.set(traceId, t);
  }

  private enqueueWrite(traceId: string): void {
    this.writing = this.writing.then(() => this.write(traceId)).catch((e: unknown) => {
      this.store.counters.persistErrors++;
      this.warn(`could not write run ${traceId}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  private async write(traceId: string): Promise<void> {
    const run = this.store.run(traceId);
    if (!run) return;
    const name = this.files.get(traceId) ?? runFileName(run.startMs, run.plan, traceId);
    // Piece by piece (a few hundred spans each, one asynchronous write per piece): a run of 100k
    // spans must not hold the event loop — the extension host's — while it is encoded.
    const records = this.store.records(traceId);
    // Evicted while it is written, the run's large values keep their bytes till the file is done.
    const unhold = this.store.holdLargeValues();
    try {
      await writeFileAtomically(this.options.dir, name, encodeOtlpJsonPieces(records, PIECE_SPANS), ++this.writes);
    } finally {
      unhold();
    }
    if (!this.files.has(traceId)) this.store.counters.persistedRuns++;
    this.files.set(traceId, name);
    await this.enforceRetention();
  }

  /** Deletes the oldest trace files (by last write) beyond the count and the bytes, and those past the age. */
  private async enforceRetention(): Promise<void> {
    for (const name of await enforceRetention(this.options.dir, isTraceFile, retentionOf(this.options))) {
      for (const [id, n] of this.files) if (n === name) this.files.delete(id);
    }
  }

  /** Deletes the file of a run, if it has one. */
  async remove(traceId: string): Promise<void> {
    const name = this.files.get(traceId);
    if (!name) return;
    this.files.delete(traceId);
    await unlink(join(this.options.dir, name)).catch(() => undefined);
  }

  /** Writes every pending run now and waits for the writes. */
  async flush(): Promise<void> {
    this.store.flushChanges();
    for (const [id, t] of this.timers) {
      clearTimeout(t);
      this.enqueueWrite(id);
    }
    this.timers.clear();
    await this.writing;
  }

  dispose(): void {
    this.subscription?.dispose();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
