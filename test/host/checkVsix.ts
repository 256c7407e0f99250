// Checks a packaged .vsix the way a user gets it: installs it into a fresh code-server extensions
// dir (`code-server --install-extension`), then runs the installed CLI on a sample plan and the
// linter on sample-workspace from outside the repository, so esbuild and ts-morph must come from
// the .vsix's own node_modules.
// Usage: node out/test/host/checkVsix.js [instrument-first.vsix]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerEnv } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { repoRoot } from './repoRoot';

function check(ok: boolean, what: string): void {
  console.log(`${ok ? '✓' : '✗'} ${what}`);
  if (!ok) process.exitCode = 1;
}

function main(): void {
  const root = repoRoot();
  const vsix = resolve(process.argv[2] ?? join(root, 'instrument-first.vsix'));
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run npm run package first`);
  const install = ensureCodeServer();
  const dir = join(root, '.vscode-test', 'vsix-check');
  rmSync(dir, { recursive: true, force: true });
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');

  const started = Date.now();
  const installed = spawnSync(
    process.execPath,
    [install.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { env: codeServerEnv(userDataDir), encoding: 'utf8' },
  );
  check(installed.status === 0 && /successfully installed/.test(installed.stdout), `code-server --install-extension (${Date.now() - started} ms)`);
  const extDir = readdirSync(extensionsDir).find((n) => n.startsWith('instrument-first.instrument-first-'));
  if (!extDir) throw new Error(`nothing installed:\n${installed.stdout}${installed.stderr}`);
  const ext = join(extensionsDir, extDir);
  for (const p of ['dist/extension.js', 'dist/cli.js', 'dist/decodeWorker.js', 'dist/grpcSessionWorker.js', 'dist/lintWorker.js', 'node_modules/esbuild', 'node_modules/ts-morph']) check(existsSync(join(ext, p)), `installed ${p}`);

  const cli = join(ext, 'dist', 'cli.js');
  const workspace = join(root, 'sample-workspace');
  const outside = { cwd: tmpdir(), encoding: 'utf8' as const, env: { ...process.env, SAMPLE_TIME_SCALE: '0.05' } };
  const run = spawnSync(process.execPath, [cli, 'run', join(workspace, 'plans', 'create-cluster.ts')], outside);
  check(run.status === 0 && /converged/.test(run.stdout), `installed CLI runs plans/create-cluster.ts (exit ${run.status})`);
  if (run.status !== 0) console.log(run.stdout + run.stderr);
  const lint = spawnSync(process.execPath, [cli, 'lint', workspace], outside);
  // exit 1 means "found errors" — sample-workspace has them on purpose; a crash is anything else.
  check((lint.status === 0 || lint.status === 1) && !/Cannot find module/.test(lint.stderr), `installed CLI lints sample-workspace (exit ${lint.status})`);
  if (lint.status !== 0 && lint.status !== 1) console.log(lint.stdout + lint.stderr);

  // The runtime package the .vsix carries for "Set Up This Project" / `init` (until published).
  const version = (JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8')) as { version: string }).version;
  const tarball = `dist/package/instrument-first-${version}.tgz`;
  check(existsSync(join(ext, tarball)), `installed ${tarball}`);
  const project = mkdtempSync(join(tmpdir(), 'if-vsix-init-'));
  try {
    const init = spawnSync(process.execPath, [cli, 'init', project, '--no-install'], outside);
    check(init.status === 0 && init.stdout.includes(`created vendor/instrument-first-${version}.tgz`), `installed CLI init copies the carried tarball (exit ${init.status})`);
    if (init.status !== 0) console.log(init.stdout + init.stderr);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
