// A project outside this repository, from an empty folder: `instrument-first init` (the real
// npm pack + npm install of the runtime tarball), then `tsc --strict` over its plans with no
// `paths`, then `npx instrument-first run` with the project's own installed runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function run(cmd: string, args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OTEL_EXPORTER_OTLP_ENDPOINT: '', INSTRUMENT_FIRST_LOG_FORMAT: 'none' };
  for (const k of Object.keys(env)) if (/^npm_(config_prefix|package_|lifecycle_)/i.test(k)) delete env[k];
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

test('init: an empty folder outside the repo type-checks strictly and runs its example plan with its own installed runtime', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'if-init-')));
  try {
    const dir = join(root, 'fresh project');
    const started = Date.now();
    const init = run(process.execPath, [CLI, 'init', dir], root);
    assert.equal(init.status, 0, init.stderr + init.stdout);
    assert.match(init.stdout, /created vendor\/instrument-first-\d+\.\d+\.\d+\.tgz/);
    assert.match(init.stdout, /npm install: done/);
    assert.ok(existsSync(join(dir, 'node_modules', 'instrument-first', 'dist', 'types', 'runtime', 'index.d.ts')), 'declarations installed');

    const tsc = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--strict', '--skipLibCheck', 'false'], dir);
    assert.equal(tsc.status, 0, `tsc --strict: ${tsc.stdout}${tsc.stderr}`);
    assert.doesNotMatch(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), /"paths"/);

    const planRun = run('npx', ['--no-install', 'instrument-first', 'run', 'plans/hello.ts'], dir);
    const firstRunS = (Date.now() - started) / 1000;
    assert.equal(planRun.status, 0, planRun.stderr + planRun.stdout);
    const version = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version;
    assert.ok(planRun.stdout.includes(`runtime instrument-first ${version} (node_modules/instrument-first)`), planRun.stdout);
    assert.match(planRun.stdout, /GreetingService publish/);
    assert.match(planRun.stdout, /✔ converged after 2 passes · 1 step/);
    console.log(`init → first traced run: ${firstRunS.toFixed(1)} s wall (init, tsc --strict and the run; goal 60 s)`);

    // Again: nothing changes, nothing is installed.
    const again = run(process.execPath, [CLI, 'init', dir, '--no-install'], root);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to change: the project is already set up/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
