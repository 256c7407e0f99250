// The UI check of test:host: the real workbench in headless Chromium, driven like a person would,
// with screenshots into test-results/ui/. Opens sample-workspace/plans/create-cluster.ts; when the
// manifest contributes instrumentFirst.runPlan it runs that plan from the command palette and
// requires a CodeLens with a measured duration (strict: no such CodeLens fails the check).
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startCodeServer } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { repoRoot } from './repoRoot';
import { freshRunProfile } from './runProfile';
import { writeQuietSettings } from './userSettings';
import { codeLensTexts, goToLine, quickOpenFile, runCommandFromPalette, waitForWorkbench } from './workbenchPage';
import { workbenchUrl } from './workbenchUrl';
import { firstHourShots, THEME_CLASSES, THEMES } from './uiFirstHour';

const RUN_PLAN_COMMAND = 'instrumentFirst.runPlan';
const PLAN_FILE = 'plans/create-cluster.ts';
/** A duration as the CodeLens shows it: "412 ms", "3.14 s", "250 µs". */
const DURATION = /\d\s?(µs|ms|s)\b/;

interface Manifest {
  contributes?: { commands?: { command: string; title: string; category?: string }[] };
}

function runPlanTitle(root: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
  const cmd = manifest.contributes?.commands?.find((c) => c.command === RUN_PLAN_COMMAND);
  return cmd ? `${cmd.category ? `${cmd.category}: ` : ''}${cmd.title}` : undefined;
}

