// What `npm test` needs from the machine beyond Node and npm, checked before anything is built:
// Debian's chromium for the browser and UI tiers, and what code-server's install (first host-test
// run, test/host/installCodeServer.ts) builds or copies: kerberos headers, a compiler toolchain for
// its native modules, and the system rg (no download from outside the npm registry).
// Where it can (root and apt-get) it installs what is missing, saying what and why; where it cannot,
// it stops with one message that names the exact command. The decision is a pure function of an
// injected environment (planPrerequisites) so the "cannot install" paths are unit-tested without
// removing packages from a shared machine.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * @typedef {{ name: string, aptPackage: string, why: string, present: (env: ProbeEnv) => boolean }} Prerequisite
 * @typedef {{ exists: (path: string) => boolean, onPath: (command: string) => boolean, vars: Record<string, string | undefined> }} ProbeEnv
 * @typedef {{ isRoot: boolean, hasAptGet: boolean }} InstallRights
 * @typedef {{ action: 'ok' } | { action: 'install', missing: Prerequisite[], packages: string[] } | { action: 'stop', missing: Prerequisite[], packages: string[], message: string }} Plan
 */

/** @type {Prerequisite[]} */
export const PREREQUISITES = [
  {
    name: 'chromium',
    aptPackage: 'chromium',
    why: 'headless browser for the browser tests and the real VS Code workbench (or set CHROMIUM_PATH)',
    present: (env) => env.exists(env.vars.CHROMIUM_PATH || '/usr/bin/chromium'),
  },
  {
    name: 'kerberos headers (gssapi/gssapi.h)',
    aptPackage: 'libkrb5-dev',
    why: "code-server's kerberos module compiles against them (first host-test run)",
    present: (env) => env.exists('/usr/include/gssapi/gssapi.h'),
  },
  {
    name: 'rg',
    aptPackage: 'ripgrep',
    why: "stands in for the ripgrep binary code-server's install would download from outside the npm registry",
    present: (env) => env.onPath('rg'),
  },
  {
    name: 'python3',
    aptPackage: 'python3',
    why: "node-gyp builds code-server's native modules",
    present: (env) => env.onPath('python3'),
  },
  {
    name: 'make',
    aptPackage: 'make',
    why: "node-gyp builds code-server's native modules",
    present: (env) => env.onPath('make'),
  },
  {
    name: 'g++',
    aptPackage: 'g++',
    why: "node-gyp builds code-server's native modules",
    present: (env) => env.onPath('g++'),
  },
];

/**
 * Decides what to do: nothing, install `packages` with apt-get, or stop with `message`.
 * @param {ProbeEnv} env
 * @param {InstallRights} rights
 * @param {Prerequisite[]} [prerequisites]
 * @returns {Plan}
 */
export function planPrerequisites(env, rights, prerequisites = PREREQUISITES) {
  const missing = prerequisites.filter((p) => !p.present(env));
  if (missing.length === 0) return { action: 'ok' };
  const packages = [...new Set(missing.map((p) => p.aptPackage))];
  if (rights.isRoot && rights.hasAptGet) return { action: 'install', missing, packages };
  return { action: 'stop', missing, packages, message: stopMessage(missing, packages, rights) };
}

/**
 * @param {Prerequisite[]} missing
 * @param {string[]} packages
 * @param {InstallRights} rights
 */
function stopMessage(missing, packages, rights) {
  const list = missing.map((p) => `  - ${p.name} (${p.aptPackage}): ${p.why}`).join('\n');
  const command = rights.hasAptGet
    ? `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`
    : `apt-get update && apt-get install -y ${packages.join(' ')}   (Debian/Ubuntu; elsewhere install the equivalents)`;
  return [
    `npm test cannot start: ${missing.length === 1 ? 'a prerequisite is' : `${missing.length} prerequisites are`} missing and this process cannot install them (${rights.hasAptGet ? 'not root' : 'no apt-get'}).`,
    list,
    'Run:',
    `  ${command}`,
    'then npm test again.',
  ].join('\n');
}

/** The real machine. @returns {ProbeEnv} */
export function machineEnv() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return {
    exists: (p) => existsSync(p),
    onPath: (cmd) =>
      dirs.some((d) => {
        try {
          accessSync(join(d, cmd), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
    vars: process.env,
  };
}

/** @returns {InstallRights} */
export function machineRights() {
  return { isRoot: typeof process.getuid === 'function' && process.getuid() === 0, hasAptGet: machineEnv().onPath('apt-get') };
}

/**
 * Checks, installs where it may, and returns normally only when everything is there.
 * Exits the process (status 1) with one message otherwise.
 * @param {(line: string) => void} [log]
 */
export function ensurePrerequisites(log = (l) => console.log(l)) {
  const env = machineEnv();
  const plan = planPrerequisites(env, machineRights());
  if (plan.action === 'ok') return;
  if (plan.action === 'stop') {
    console.error(`\n${plan.message}\n`);
    process.exit(1);
  }
  log(`\n=== prerequisites: installing ${plan.packages.join(' ')} with apt-get ===`);
  for (const p of plan.missing) log(`  - ${p.aptPackage}: ${p.why}`);
  const started = Date.now();
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...plan.packages]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
    if (r.status !== 0) {
      console.error(`\nnpm test cannot start: \`apt-get ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}). Run it yourself, then npm test again.\n`);
      process.exit(1);
    }
  }
  const after = planPrerequisites(machineEnv(), { isRoot: false, hasAptGet: false });
  if (after.action !== 'ok') {
    console.error(`\nnpm test cannot start: still missing after apt-get install: ${after.missing.map((p) => p.name).join(', ')}\n`);
    process.exit(1);
  }
  log(`=== prerequisites: installed in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
}
