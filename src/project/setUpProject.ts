// Applies the scaffold (scaffold.ts) to a folder: reads the project's files, finds the runtime
// package to depend on, writes what is missing and runs `npm install`. Shared by the CLI's `init`
// and the extension's "Set Up This Project"; no `vscode` here.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PACKAGE_NAME, type RuntimeInstall } from './runtimeInstall';
import { planScaffold, type ProjectFiles, type Scaffold } from './scaffold';

export interface SetUpOptions {
  dir: string;
  /** The package this code runs from (its tarball is what the project will depend on). */
  own: RuntimeInstall;
  /** Instead of the carried tarball: a .tgz path, or a version spec such as `^0.1.0`. */
  runtime?: string;
  /** Run `npm install` when dependencies were added (default true). */
  install?: boolean;
  /** Progress lines (npm's output is not echoed, only its outcome). */
  log?: (line: string) => void;
}

export interface SetUpResult {
  dir: string;
  scaffold: Scaffold;
  /** Whether `npm install` ran, and how it ended. */
  install?: { ok: boolean; ms: number; output: string };
}

/** Folder, inside the project, of the runtime tarball the dev dependency points at. */
export const VENDOR_DIR = 'vendor';

function readIf(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readProjectFiles(dir: string): ProjectFiles {
  const plansDir = join(dir, 'plans');
  let hasPlans = false;
  try {
    hasPlans = readdirSync(plansDir, { recursive: true }).some((f) => /\.(ts|js|mts|cts)$/.test(String(f)));
  } catch {
    hasPlans = false;
  }
  const files: ProjectFiles = { hasPlans };
  const set = (key: 'packageJson' | 'tsconfig' | 'gitignore' | 'launchJson', rel: string) => {
    const text = readIf(join(dir, rel));
    if (text !== undefined) files[key] = text;
  };
  set('packageJson', 'package.json');
  set('tsconfig', 'tsconfig.json');
  set('gitignore', '.gitignore');
  set('launchJson', join('.vscode', 'launch.json'));
  return files;
}

/**
 * The tarball of this package: the one carried in dist/package/ (the .vsix has it), else one made
 * now with `npm pack` from the package folder (a checkout or an installed copy; its dist/ is built).
 */
export async function runtimeTarball(own: RuntimeInstall): Promise<{ path: string; cleanup: () => void }> {
  const carried = join(own.root, 'dist', 'package', `${PACKAGE_NAME}-${own.version}.tgz`);
  if (existsSync(carried)) return { path: carried, cleanup: () => undefined };
  const dest = mkdtempSync(join(tmpdir(), 'instrument-first-pack-'));
  const r = await runNpm(['pack', own.root, '--ignore-scripts', '--pack-destination', dest, '--loglevel=error'], dest);
  const made = join(dest, `${PACKAGE_NAME}-${own.version}.tgz`);
  if (!r.ok || !existsSync(made)) {
    rmSync(dest, { recursive: true, force: true });
    throw new Error(`npm pack of ${own.root} failed: ${r.output.trim().slice(-500)}`);
  }
  return { path: made, cleanup: () => rmSync(dest, { recursive: true, force: true }) };
}

function ownDevVersion(own: RuntimeInstall, name: string, fallback: string): string {
  try {
    const m = JSON.parse(readFileSync(join(own.root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    return m.devDependencies?.[name] ?? fallback;
  } catch {
    return fallback;
  }
}

export async function setUpProject(o: SetUpOptions): Promise<SetUpResult> {
  const dir = resolve(o.dir);
  const log = o.log ?? (() => undefined);
  mkdirSync(dir, { recursive: true });
  const files = readProjectFiles(dir);
  const base = {
    projectName: basename(dir),
    typescriptVersion: ownDevVersion(o.own, 'typescript', '5.9.3'),
    typesNodeVersion: ownDevVersion(o.own, '@types/node', '20.19.43'),
  };
  // Only find (or pack) the tarball when the runtime dependency is to be added.
  const probe = planScaffold(files, { ...base, runtimeSpec: '*' });
  const addsRuntime = probe.changes.some((c) => c.path === 'package.json' && c.summary.includes(`${PACKAGE_NAME}@`));
  let tarball: { path: string; cleanup: () => void } | undefined;
  let runtimeSpec = `^${o.own.version}`;
  if (addsRuntime) {
    if (o.runtime && !o.runtime.endsWith('.tgz')) runtimeSpec = o.runtime;
    else tarball = o.runtime ? { path: resolve(o.runtime), cleanup: () => undefined } : await runtimeTarball(o.own);
  }
  try {
    const vendorPath = tarball ? `${VENDOR_DIR}/${basename(tarball.path)}` : undefined;
    const scaffold = planScaffold(files, {
      ...base,
      runtimeSpec: vendorPath ? `file:${vendorPath}` : runtimeSpec,
      ...(tarball && vendorPath ? { vendor: { path: vendorPath, copyFrom: tarball.path } } : {}),
    });
    for (const c of scaffold.changes) {
      const target = join(dir, c.path);
      mkdirSync(dirname(target), { recursive: true });
      if (c.copyFrom) copyFileSync(c.copyFrom, target);
      else writeFileSync(target, c.content ?? '');
    }
    const result: SetUpResult = { dir, scaffold };
    const missing = !existsSync(join(dir, 'node_modules', PACKAGE_NAME));
    if ((o.install ?? true) && (scaffold.needsInstall || missing)) {
      log('npm install…');
      const started = Date.now();
      // --prefer-offline: the runtime's dependencies are usually in npm's cache already.
      const r = await runNpm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
      result.install = { ok: r.ok, ms: Date.now() - started, output: r.output };
    }
    return result;
  } finally {
    tarball?.cleanup();
  }
}

/** Runs npm (npm.cmd on Windows) and collects its output; never rejects. */
export function runNpm(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
    // A parent `npm run`/`npx` passes its own project's settings down; they must not apply here.
    for (const k of Object.keys(env)) if (/^npm_(config_prefix|package_|lifecycle_)/i.test(k)) delete env[k];
    let output = '';
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, env, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => {
      output = (output + c.toString()).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => done({ ok: false, output: `${output}${String(err)}` }));
    child.on('close', (code) => done({ ok: code === 0, output }));
  });
}

/** The report both front ends print: one line per change, then what was kept, then advice. */
export function describeSetUp(r: SetUpResult): string[] {
  const lines = r.scaffold.changes.map((c) => `${c.action === 'create' ? 'created' : 'updated'} ${c.path}: ${c.summary}`);
  if (lines.length === 0) lines.push('nothing to change: the project is already set up');
  for (const k of r.scaffold.kept) lines.push(`kept: ${k}`);
  for (const a of r.scaffold.advice) lines.push(`by hand: ${a}`);
  if (r.install) lines.push(r.install.ok ? `npm install: done in ${(r.install.ms / 1000).toFixed(1)} s` : `npm install failed — run it yourself:\n${r.install.output.trim().split('\n').slice(-8).join('\n')}`);
  return lines;
}
