// `npm run sandbox`: code-server on 127.0.0.1 with the built extension installed (a link to this
// repository in a sandbox extensions dir) and sample-workspace open, for a person to try in a
// browser. Runs until Ctrl-C. `npm run watch` in another terminal + "Developer: Reload Window"
// picks up changes. Options: --port N (default: a free port), --fresh (new profile),
// --vsix FILE (install that package instead of the link: the extension as a user gets it).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeServerEnv, startCodeServer } from './codeServer';
import { ensureCodeServer, type CodeServerInstall } from './installCodeServer';
import { repoRoot } from './repoRoot';
import { writeQuietSettings } from './userSettings';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
}

/** Installs the repository as an extension by linking it into the extensions dir. */
function linkExtension(root: string, extensionsDir: string): string {
  const link = join(extensionsDir, `${extensionId(root)}-${manifest(root).version}`);
  mkdirSync(extensionsDir, { recursive: true });
  // Replace an old link; never recurse through one (it points at this repository).
  const old = lstatSync(link, { throwIfNoEntry: false });
  if (old?.isSymbolicLink()) unlinkSync(link);
  else if (old) rmSync(link, { recursive: true, force: true });
  symlinkSync(root, link, 'dir');
  return `${extensionId(root)} (linked from ${root})`;
}

/** Installs a .vsix into the extensions dir with code-server's own installer. */
function installVsix(install: CodeServerInstall, vsix: string, userDataDir: string, extensionsDir: string): string {
  const r = spawnSync(process.execPath, [install.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    env: codeServerEnv(userDataDir),
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed`);
  return `${vsix} (installed)`;
}

function manifest(root: string): { publisher: string; name: string; version: string } {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
}

function extensionId(root: string): string {
  const m = manifest(root);
  return `${m.publisher}.${m.name}`;
}

async function main(): Promise<void> {
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const install = ensureCodeServer();
  const vsix = option('vsix');
  // A linked and an installed copy of the same extension must not share an extensions dir.
  const profile = join(root, '.vscode-test', vsix ? 'sandbox-vsix' : 'sandbox');
  if (process.argv.includes('--fresh') || vsix) rmSync(profile, { recursive: true, force: true });
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  writeQuietSettings(userDataDir);
  const what = vsix ? installVsix(install, resolve(vsix), userDataDir, extensionsDir) : linkExtension(root, extensionsDir);
  const workspace = join(root, 'sample-workspace');
  const port = option('port');
  const server = await startCodeServer({
    install,
    userDataDir,
    extensionsDir,
    folder: workspace,
    ...(port ? { port: Number(port) } : {}),
  });
  const url = `${server.origin}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`
Instrument First sandbox — code-server with ${what}

  open  ${url}
  log   ${server.logFile}

Ctrl-C stops it.`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping code-server…');
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await server.exited;
  if (stopping) return;
  console.error(`code-server exited (${code}); see ${server.logFile}`);
  process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
