import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A quiet, offline workbench for tests and screenshots: no welcome page or walkthrough, no tips,
 * no update or marketplace checks, no telemetry. Written only into a fresh user-data dir.
 */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  // sample-workspace sits inside this repository: don't offer to open the parent repository.
  'git.openRepositoryInParentFolders': 'never',
};

/** Writes <userDataDir>/User/settings.json unless one exists. */
export function writeQuietSettings(userDataDir: string, extra: Record<string, unknown> = {}): void {
  const file = join(userDataDir, 'User', 'settings.json');
  if (existsSync(file)) return;
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...quietSettings, ...extra }, null, 2)}\n`);
}
