// `npm run sandbox`: code-server on 127.0.0.1 with the built extension installed (a link to this
// repository in a sandbox extensions dir) and sample-workspace open, for a person to try in a
// browser. Runs until Ctrl-C. `npm run watch` in another terminal + "Developer: Reload Window"
// picks up changes. Options: --port N (default: a free port), --fresh (new profile).
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { repoRoot } from './repoRoot';
import { writeQuietSettings } from './userSettings';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
}

/** Installs the repository as an extension by linking it into the extensions dir. */
function linkExtension(root: string, extensionsDir: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const id = `${manifest.publisher}.${manifest.name}`;
  const link = join(extensionsDir, `${id}-${manifest.version}`);
  mkdirSync(extensionsDir, { recursive: true });
  rmSync(link, { force: true, recursive: false });
  symlinkSync(root, link, 'dir');
  return id;
}

async function main(): Promise<void> {
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const install = ensureCodeServer();
  const profile = join(root, '.vscode-test', 'sandbox');
  if (process.argv.includes('--fresh')) rmSync(profile, { recursive: true, force: true });
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  writeQuietSettings(userDataDir);
  const id = linkExtension(root, extensionsDir);
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
Instrument First sandbox — code-server with ${id} (linked from ${root})

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
