// `npm run test:host`: the extension's tests inside a real VS Code (code-server + headless Chromium),
// then the UI screenshots. Exits non-zero when a test fails.
// Env: HOST_TEST_GREP (filter tests), HOST_SKIP_UI=1 (no screenshots), HOST_TEST_TIMEOUT_MS, HOST_TEST_VERBOSE=1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ensureCodeServer } from './installCodeServer';
import { repoRoot } from './repoRoot';
import { freshRunProfile } from './runProfile';
import { runUiScreenshots } from './uiScreenshots';

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** dist/ is what the extension's manifest points at; build it when missing (npm run test:host already did). */
function ensureBuilt(root: string): void {
  if (existsSync(join(root, 'dist', 'extension.js'))) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/**
 * The tests open sample-workspace in place, not a copy: its tsconfig maps `instrument-first` to
 * ../src/runtime and its types to ../node_modules, which a copy elsewhere would break. What a run
 * writes there (the collector's persistence folder, git-ignored) is removed before and after, so
 * every run starts from the same state and the repository stays clean.
 */
function cleanWorkspace(workspace: string): void {
  rmSync(join(workspace, '.instrument-first'), { recursive: true, force: true });
}

async function main(): Promise<number> {
  const started = Date.now();
  const root = repoRoot();
  ensureBuilt(root);
  const t0 = Date.now();
  ensureCodeServer();
  console.log(`code-server ready (${seconds(t0)})`);

  const workspace = join(root, 'sample-workspace');
  const profile = freshRunProfile(root);
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  cleanWorkspace(workspace);

  let failed = false;
  const suiteStarted = Date.now();
  // HOST_TEST_GREP="own project…" runs only the own-project suite (a separate VS Code window).
  const grep = process.env.HOST_TEST_GREP;
  const ownOnly = grep?.startsWith('own project') === true;
  if (!ownOnly) {
    try {
      await runTests({
        vscodeExecutablePath: join(root, 'test', 'host', 'bin', 'vscode-launcher'),
        extensionDevelopmentPath: root,
        extensionTestsPath: join(root, 'out', 'test', 'host', 'suite', 'index.js'),
        launchArgs: [workspace, `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`],
      });
    } catch (err) {
      failed = true;
      console.error(`host tests failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      cleanWorkspace(workspace);
    }
    console.log(`host tests: ${failed ? 'FAILED' : 'passed'} in ${seconds(suiteStarted)}`);
  }

  // A user's own project: VS Code on an empty folder outside the repository (test/host/ownProject).
  if (process.env.HOST_SKIP_OWN_PROJECT !== '1' && (!grep || ownOnly)) {
    const ownStarted = Date.now();
    const empty = realpathSync(mkdtempSync(join(tmpdir(), 'instrument-first-own-project-')));
    try {
      await runTests({
        vscodeExecutablePath: join(root, 'test', 'host', 'bin', 'vscode-launcher'),
        extensionDevelopmentPath: root,
        extensionTestsPath: join(root, 'out', 'test', 'host', 'ownProject', 'index.js'),
        launchArgs: [empty, `--user-data-dir=${join(profile, 'user-data-own')}`, `--extensions-dir=${extensionsDir}`],
      });
      console.log(`own-project host tests: passed in ${seconds(ownStarted)}`);
    } catch (err) {
      failed = true;
      console.error(`own-project host tests failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }

  if (process.env.HOST_SKIP_UI !== '1') {
    const uiStarted = Date.now();
    try {
      await runUiScreenshots({ root, workspace, profile });
      console.log(`UI check: passed in ${seconds(uiStarted)}`);
    } catch (err) {
      failed = true;
      console.error(`UI check failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      cleanWorkspace(workspace);
    }
  }
  // Keep the profile (code-server's log, the workbench's logs) only when something failed.
  if (failed || process.env.HOST_KEEP_PROFILE === '1') console.log(`logs: ${profile}`);
  else rmSync(profile, { recursive: true, force: true });
  console.log(`test:host ${failed ? 'FAILED' : 'passed'} in ${seconds(started)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
