// Installs code-server (a real VS Code: workbench + Node extension host) from the npm registry into
// .cache/code-server, once. Offline-safe: every download code-server's install steps would make
// outside the npm registry is replaced by a local file. See /work/shared/real-vscode-offline.md.
// Usage: node out/test/host/installCodeServer.js   (or import ensureCodeServer)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './repoRoot';

/** VS Code 1.100.3; the last code-server line that runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The @vscode/ripgrep version code-server 4.100.3 pins, and the rg release it downloads. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';

export interface CodeServerInstall {
  dir: string;
  /** code-server's Node entry point (run it with this process's node). */
  entry: string;
  /** The npm-generated bin script, e.g. for --install-extension. */
  bin: string;
}

export function codeServerPaths(root: string = repoRoot()): CodeServerInstall {
  const dir = join(root, '.cache', 'code-server');
  const pkg = join(dir, 'node_modules', 'code-server');
  return { dir, entry: join(pkg, 'out', 'node', 'entry.js'), bin: join(dir, 'node_modules', '.bin', 'code-server') };
}

/** True when the pinned version is there and its postinstall finished (VS Code's own modules and rg). */
export function isInstalled(paths: CodeServerInstall = codeServerPaths()): boolean {
  const pkg = join(paths.dir, 'node_modules', 'code-server');
  try {
    const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version?: string }).version;
    return (
      version === CODE_SERVER_VERSION &&
      existsSync(paths.entry) &&
      existsSync(paths.bin) &&
      existsSync(join(pkg, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg')) &&
      existsSync(join(pkg, 'lib', 'vscode', 'node_modules.asar'))
    );
  } catch {
    return false;
  }
}

function ripgrepTarget(): string {
  switch (arch()) {
    case 'x64':
      return 'x86_64-unknown-linux-musl';
    case 'arm64':
      return 'aarch64-unknown-linux-musl';
    default:
      throw new Error(`installCodeServer: no ripgrep workaround for arch ${arch()}`);
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache folder (under os.tmpdir())
 * already holds the release asset; put the system's rg there (apt package ripgrep).
 */
function seedRipgrepCache(tmpDir: string): void {
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) throw new Error('installCodeServer: rg not found; install the Debian package ripgrep');
  const asset = join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`, `ripgrep-${RIPGREP_RELEASE}-${ripgrepTarget()}.tar.gz`);
  mkdirSync(dirname(asset), { recursive: true });
  run('tar', ['-czf', asset, '-C', dirname(rg), 'rg']);
}

/** Node headers for native modules (node-pty, kerberos, argon2), so node-gyp downloads nothing. */
function nodeDir(): string | undefined {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

/** Installs code-server unless the right version is already there. Returns its paths. */
export function ensureCodeServer(log: (line: string) => void = (l) => console.log(l)): CodeServerInstall {
  const paths = codeServerPaths();
  if (isInstalled(paths)) return paths;
  const started = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${paths.dir} (about 90 s)…`);
  rmSync(paths.dir, { recursive: true, force: true });
  mkdirSync(paths.dir, { recursive: true });
  const tmpDir = join(paths.dir, '.tmp');
  mkdirSync(tmpDir, { recursive: true });
  seedRipgrepCache(tmpDir);
  writeFileSync(
    join(paths.dir, 'package.json'),
    JSON.stringify({ name: 'code-server-install', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2),
  );
  const headers = nodeDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmpDir,
    // npm 11 skips dependencies' install scripts unless allowed; code-server's postinstall
    // installs VS Code's own modules, so everything must run.
    npm_config_dangerously_allow_all_scripts: 'true',
    // code-server's postinstall refuses to run as root without it.
    npm_config_unsafe_perm: 'true',
    // node-pty's install step runs `npx node-gyp`, which would otherwise ask.
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...(headers ? { npm_config_nodedir: headers } : {}),
  };
  // Never let the project's own npm settings (workspaces, lock file) leak into this folder.
  delete env.npm_config_prefix;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(npm, ['install', '--no-package-lock', '--loglevel=error'], { cwd: paths.dir, env });
  rmSync(tmpDir, { recursive: true, force: true });
  if (!isInstalled(paths)) throw new Error('installCodeServer: npm install finished but code-server is incomplete');
  log(`code-server@${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return paths;
}

if (require.main === module) {
  try {
    const paths = ensureCodeServer();
    console.log(`code-server@${CODE_SERVER_VERSION} ready: ${paths.entry}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
