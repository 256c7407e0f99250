import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseBaseline, serializeBaseline, type Baseline } from '../baseline/baseline';
import { CliError } from './cliError';

export { defaultBaselinePath } from '../baseline/baselinePath';

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
