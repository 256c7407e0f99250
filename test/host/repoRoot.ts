import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder holding this package's package.json, found by walking up from this file — works from
 * test/host (source) and out/test/host (compiled) alike, whatever the current directory is.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'instrument-first') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no instrument-first package.json above ${from}`);
    dir = parent;
  }
}
