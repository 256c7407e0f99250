// Runs every compiled test file (**/*.test.js) below a folder with node's test runner.
// Usage: node test/runUnit.mjs <dir> [filter]   (filter: a substring of the file path)
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const [dir = 'out/test/unit', filter] = process.argv.slice(2);
const files = existsSync(dir) ? find(dir).filter((f) => !filter || f.includes(filter)).sort() : [];
if (files.length === 0) {
  console.error(`no test files under ${dir}${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
