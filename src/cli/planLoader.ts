import Module from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve, relative, sep } from 'node:path';
import type { Plan, Procedure } from '../runtime/types';
import type { CodeLocation } from '../runtime/scheduler';
import { isPlan } from '../runtime/procedure';
import * as runtime from '../runtime/index';
import { CliError } from './cliError';
import { Env } from '../protocol/envVars';
import { compilePlanSource, LOADER_MODULE } from '../project/planCompile';

export { withClassRegistration } from '../project/planCompile';

export interface LoadedPlan {
  plan: Plan;
  file: string;
  exportName: string;
  /** Finds the file and line of a procedure's class, for `code.filepath` / `code.lineno`. */
  locate(step: Procedure): CodeLocation | undefined;
}

type ModuleInternals = typeof Module & {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
};

/**
 * Loads a plan file (.ts compiled on the fly with esbuild, inline source maps so stack traces and
 * breakpoints point at .ts lines; or .js). `import … from 'instrument-first'` resolves to this
 * process's runtime. Picks the named export, else the default export, else the module itself.
 */
export function loadPlan(fileArg: string, exportName?: string, cwd = process.cwd()): LoadedPlan {
  const file = resolve(cwd, fileArg);
  const shown = shownPath(cwd, file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${shown}: no such file`);
  const restore = installHooks(classLocations);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(describeLoadError(err, shown, cwd), 1, { cause: err });
  } finally {
    restore();
  }
  const candidates: Array<[string, unknown]> = exportName
    ? [[exportName, mod[exportName]]]
    : [['default', mod.default], ['module.exports', mod]];
  const found = candidates.find(([, v]) => isPlan(v));
  if (!found) {
    const plans = Object.entries(mod).filter(([, v]) => isPlan(v)).map(([k]) => k);
    if (exportName && !(exportName in mod)) {
      throw new CliError(`${shown}: no export named "${exportName}"${plans.length ? `; plans exported: ${plans.join(', ')}` : ''}`);
    }
    throw new CliError(
      `${shown}: ${exportName ? `export "${exportName}" is not a plan` : 'no plan exported'} (a plan has a string name and a create() method)` +
        (plans.length ? `; plans exported: ${plans.join(', ')} — pick one with --export` : ''),
    );
  }
  return {
    plan: found[1] as Plan,
    file,
    exportName: found[0],
    locate: (step) => classLocations.get((step as object).constructor),
  };
}

/**
 * Where each class of a compiled plan file is declared. Module-level on purpose: it mirrors
 * Node's process-wide module cache (a file compiled once registers its classes once), and a
 * WeakMap keeps nothing alive.
 */
const classLocations = new WeakMap<object, CodeLocation>();


function installHooks(classes: WeakMap<object, CodeLocation>): () => void {
  const loaderApi = {
    registerClass(ctor: unknown, filepath: string, lineno: number) {
      if (typeof ctor === 'function' && !classes.has(ctor)) classes.set(ctor, { filepath, lineno });
    },
  };
  const M = Module as ModuleInternals;
  const prevTs = M._extensions['.ts'];
  const prevLoad = M._load;
  process.setSourceMapsEnabled(true);
  M._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'instrument-first' || request === 'instrument-first/runtime') return runtime;
    if (request === LOADER_MODULE) return loaderApi;
    return prevLoad.call(this, request, parent, isMain);
  };
  M._extensions['.ts'] = (module, filename) => {
    const source = readFileSync(filename, 'utf8');
    // The extension passes its cache folder: an unchanged plan loads without esbuild.
    const code = compilePlanSource(source, filename, process.env[Env.planCache] || undefined);
    module._compile(code, filename);
  };
  return () => {
    // Keep the .ts hook (plans may require more files lazily) but restore the module loader.
    M._load = prevLoad;
    if (prevTs) M._extensions['.ts'] = prevTs;
  };
}

interface EsbuildError {
  errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }>;
}

function describeLoadError(err: unknown, shown: string, cwd: string): string {
  const e = err as EsbuildError;
  if (Array.isArray(e?.errors) && e.errors.length > 0) {
    const first = e.errors[0]!;
    const loc = first.location;
    const where = loc ? `${shownPath(cwd, resolve(cwd, loc.file))}:${loc.line}:${loc.column + 1}` : shown;
    const more = e.errors.length > 1 ? ` (and ${e.errors.length - 1} more error${e.errors.length > 2 ? 's' : ''})` : '';
    return `${where}: syntax error: ${first.text}${more}`;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  const at = userFrame(error, cwd);
  return `${at ?? shown}: cannot load plan: ${error.message}`;
}

/**
 * A path as printed: `./plans/x.ts` under the working directory (a debug console and a terminal
 * link `./`-relative paths whole; `plans/x.ts` would link only `/x.ts`), else absolute.
 */
export function shownPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  if (!rel || isAbsolute(rel) || rel.startsWith('..')) return file;
  return `.${sep}${rel}`;
}

/** The first stack frame in user code (not node internals, node_modules or this CLI), as file:line. */
export function userFrame(error: Error, cwd = process.cwd()): string | undefined {
  const self = __filename;
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const m = /(?:\(|at )((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const [, f, l] = m;
    if (!f || f === self || f.includes('node_modules') || f.startsWith('node:')) continue;
    return `${shownPath(cwd, f)}:${l}`;
  }
  return undefined;
}
