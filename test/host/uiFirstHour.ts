// The first hour, driven in the real workbench like a user (issue 14): two exports run and told
// apart, timeline + compare in one column, the swallowed-error fix turning the run red, a debug run
// paused on a breakpoint kept out of the statistics. Every shot is taken at 1600 and 1200 px wide,
// into test-results/ui/, in the session's theme (light and dark).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Frame, type Page } from 'playwright-core';
import { codeLensTexts, goToLine, quickOpenFile, runCommandFromPalette } from './workbenchPage';

const PLAN_FILE = 'plans/create-cluster.ts';
/** The color themes the UI check runs under, one workbench session each. */
export const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' } as const;

export interface FirstHourContext {
  page: Page;
  outDir: string;
  workspace: string;
  /** The workbench's theme for this session (set in its user settings before it started). */
  theme: 'dark' | 'light';
}

/** One shot at 1600 and 1200 px wide, in the session's theme. Returns the file names. */
async function shootVariants(c: FirstHourContext, name: string): Promise<string[]> {
  const files: string[] = [];
  for (const width of [1600, 1200]) {
    await c.page.setViewportSize({ width, height: 1000 });
    // The pointer off anything with a hover (a tooltip left by the last click would cover the shot).
    await c.page.mouse.move(width - 250, 12);
    await c.page.waitForTimeout(900);
    const file = join(c.outDir, `${name}-${width}-${c.theme}.png`);
    await c.page.screenshot({ path: file });
    files.push(file);
  }
  await c.page.setViewportSize({ width: 1600, height: 1000 });
  console.log(`  screenshots ${name}-{1600,1200}-${c.theme}.png`);
  return files;
}

/** Runs a plan export from "Run Plan…" (or "Debug Plan…"), picking the row that names it. */
async function runFromPalette(page: Page, title: string, exportName: string | undefined): Promise<void> {
  await runCommandFromPalette(page, title);
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
  const row = exportName ? rows.filter({ hasText: exportName }).first() : rows.filter({ hasText: /create-cluster\.ts$/ }).first();
  if (await row.count()) await row.click();
  else await rows.filter({ hasText: 'create-cluster.ts' }).first().click();
}

/** Waits until the Runs view shows no running item (the run finished and its spans arrived). */
async function waitForRunsIdle(page: Page, timeout = 120_000): Promise<void> {
  const deadline = Date.now() + timeout;
  await page.waitForTimeout(1500);
  for (;;) {
    const busy = await page.locator('.pane-body .codicon-loading').count();
    const toolbar = await page.locator('.debug-toolbar').isVisible().catch(() => false);
    if (!busy && !toolbar) return;
    if (Date.now() > deadline) throw new Error('a run did not finish');
    await page.waitForTimeout(300);
  }
}

async function webviewFrame(page: Page, selector: string, timeout = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview frame with ${selector}`);
    await page.waitForTimeout(300);
  }
}

function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in ${file}`);
  return i + 1;
}

