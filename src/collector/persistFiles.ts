import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Retention of one kind of file in the persist folder: newest kept while within all three. */
export interface Retention {
  /** Most files kept (at least 1). */
  files: number;
  /** Most bytes of files kept. */
  bytes: number;
  /** Files older than this (by last write, in ms) are deleted; 0: no age limit. */
  ageMs: number;
}

/**
 * Writes a file atomically: the pieces go to a temporary file of its own (`<name>.<pid>-<n>.tmp`),
 * which is flushed to disk and then renamed over the old file — a crash leaves the old file or the
 * new one, never half of one. One asynchronous write per piece, so a large file never holds the
 * event loop while it is encoded. Temporary files left by a crash end in `.tmp` and are never loaded.
 */
export async function writeFileAtomically(dir: string, name: string, pieces: Iterable<string>, unique: number): Promise<void> {
  const path = join(dir, name);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}-${unique}.tmp`;
  const file = await open(tmp, 'w');
  try {
    for (const piece of pieces) await file.write(piece);
    await file.sync();
  } catch (e) {
    await file.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await file.close();
  await rename(tmp, path);
}

/** Deletes the temporary files a crash left in the folder. */
export async function removeLeftovers(dir: string): Promise<void> {
  const all = await readdir(dir).catch(() => [] as string[]);
  for (const n of all) if (n.endsWith('.tmp')) await unlink(join(dir, n)).catch(() => undefined);
}

/**
 * Deletes the oldest files (by last write) of one kind (`match`) beyond the count and the bytes,
 * and those past the age. Returns the names deleted.
 */
export async function enforceRetention(dir: string, match: (name: string) => boolean, r: Retention): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && match(n));
  const files = await Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dir, name)).catch(() => undefined);
      return { name, mtime: s?.mtimeMs ?? 0, size: s?.size ?? 0 };
    }),
  );
  // Newest first: keep while within the count and the bytes, and younger than the age.
  files.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  const now = Date.now();
  const deleted: string[] = [];
  let bytes = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    bytes += f.size;
    const keep = i < Math.max(1, r.files) && bytes <= r.bytes && (r.ageMs === 0 || now - f.mtime <= r.ageMs);
    if (keep) continue;
    await unlink(join(dir, f.name)).catch(() => undefined);
    deleted.push(f.name);
  }
  return deleted;
}

/** The files of one kind in the folder, oldest first (by last write, then name). */
export async function filesOldestFirst(dir: string, match: (name: string) => boolean): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && match(n));
  const withTimes = await Promise.all(names.map(async (name) => ({ name, mtime: await stat(join(dir, name)).then((s) => s.mtimeMs, () => 0) })));
  withTimes.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  return withTimes.map((f) => f.name);
}

/** Log and metric files start with these; every other `.json` file of the folder is a trace file. */
export const LOG_FILE_PREFIX = 'logs_';
export const METRIC_FILE_PREFIX = 'metrics_';
export const isSignalFile = (name: string): boolean => name.startsWith(LOG_FILE_PREFIX) || name.startsWith(METRIC_FILE_PREFIX);
