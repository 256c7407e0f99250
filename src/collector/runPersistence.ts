import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disposable } from './changeCoalescer';
import { encodeOtlpJsonPieces } from './otlpJsonEncoder';
import type { SpanStore } from './spanStore';

export interface PersistenceOptions {
  dir: string;
  /** Most run files kept; the oldest are deleted beyond it (default 200). */
  retention?: number;
  /** Wait this long after a run's last change before writing it (default 500 ms). */
  quietMs?: number;
  onWarning?: (message: string) => void;
}

/** Spans encoded between two writes of a run file (~2–4 ms of encoding). */
const PIECE_SPANS = 400;

/** File name of a run: sortable by start time, readable, unique by trace id. */
export function runFileName(startMs: number, plan: string, traceId: string): string {
  const when = new Date(Number.isFinite(startMs) ? startMs : 0).toISOString().replace(/[:.]/g, '-');
  const safe = plan.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'trace';
  return `${when}_${safe}_${traceId}.json`;
}

/**
 * Keeps each completed run as one OTLP JSON file in a folder, and loads them back on start.
 * Writes are debounced per run (late spans rewrite the file) and never block ingest.
 */
export class RunPersistence implements Disposable {
  private readonly files = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private subscription: Disposable | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SpanStore,
    private readonly options: PersistenceOptions,
  ) {}

  private warn(m: string): void {
    this.options.onWarning?.(m);
  }

  /** Loads every *.json file of the folder, oldest first; corrupt files are skipped with a warning. */
  async load(): Promise<{ loaded: number; skipped: number }> {
    // The folder is created by the first run saved (write), not by looking: opening a plan must
    // not leave `.instrument-first/` in a workspace where nothing ran.
    const all = await readdir(this.options.dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    const names = all.filter((n) => n.endsWith('.json'));
    const withTimes = await Promise.all(
      names.map(async (name) => ({ name, mtime: await stat(join(this.options.dir, name)).then((s) => s.mtimeMs, () => 0) })),
    );
    withTimes.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    let loaded = 0;
    let skipped = 0;
    for (const { name } of withTimes) {
      const path = join(this.options.dir, name);
      try {
        const result = this.store.importOtlpJson(await readFile(path, 'utf8'), path);
        if (result.acceptedSpans === 0) throw new Error('no spans in it');
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
        if (!run || run.kind !== 'plan' || run.status === 'running') continue;
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
    const path = join(this.options.dir, name);
    await mkdir(this.options.dir, { recursive: true });
    // Piece by piece (a few hundred spans each, one asynchronous write per piece): a run of 100k
    // spans must not hold the event loop — the extension host's — while it is encoded.
    const records = this.store.records(traceId);
    const file = await open(`${path}.tmp`, 'w');
    try {
      for (const piece of encodeOtlpJsonPieces(records, PIECE_SPANS)) await file.write(piece);
    } finally {
      await file.close();
    }
    await rename(`${path}.tmp`, path);
    if (!this.files.has(traceId)) this.store.counters.persistedRuns++;
    this.files.set(traceId, name);
    await this.enforceRetention();
  }

  private async enforceRetention(): Promise<void> {
    const retention = Math.max(1, this.options.retention ?? 200);
    const names = (await readdir(this.options.dir)).filter((n) => n.endsWith('.json'));
    if (names.length <= retention) return;
    const withTimes = await Promise.all(names.map(async (name) => ({ name, mtime: await stat(join(this.options.dir, name)).then((s) => s.mtimeMs, () => 0) })));
    withTimes.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    for (const { name } of withTimes.slice(0, names.length - retention)) {
      await unlink(join(this.options.dir, name)).catch(() => undefined);
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
