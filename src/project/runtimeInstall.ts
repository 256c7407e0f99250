// Which copy of the `instrument-first` runtime runs a plan: the one this code belongs to (the CLI's
// or the extension's bundle), or the one a project installed in its node_modules. Shared by the CLI
// (it reports the version it ran) and the extension (it runs a workspace's own runtime when there
// is one). No `vscode` here.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';

export const PACKAGE_NAME = 'instrument-first';

/** One installed copy of the package. */
export interface RuntimeInstall {
  version: string;
  /** The package's folder (realpath), holding package.json and dist/. */
  root: string;
}

/** Which runtime runs a plan and why; `warning` when the workspace's and the bundled versions differ. */
export interface RuntimeChoice {
  source: 'workspace' | 'bundled';
  install: RuntimeInstall;
  /** The CLI of that install (dist/cli.js), which the extension starts. */
  cliPath: string;
  warning?: string;
}

function readManifest(dir: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}

function installAt(dir: string): RuntimeInstall | undefined {
  const m = readManifest(dir);
  if (m?.name !== PACKAGE_NAME || typeof m.version !== 'string') return undefined;
  let root = dir;
  try {
    root = realpathSync(dir);
  } catch {
    // keep the path as given
  }
  return { version: m.version, root };
}

/**
 * The package this code runs from: walks up from `from` (dist/ for the bundles, out/src/… in tests)
 * to the first package.json named `instrument-first`.
 */
export function ownRuntime(from: string = __dirname): RuntimeInstall {
  for (let dir = from; ; dir = dirname(dir)) {
    const found = installAt(dir);
    if (found) return found;
    if (dirname(dir) === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
  }
}

/** The runtime a project installed: `node_modules/instrument-first` in `from` or a folder above it. */
export function projectRuntime(from: string): RuntimeInstall | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', PACKAGE_NAME);
    if (existsSync(candidate)) {
      const found = installAt(candidate);
      if (found) return found;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The workspace's own runtime when it has one with a CLI, else the bundled one. A different
 * version is worth a warning (plans type-check against the workspace's), never a failure.
 */
export function chooseRuntime(bundled: RuntimeInstall, workspace: RuntimeInstall | undefined, exists: (p: string) => boolean = existsSync): RuntimeChoice {
  const bundledChoice: RuntimeChoice = { source: 'bundled', install: bundled, cliPath: join(bundled.root, 'dist', 'cli.js') };
  if (!workspace || workspace.root === bundled.root) return bundledChoice;
  const cliPath = join(workspace.root, 'dist', 'cli.js');
  if (!exists(cliPath)) {
    return { ...bundledChoice, warning: `the workspace's ${PACKAGE_NAME} ${workspace.version} has no dist/cli.js; running with the extension's bundled ${bundled.version}` };
  }
  const choice: RuntimeChoice = { source: 'workspace', install: workspace, cliPath };
  if (workspace.version !== bundled.version) {
    choice.warning = `the workspace's ${PACKAGE_NAME} is ${workspace.version}, the extension's is ${bundled.version}: plans run with the workspace's ${workspace.version}`;
  }
  return choice;
}

/** "instrument-first 0.1.0 (node_modules/instrument-first)": the version, and where relative to `cwd`. */
export function describeRuntime(install: RuntimeInstall, cwd: string): string {
  const rel = relative(cwd, install.root).replace(/\\/g, '/');
  return `${PACKAGE_NAME} ${install.version} (${isAbsolute(rel) ? install.root : rel || '.'})`;
}