async function shoot(page: Page, dir: string, name: string): Promise<string> {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  screenshot ${file}`);
  return file;
}

/** `name-1600-theme.png` and `name-1200-theme.png`: the two widths of the check. */
async function shootWidths(page: Page, dir: string, name: string, theme: string): Promise<void> {
  for (const width of [1600, 1200]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.waitForTimeout(900);
    await shoot(page, dir, `${name}-${width}-${theme}`);
  }
  await page.setViewportSize({ width: 1600, height: 1000 });
}

/** Picks the create-cluster plan in the Run Plan quick pick (or the first item, the current file's plan). */
async function pickPlan(page: Page): Promise<void> {
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
  const match = rows.filter({ hasText: /create[-_ ]?cluster/i }).first();
  if (await match.count()) await match.click();
  else await page.keyboard.press('Enter');
}

/** 1-based number of the first line matching, if any. */
function lineContaining(file: string, re: RegExp): number | undefined {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => re.test(l));
  return index < 0 ? undefined : index + 1;
}

/** A run is a debug session: its toolbar shows while it runs. Waits for it to come and go. */
async function waitForRunToEnd(page: Page): Promise<void> {
  const toolbar = page.locator('.debug-toolbar');
  await toolbar.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined); // a fast run may end unseen
  await toolbar.waitFor({ state: 'hidden', timeout: 120_000 });
}

/**
 * The path the workbench loads the extension under development from: a link to the repository
 * inside this run's profile, not the repository itself. In an Extension Development Host the
 * workbench starts in "a theme provided by the extension under development" when one exists, and it
 * decides that by location: every color and file icon theme under the extension's folder counts
 * (workbenchThemeService.initialize, ThemeRegistry.findThemeByExtensionLocation). code-server is
 * installed under the repository (.cache/code-server), so all its built-in themes counted, and the
 * window ignored workbench.colorTheme: it took the first theme of the initial (web: light) type,
 * Light+, and the Minimal file icons. Through the link, the built-in themes are no longer inside
 * the extension's folder, and the window starts in the theme of its user settings.
 */
function extensionUnderDevelopment(root: string, profile: string): string {
  const link = join(profile, 'extension-under-development');
  symlinkSync(root, link, 'dir'); // the profile is fresh; removing it removes the link, never the repository
  return link;
}

/**
 * Waits until the workbench shows the theme asked for: the classes of its root element name the
 * theme, not only its base. Throws (naming the classes it saw) when it does not within `timeout`.
 */
async function waitForTheme(page: Page, theme: keyof typeof THEMES, timeout = 20_000): Promise<void> {
  const wanted = THEME_CLASSES[theme];
  const root = page.locator('.monaco-workbench').first();
  const deadline = Date.now() + timeout;
  for (;;) {
    const classes = ((await root.getAttribute('class')) ?? '').split(/\s+/);
    if (wanted.every((c) => classes.includes(c))) return;
    if (Date.now() > deadline) {
      throw new Error(`asked for ${THEMES[theme]}, the workbench shows another theme (classes: ${classes.join(' ')})`);
    }
    await page.waitForTimeout(250);
  }
}

async function waitForDurationLens(page: Page, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await codeLensTexts(page)).some((t) => DURATION.test(t))) {
    if (Date.now() > deadline) throw new Error(`no CodeLens with a duration within ${timeout} ms`);
    await page.waitForTimeout(250);
  }
}

/** `profile`: a fresh folder for this run's VS Code user data and extensions. */
export async function runUiScreenshots(opts: { root: string; workspace: string; profile: string }): Promise<void> {
  const outDir = join(opts.root, 'test-results', 'ui');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The whole check once per theme: the workbench starts in it (switching it mid-session is flaky),
  // from the user settings of a fresh profile. HOST_UI_THEMES=light (or dark) runs one of them.
  const extensionPath = extensionUnderDevelopment(opts.root, opts.profile);
  for (const theme of uiThemes(process.env.HOST_UI_THEMES)) {
    rmSync(join(opts.workspace, '.instrument-first'), { recursive: true, force: true });
    await uiSession({ ...opts, extensionPath }, outDir, theme);
  }
}

/** The themes to run the UI check in: both unless HOST_UI_THEMES names some (comma-separated). */
export function uiThemes(value: string | undefined): Array<keyof typeof THEMES> {
  const all = Object.keys(THEMES) as Array<keyof typeof THEMES>;
  const asked = (value ?? '').split(',').map((t) => t.trim()).filter((t): t is keyof typeof THEMES => t in THEMES);
  return asked.length ? asked : all;
}

async function uiSession(opts: { root: string; workspace: string; profile: string; extensionPath: string }, outDir: string, theme: 'dark' | 'light'): Promise<void> {
  const userDataDir = join(opts.profile, `ui-user-data-${theme}`);
  const extensionsDir = join(opts.profile, `ui-extensions-${theme}`);

  writeQuietSettings(userDataDir, { 'workbench.colorTheme': THEMES[theme] });
  const server = await startCodeServer({ install: ensureCodeServer(), userDataDir, extensionsDir });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(workbenchUrl(server.origin, opts.workspace, { extensionDevelopmentPath: [opts.extensionPath] }));
    try {
      await waitForWorkbench(page);
      // Shots are named after the theme: the workbench must really show it (strict, see extensionUnderDevelopment).
      await waitForTheme(page, theme);
      await page.waitForTimeout(2000); // icons and the status bar fill in after the explorer
      await shootWidths(page, outDir, '01-workbench', theme);
      await quickOpenFile(page, PLAN_FILE);
      await shootWidths(page, outDir, '02-plan-open', theme);
    } catch (err) {
      await shoot(page, outDir, `02-FAILED-open-plan-${theme}`);
      throw err;
    }

    const title = runPlanTitle(opts.root);
    if (!title) {
      console.log(`  ${RUN_PLAN_COMMAND} is not contributed yet: no run, no CodeLens check`);
      return;
    }
    try {
      await runCommandFromPalette(page, title);
      await pickPlan(page);
      await waitForRunToEnd(page);
      await waitForDurationLens(page, 30_000);
      await page.waitForTimeout(500); // lenses fade in
      await shootWidths(page, outDir, '03-codelens-after-run', theme);
      console.log(`  CodeLens: ${JSON.stringify(await codeLensTexts(page))}`);
      // The plan's own CodeLens (passes, total duration) sits above the plan class, further down.
      const planLine = lineContaining(join(opts.workspace, PLAN_FILE), /implements Plan\b/);
      if (planLine) {
        await goToLine(page, planLine);
        await page.waitForTimeout(500);
        await shootWidths(page, outDir, '04-plan-codelens', theme);
        console.log(`  CodeLens: ${JSON.stringify(await codeLensTexts(page))}`);
      }
      if (process.env.HOST_SKIP_FIRST_HOUR_UI !== '1') {
        try {
          await firstHourShots({ page, outDir, workspace: opts.workspace, theme });
        } catch (err) {
          await shoot(page, outDir, `19-FAILED-first-hour-${theme}`);
          throw new Error(`first-hour UI: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('first-hour UI:')) throw err;
      await shoot(page, outDir, `03-FAILED-no-codelens-${theme}`);
      console.log(`  CodeLens now: ${JSON.stringify(await codeLensTexts(page))}`);
      throw new Error(`"${title}" on ${PLAN_FILE} left no CodeLens with a duration: ${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

if (require.main === module) {
  // Just the UI check: node out/test/host/uiScreenshots.js (after npm run test:host built everything).
  const root = repoRoot();
  const profile = freshRunProfile(root);
  runUiScreenshots({ root, workspace: join(root, 'sample-workspace'), profile }).then(
    () => {
      console.log('UI check passed');
      rmSync(profile, { recursive: true, force: true });
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
