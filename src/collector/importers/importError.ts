/**
 * A file that cannot be imported, with where the problem is: the file, the line (JSON lines
 * files) and a JSON path (`$.data[0].spans[3].startTime`).
 */
export class ImportError extends Error {
  override name = 'ImportError';
  constructor(
    readonly problem: string,
    readonly file: string,
    readonly jsonPath: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${jsonPath ? `${jsonPath}: ` : ''}${problem}`);
  }
}

/** Thrown by converters; the caller adds the file (and line) when wrapping it in an ImportError. */
export class FormatProblem extends Error {
  override name = 'FormatProblem';
  constructor(
    readonly problem: string,
    readonly jsonPath: string,
  ) {
    super(`${jsonPath}: ${problem}`);
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fails with the path when `v` is not an object. */
export function obj(v: unknown, path: string, what = 'an object'): Obj {
  if (!isObj(v)) throw new FormatProblem(`must be ${what}, found ${describe(v)}`, path);
  return v;
}

/** Fails with the path when `v` is not an array (absent is an empty array when `optional`). */
export function arr(v: unknown, path: string, optional = false): unknown[] {
  if (optional && (v === undefined || v === null)) return [];
  if (!Array.isArray(v)) throw new FormatProblem(`must be an array, found ${describe(v)}`, path);
  return v;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  if (v === undefined) return 'nothing';
  return `${typeof v} ${String(v)}`;
}
