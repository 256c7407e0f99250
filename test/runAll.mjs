// `npm test`: checks the machine's prerequisites (installing them where it may, see
// prerequisites.mjs), builds, then runs every test tier that exists — unit (plain Node), browser
// (headless Chromium), host (inside a real VS Code). Stops at the first failing tier.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ensurePrerequisites } from './prerequisites.mjs';

function run(label, cmd, args) {
  console.log(`\n=== ${label} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  console.log(`=== ${label}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

ensurePrerequisites();
run('build', process.execPath, ['esbuild.mjs', '--tests']);
run('unit tests', process.execPath, ['test/runUnit.mjs', 'out/test/unit']);
if (existsSync('out/test/browser')) run('browser tests', process.execPath, ['test/runUnit.mjs', 'out/test/browser']);
if (existsSync('out/test/host/runHostTests.js')) run('VS Code host tests', process.execPath, ['out/test/host/runHostTests.js']);
