// The UI check of test:host: the real workbench in headless Chromium, driven like a person would,
// with screenshots into test-results/ui/. Opens sample-workspace/plans/create-cluster.ts; when the
// manifest contributes instrumentFirst.runPlan it runs that plan from the command palette and
// requires a CodeLens with a measured duration (strict: no such CodeLens fails the check).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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
import { firstHourShots, THEMES } from './uiFirstHour';

const RUN_PLAN_COMMAND = 'instrumentFirst.runPlan';
const PLAN_FILE = 'plans/create-cluster.ts';
/** A duration as the CodeLens shows it: "412 ms", "3.1 s". */
const DURATION = /\d\s?ms\b|\d\s?s\b/;

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
  for (const theme of uiThemes(process.env.HOST_UI_THEMES)) {
    rmSync(join(opts.workspace, '.instrument-first'), { recursive: true, force: true });
    await uiSession(opts, outDir, theme);
  }
}

/** The themes to run the UI check in: both unless HOST_UI_THEMES names some (comma-separated). */
export function uiThemes(value: string | undefined): Array<keyof typeof THEMES> {
  const all = Object.keys(THEMES) as Array<keyof typeof THEMES>;
  const asked = (value ?? '').split(',').map((t) => t.trim()).filter((t): t is keyof typeof THEMES => t in THEMES);
  return asked.length ? asked : all;
}

async function uiSession(opts: { root: string; workspace: string; profile: string }, outDir: string, theme: 'dark' | 'light'): Promise<void> {
  const userDataDir = join(opts.profile, `ui-user-data-${theme}`);
  const extensionsDir = join(opts.profile, `ui-extensions-${theme}`);

  writeQuietSettings(userDataDir, { 'workbench.colorTheme': THEMES[theme] });
  const server = await startCodeServer({ install: ensureCodeServer(), userDataDir, extensionsDir });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(workbenchUrl(server.origin, opts.workspace, { extensionDevelopmentPath: [opts.root] }));
    try {
      await waitForWorkbench(page);
      await page.waitForTimeout(2000); // icons and the status bar fill in after the explorer
      // Name shots after the theme the workbench really shows (its base: vs, vs-dark, hc-*), never
      // after the one asked for: the Extension Development Host of code-server 4.100 has been seen to
      // ignore workbench.colorTheme and render the light base theme (Light+ colours) whatever was set.
      const classes = (await page.locator('.monaco-workbench').first().getAttribute('class')) ?? '';
      const rendered = /\b(vs-dark|hc-black)\b/.test(classes) ? 'dark' : 'light';
      if (rendered !== theme) {
        console.log(`  asked for the ${theme} theme (${THEMES[theme]}), the workbench rendered a ${rendered} one: no ${theme} shots from this session`);
        return;
      }
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
