import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** test/fixtures/imports: above the compiled test (out/test/unit/imports), else below the working directory. */
function findFixtures(): string {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) {
    const candidate = join(d, 'test/fixtures/imports');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
  }
  return resolve('test/fixtures/imports');
}
export const IMPORT_FIXTURES = findFixtures();

export function fixture(name: string): string {
  return readFileSync(join(IMPORT_FIXTURES, name), 'utf8');
}
