import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseBaseline, serializeBaseline, type Baseline } from '../baseline/baseline';
import { CliError } from './cliError';

/**
 * Where a plan's baseline lives by default: beside the plan, `<name>.baseline.json` for the
 * default export, `<name>.<export>.baseline.json` for a named one.
 */
export function defaultBaselinePath(planFile: string, exportName: string | undefined): string {
  const dir = dirname(planFile);
  const name = basename(planFile, extname(planFile));
  return join(dir, exportName && exportName !== 'default' ? `${name}.${exportName}.baseline.json` : `${name}.baseline.json`);
}

export function readBaseline(file: string, usageExit: number): Baseline {
  if (!existsSync(file)) throw new CliError(`no baseline at ${file}: record one with "instrument-first baseline record <plan-file>"`, usageExit);
  try {
    return parseBaseline(readFileSync(file, 'utf8'), file);
  } catch (err) {
    throw new CliError((err as Error).message, usageExit);
  }
}

/** Writes the baseline atomically (a reader never sees half a file). */
export function writeBaseline(file: string, b: Baseline): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, serializeBaseline(b));
  renameSync(tmp, file);
}

/** The plan file as the baseline records it: relative to the baseline's folder, with `/`. */
export function planFileFor(baselineFile: string, planFile: string): string {
  return relative(dirname(resolve(baselineFile)), resolve(planFile)).split('\\').join('/');
}