export async function firstHourShots(c: FirstHourContext): Promise<void> {
  const { page } = c;
  const planPath = join(c.workspace, PLAN_FILE);
  await page.setViewportSize({ width: 1600, height: 1000 });

  // 1. Two exports of the same plan name, run and told apart (the default one ran just before).
  await runFromPalette(page, 'Instrument First: Run Plan…', 'createClusterFaulty');
  await waitForRunsIdle(page);
  await runCommandFromPalette(page, 'Instrument First: Show Runs');
  await quickOpenFile(page, PLAN_FILE);
  await goToLine(page, lineOf(planPath, 'class CreateClusterPlan'));
  await shootVariants(c, '10-two-exports-told-apart');
  console.log(`  CodeLens: ${JSON.stringify(await codeLensTexts(page))}`);

  // 2. Compare (faulty vs default), then the timeline: one column for both.
  await runCommandFromPalette(page, 'Instrument First: Compare Runs…');
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.filter({ hasText: 'createClusterFaulty' }).first().click();
  await page.waitForTimeout(500);
  await rows.filter({ hasNotText: 'createClusterFaulty' }).first().click();
  await webviewFrame(page, '.compare-table');
  // The panel (Debug Console) closed, as a user reading a timeline does: the waterfall gets the height.
  await runCommandFromPalette(page, 'View: Hide Panel');
  // The panel had the focus: give it back to the workbench, or F1 reaches nothing.
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await runCommandFromPalette(page, 'Instrument First: Open Last Run in Timeline');
  const tl = await webviewFrame(page, '.waterfall .row');
  // Select the register step: the details pane appears beside the waterfall.
  await tl.locator('.row', { hasText: 'register_cluster_node_to_lb' }).first().click();
  await shootVariants(c, '11-timeline-beside-compare-one-column');
  await page.locator('.tabs-container .tab', { hasText: 'Compare' }).first().click();
  await webviewFrame(page, '.compare-table');
  await shootVariants(c, '12-compare-calls-column');

  // 3. The swallowed-error fix through the light bulb, saved, the faulty export run again: red.
  const original = readFileSync(planPath, 'utf8');
  try {
    await runCommandFromPalette(page, 'View: Close All Editors');
    await quickOpenFile(page, PLAN_FILE);
    await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
    // The cursor on the `catch` keyword (where the finding is), as a user clicking it.
    const catchLine = lineOf(planPath, '} catch {');
    const column = readFileSync(planPath, 'utf8').split('\n')[catchLine - 1]!.indexOf('catch') + 2;
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${catchLine}:${column}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    // Quick Fix (Ctrl+.), then the fix by keyboard: the action widget's rows sit under a pointer block.
    await page.keyboard.press('Control+.');
    const rowsOf = page.locator('.action-widget .monaco-list-row');
    await rowsOf.first().waitFor({ state: 'visible', timeout: 20_000 });
    const texts = await rowsOf.allInnerTexts();
    const at = texts.findIndex((t) => t.includes('Record the error'));
    if (at < 0) throw new Error(`no "Record the error" quick fix among ${JSON.stringify(texts)}`);
    console.log(`  quick fixes: ${JSON.stringify(texts)}`);
    // Typing filters nothing in the action widget; move the focus to the row by keyboard.
    const focusedAt = async () => (await rowsOf.evaluateAll((els) => els.map((e) => e.classList.contains('focused')))).indexOf(true);
    for (let guard = 0; guard < 20 && (await focusedAt()) !== at; guard++) await page.keyboard.press((await focusedAt()) < at ? 'ArrowDown' : 'ArrowUp');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'setStatus' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Control+S');
    await page.waitForTimeout(800);
    await runFromPalette(page, 'Instrument First: Run Plan…', 'createClusterFaulty');
    await waitForRunsIdle(page);
    await goToLine(page, lineOf(planPath, 'class RegisterClusterNodeToLb'));
    await shootVariants(c, '13-swallowed-error-fixed-run-red');
    console.log(`  CodeLens: ${JSON.stringify(await codeLensTexts(page))}`);
  } finally {
    writeFileSync(planPath, original);
    await runCommandFromPalette(page, 'File: Revert File').catch(() => undefined);
  }

  // 4. A debug run paused on a breakpoint, then continued: marked debug, statistics unskewed.
  await quickOpenFile(page, PLAN_FILE);
  await goToLine(page, lineOf(planPath, "ctx.span.setAttribute('elbv2.registered_targets'"));
  await page.keyboard.press('F9');
  await runFromPalette(page, 'Instrument First: Debug Plan…', undefined);
  await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.codicon-debug-stackframe').first().waitFor({ state: 'attached', timeout: 90_000 });
  await page.waitForTimeout(2500);
  await shootVariants(c, '14-debug-paused-on-breakpoint');
  // Continue (F5): the breakpoint's step runs once per run, so the run goes on to its end.
  await page.keyboard.press('F5');
  await waitForRunsIdle(page);
  await runCommandFromPalette(page, 'Instrument First: Show Runs');
  await quickOpenFile(page, PLAN_FILE);
  await goToLine(page, lineOf(planPath, 'class RegisterClusterNodeToLb'));
  await shootVariants(c, '15-after-debug-run-statistics-unskewed');
  console.log(`  CodeLens: ${JSON.stringify(await codeLensTexts(page))}`);
}
