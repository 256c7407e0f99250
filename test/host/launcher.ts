// The "VS Code executable" that @vscode/test-electron's runTests spawns (through bin/vscode-launcher):
// takes Electron-style arguments, serves a real VS Code with code-server, opens the workbench in
// headless Chromium with the extension-test payload, relays the tests' output and exits with
// their result. Env: HOST_TEST_TIMEOUT_MS (default 600000), HOST_TEST_VERBOSE=1 (browser console),
// HOST_RENDERER_PROFILE=<file> (a CPU profile of the workbench page, sampled every 0.5 ms, plus
// `wallStartMs`), HOST_EXTRA_SETTINGS=<JSON> (user settings added to the quiet ones).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startCodeServer, type RunningCodeServer } from './codeServer';
import { parseElectronArgs } from './electronArgs';
import { ensureCodeServer } from './installCodeServer';
import { repoRoot } from './repoRoot';
import { writeQuietSettings } from './userSettings';
import { workbenchUrl } from './workbenchUrl';

const EXIT_TIMEOUT = 124;
const verbose = process.env.HOST_TEST_VERBOSE === '1';

function log(line: string): void {
  process.stdout.write(`[launcher] ${line}\n`);
}

/** Workbench start-up chatter that reaches codeAutomationLog with the tests' output (shown when verbose). */
const workbenchNoise = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
];

/** What the workbench hands to codeAutomationLog: a level and the logger's arguments. */
function relayAutomationLog(type: string, args: unknown): void {
  const parts = Array.isArray(args) ? args : [args];
  const text = parts.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  if (!verbose && type !== 'error' && workbenchNoise.some((re) => re.test(text))) return;
  (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
}

async function screenshotOnFailure(page: Page, why: string): Promise<void> {
  const dir = join(repoRoot(), 'test-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `host-${why}.png`);
  await page.screenshot({ path: file }).then(
    () => log(`screenshot of the workbench: ${file}`),
    (err: unknown) => log(`no screenshot: ${String(err)}`),
  );
}

async function main(): Promise<number> {
  const args = parseElectronArgs(process.argv.slice(2));
  if (!args.extensionTestsPath) throw new Error('launcher: --extensionTestsPath is required');
  const folder = resolve(args.folder ?? process.cwd());
  const userDataDir = resolve(args.userDataDir ?? join(tmpdir(), 'instrument-first-host-user-data'));
  const extensionsDir = resolve(args.extensionsDir ?? join(userDataDir, '..', 'extensions'));
  const timeoutMs = Number(process.env.HOST_TEST_TIMEOUT_MS ?? 600_000);

  const install = ensureCodeServer(log);
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  process.on('exit', () => server?.kill());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      server?.kill();
      process.exit(130);
    });
  }
  try {
    const started = Date.now();
    writeQuietSettings(userDataDir, process.env.HOST_EXTRA_SETTINGS ? (JSON.parse(process.env.HOST_EXTRA_SETTINGS) as Record<string, unknown>) : {});
    server = await startCodeServer({ install, userDataDir, extensionsDir });
    log(`code-server ${server.origin} ready in ${Date.now() - started} ms (log: ${server.logFile})`);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (verbose) page.on('console', (m) => log(`browser ${m.type()}: ${m.text()}`));
    page.on('pageerror', (err) => log(`page error: ${err.message}`));

    let settle: (code: number) => void = () => undefined;
    const result = new Promise<number>((r) => (settle = r));
    await page.exposeFunction('codeAutomationLog', relayAutomationLog);
    await page.exposeFunction('codeAutomationExit', (code: unknown) => settle(typeof code === 'number' ? code : 1));
    page.on('crash', () => {
      log('the workbench page crashed');
      settle(1);
    });
    let finished = false;
    const serverGone = server.exited.then((c) => {
      if (!finished) log(`code-server exited (${c}) before the tests finished; see ${server?.logFile}`);
      return 1;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((r) => {
      timer = setTimeout(() => {
        log(`tests did not finish within ${timeoutMs} ms`);
        r(EXIT_TIMEOUT);
      }, timeoutMs);
    });

    const url = workbenchUrl(server.origin, folder, {
      extensionDevelopmentPath: args.extensionDevelopmentPath.map((p) => resolve(p)),
      extensionTestsPath: resolve(args.extensionTestsPath),
    });
    log(`opening ${url}`);
    // A CPU profile of the workbench page, with the wall time it started at (to find a stage's samples).
    const profileFile = process.env.HOST_RENDERER_PROFILE;
    const cdp = profileFile ? await page.context().newCDPSession(page) : undefined;
    let profileWallStart = 0;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      profileWallStart = Date.now();
      await cdp.send('Profiler.start');
    }
    await page.goto(url);
    const code = await Promise.race([result, serverGone, timedOut]);
    if (cdp && profileFile) {
      await cdp.send('Profiler.stop').then(
        ({ profile }) => {
          writeFileSync(profileFile, JSON.stringify({ ...profile, wallStartMs: profileWallStart }));
          log(`renderer profile: ${profileFile}`);
        },
        (err: unknown) => log(`no renderer profile: ${String(err)}`),
      );
    }
    finished = true;
    clearTimeout(timer);
    if (code === EXIT_TIMEOUT) await screenshotOnFailure(page, 'timeout');
    log(`tests finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
