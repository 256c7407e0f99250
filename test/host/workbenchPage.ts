// Driving the real workbench in Chromium the way a person does: keyboard, quick input, editors.
import { type Page } from 'playwright-core';

/** Waits until the workbench is rendered and the explorer shows the opened folder. */
export async function waitForWorkbench(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout });
}

/** Types into the open quick input (command palette, quick open, a quick pick). */
async function typeIntoQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
}

/** F1, the command's title, Enter — like a user running a command from the palette. */
export async function runCommandFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await typeIntoQuickInput(page, `>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Quick open (Ctrl+P) a workspace file by its relative path. File search starts cold (ripgrep
 * over the workspace) and a keystroke can land before the workbench has focus, so it retries.
 */
export async function quickOpenFile(page: Page, relativePath: string, attempts = 3): Promise<void> {
  const name = relativePath.split('/').at(-1) ?? relativePath;
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  for (let attempt = 1; ; attempt++) {
    await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    try {
      await typeIntoQuickInput(page, relativePath);
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      break;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (attempt >= attempts) throw err;
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** The texts of the CodeLenses currently rendered in the visible editors. */
export function codeLensTexts(page: Page): Promise<string[]> {
  return page.locator('.codelens-decoration').allInnerTexts();
}

/** Ctrl+G to a 1-based line of the active editor, which scrolls it into view. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await typeIntoQuickInput(page, `:${line}`);
  await page.keyboard.press('Enter');
}
