// test/prerequisites.mjs decides from an injected machine: these cases are the ones that cannot be
// reproduced on the shared machine without removing packages (not root, no apt-get, a binary gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../host/repoRoot';

interface ProbeEnv {
  exists: (path: string) => boolean;
  onPath: (command: string) => boolean;
  vars: Record<string, string | undefined>;
}
type Plan =
  | { action: 'ok' }
  | { action: 'install'; packages: string[]; missing: { name: string }[] }
  | { action: 'stop'; packages: string[]; missing: { name: string }[]; message: string };
interface PrerequisitesModule {
  planPrerequisites(env: ProbeEnv, rights: { isRoot: boolean; hasAptGet: boolean }): Plan;
}

const modulePath = join(repoRoot(), 'test', 'prerequisites.mjs');
const load = (): Promise<PrerequisitesModule> => import(pathToFileURL(modulePath).href) as Promise<PrerequisitesModule>;

/** A machine with everything except what is listed as absent. */
function machine(absentPaths: string[] = [], absentCommands: string[] = [], vars: Record<string, string> = {}): ProbeEnv {
  return { exists: (p) => !absentPaths.includes(p), onPath: (c) => !absentCommands.includes(c), vars };
}

test('prerequisites: nothing to do on a complete machine, whoever runs it', async () => {
  const { planPrerequisites } = await load();
  assert.deepEqual(planPrerequisites(machine(), { isRoot: false, hasAptGet: false }), { action: 'ok' });
});

test('prerequisites: root with apt-get installs exactly the missing Debian packages', async () => {
  const { planPrerequisites } = await load();
  const plan = planPrerequisites(machine(['/usr/bin/chromium', '/usr/include/gssapi/gssapi.h'], ['rg', 'g++']), { isRoot: true, hasAptGet: true });
  assert.equal(plan.action, 'install');
  assert.deepEqual(plan.action === 'install' && plan.packages, ['chromium', 'libkrb5-dev', 'ripgrep', 'g++']);
});

test('prerequisites: not root → stop with one sudo apt-get command naming every missing package', async () => {
  const { planPrerequisites } = await load();
  const plan = planPrerequisites(machine(['/usr/bin/chromium'], ['make']), { isRoot: false, hasAptGet: true });
  assert.equal(plan.action, 'stop');
  if (plan.action !== 'stop') return;
  assert.match(plan.message, /not root/);
  assert.match(plan.message, /^ {2}sudo apt-get update && sudo apt-get install -y chromium make$/m);
  assert.equal(plan.message.match(/apt-get install/g)?.length, 1);
});

test('prerequisites: no apt-get → stop, naming the Debian command and the packages (even as root)', async () => {
  const { planPrerequisites } = await load();
  const plan = planPrerequisites(machine(['/usr/include/gssapi/gssapi.h']), { isRoot: true, hasAptGet: false });
  assert.equal(plan.action, 'stop');
  if (plan.action !== 'stop') return;
  assert.match(plan.message, /no apt-get/);
  assert.match(plan.message, /apt-get install -y libkrb5-dev/);
  assert.match(plan.message, /kerberos/);
});

test('prerequisites: CHROMIUM_PATH replaces /usr/bin/chromium', async () => {
  const { planPrerequisites } = await load();
  const env = machine(['/usr/bin/chromium'], [], { CHROMIUM_PATH: '/opt/chrome/chrome' });
  assert.deepEqual(planPrerequisites(env, { isRoot: false, hasAptGet: false }), { action: 'ok' });
  const gone = machine(['/opt/chrome/chrome'], [], { CHROMIUM_PATH: '/opt/chrome/chrome' });
  assert.equal(planPrerequisites(gone, { isRoot: false, hasAptGet: false }).action, 'stop');
});

test('prerequisites: npm test as a non-root user on a machine missing a tool stops at once with the message, before building', () => {
  // The real runner, with a PATH that has node but no rg and a CHROMIUM_PATH that does not exist,
  // run as a non-root user where the platform lets us (else the stop path is reached via "no apt-get").
  const bin = mkdtempSync(join(tmpdir(), 'if-prereq-'));
  try {
    mkdirSync(join(bin, 'bin'));
    const node = join(bin, 'bin', 'node');
    writeFileSync(node, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
    chmodSync(node, 0o755);
    const r = spawnSync(process.execPath, [join(repoRoot(), 'test', 'runAll.mjs')], {
      cwd: repoRoot(),
      env: { PATH: join(bin, 'bin'), CHROMIUM_PATH: join(bin, 'no-chromium'), HOME: bin },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /npm test cannot start/);
    assert.match(r.stderr, /apt-get install -y chromium( libkrb5-dev)? ripgrep python3 make g\+\+/);
    assert.doesNotMatch(r.stdout, /=== build ===/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
