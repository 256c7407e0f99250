// How a plan's .ts files become the JavaScript Node runs: esbuild with inline source maps (stack
// traces and breakpoints point at .ts lines) plus a call registering each top-level class with its
// line. Optionally cached on disk by content, so a run whose files did not change loads neither
// esbuild nor its service process (the largest part of a run's start after Node's own). One place
// for the compile: the CLI's require hook and the extension's warm-up both use it, so the cache
// entries the extension writes are exactly what the CLI would have compiled.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

/** The module id through which compiled plan files register their top-level classes. */
export const LOADER_MODULE = 'instrument-first/loader';

/** Bump when the compiled output changes for the same input (options, registration). */
const FORMAT = 'plan-compile-1';
/** Entries kept in a cache folder; the oldest go first. */
const MAX_ENTRIES = 300;

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  sourcesContent: true,
  keepNames: true,
} as const;

interface Esbuild {
  version: string;
  transformSync(code: string, options: Record<string, unknown>): { code: string };
  transform(code: string, options: Record<string, unknown>): Promise<{ code: string }>;
  /** Ends the service process the asynchronous API started. */
  stop?(): Promise<void> | void;
}

function loadEsbuild(): Esbuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('esbuild') as Esbuild;
}

/** esbuild's version without loading esbuild (its package.json), part of every cache key. */
function esbuildVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('esbuild/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function cacheFile(cacheDir: string, source: string, filename: string, version: string): string {
  const key = createHash('sha256').update(`${FORMAT}\0${version}\0${filename}\0${source}`).digest('hex').slice(0, 40);
  return join(cacheDir, `${key}.js`);
}

function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes an entry (to a temporary name, then renamed: a concurrent run never reads half a file); a full cache drops its oldest. */
function writeCached(cacheDir: string, file: string, code: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code, { mode: 0o600 });
    renameSync(tmp, file);
    prune(cacheDir);
  } catch {
    // A cache that cannot be written only costs the next run a compile.
  }
}

function prune(cacheDir: string): void {
  const names = readdirSync(cacheDir).filter((n) => n.endsWith('.js'));
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((n) => ({ n, t: statSync(join(cacheDir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - MAX_ENTRIES)) unlinkSync(join(cacheDir, n));
}

/**
 * Compiles one .ts file as the plan loader runs it. With `cacheDir`, an entry for the same
 * content, path and esbuild version is used as it is; a miss compiles and stores it.
 */
export function compilePlanSource(source: string, filename: string, cacheDir?: string): string {
  const file = cacheDir ? cacheFile(cacheDir, source, filename, esbuildVersion()) : undefined;
  const cached = file ? readCached(file) : undefined;
  if (cached !== undefined) return cached;
  const code = withClassRegistration(loadEsbuild().transformSync(source, { ...OPTIONS, sourcefile: filename }).code, source, filename);
  if (cacheDir && file) writeCached(cacheDir, file, code);
  return code;
}

/**
 * Fills the cache for plan files and the .ts files they import by relative path (followed to a
 * few levels), with esbuild's asynchronous API: nothing runs the plans' code, and the caller's
 * thread is not blocked. Returns how many files were compiled and how many were already cached.
 */
export async function warmPlanCache(files: readonly string[], cacheDir: string, maxFiles = 50): Promise<{ compiled: number; cached: number }> {
  const version = esbuildVersion();
  const seen = new Set<string>();
  const queue = files.map((f) => resolve(f));
  let compiled = 0;
  let cached = 0;
  let esbuild: Esbuild | undefined;
  while (queue.length && seen.size < maxFiles) {
    const filename = queue.shift()!;
    if (seen.has(filename)) continue;
    seen.add(filename);
    let source: string;
    try {
      source = readFileSync(filename, 'utf8');
    } catch {
      continue;
    }
    for (const dep of relativeImports(source)) {
      const found = resolveTs(resolve(dirname(filename), dep));
      if (found) queue.push(found);
    }
    const file = cacheFile(cacheDir, source, filename, version);
    if (readCached(file) !== undefined) {
      cached++;
      continue;
    }
    esbuild ??= loadEsbuild();
    try {
      const out = await esbuild.transform(source, { ...OPTIONS, sourcefile: filename });
      writeCached(cacheDir, file, withClassRegistration(out.code, source, filename));
      compiled++;
    } catch {
      // A file that does not compile is reported by the run itself, with its line.
    }
  }
  // No esbuild service process left behind in the caller (the extension host) between warm-ups.
  await esbuild?.stop?.();
  return { compiled, cached };
}

const IMPORT_FROM = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative module specifiers of a source file (`./x`, `../y/z.ts`), type-only imports included. */
export function relativeImports(source: string): string[] {
  return [...new Set([...source.matchAll(IMPORT_FROM)].map((m) => m[1]!))];
}

function resolveTs(base: string): string | undefined {
  const candidates = extname(base) === '.ts' ? [base] : [`${base}.ts`, join(base, 'index.ts')];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const TOP_LEVEL_CLASS = /^(?:export\s+(?:default\s+)?)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm;

/**
 * Built at run time: written as one literal, the bundle would hold a line that the Node debugger
 * takes for the bundle's own source map comment and reports, in red, as unreadable.
 */
const SOURCE_MAP_COMMENT = ['//# source', 'MappingURL='].join('');

/**
 * Appends, after the compiled code and before its source map comment, a call that registers each
 * top-level class of the file with its .ts line — so spans of procedures whose classes are not
 * exported still carry `code.filepath` and `code.lineno`. Original lines keep their mappings.
 */
export function withClassRegistration(code: string, source: string, filename: string): string {
  const calls: string[] = [];
  for (const m of source.matchAll(TOP_LEVEL_CLASS)) {
    const line = source.slice(0, m.index).split('\n').length;
    calls.push(`try{require(${JSON.stringify(LOADER_MODULE)}).registerClass(${m[1]},${JSON.stringify(filename)},${line})}catch{}`);
  }
  if (calls.length === 0) return code;
  const at = code.lastIndexOf(SOURCE_MAP_COMMENT);
  const registration = `;${calls.join(';')};\n`;
  return at < 0 ? code + '\n' + registration : code.slice(0, at) + registration + code.slice(at);
}
