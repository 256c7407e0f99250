import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMAND_IDS, WALKTHROUGH_ID } from '../../../src/views/commandIds';
import { DEFAULT_SETTINGS, readSettings, settingDefaults } from '../../../src/views/settings';
import { LINT_SETTING_DEFAULTS, readLintSettings } from '../../../src/vscode/lint/lintSettings';

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    configuration: { properties: Record<string, { default: unknown; order?: number }> };
    walkthroughs?: Array<{ id: string; steps: Array<{ id: string; completionEvents?: string[]; description: string }> }>;
  };
}

function manifest(): Manifest {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

test('every contributed command is in the one command table, and nothing else is', () => {
  const contributed = manifest().contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, [...COMMAND_IDS].sort());
});

test('every setting in package.json is read by the typed config, with the same default', () => {
  const props = manifest().contributes.configuration.properties;
  const ours: Record<string, unknown> = { ...settingDefaults(), ...LINT_SETTING_DEFAULTS };
  const declared = Object.fromEntries(Object.entries(props).map(([k, v]) => [k.replace(/^instrumentFirst\./, ''), v.default]));
  assert.deepEqual(Object.keys(declared).sort(), Object.keys(ours).sort());
  for (const [k, v] of Object.entries(declared)) assert.deepEqual(v, ours[k], `default of instrumentFirst.${k}`);
  // Nothing set: the typed config is the declared defaults.
  assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
  assert.equal(readLintSettings(() => undefined).debounceMs, LINT_SETTING_DEFAULTS['lint.debounceMs']);
});

test('settings are ordered by importance: what users change first, collector internals last', () => {
  const props = manifest().contributes.configuration.properties;
  const ordered = Object.entries(props).sort((a, b) => (a[1].order ?? 1e9) - (b[1].order ?? 1e9)).map(([k]) => k);
  assert.equal(ordered[0], 'instrumentFirst.inline.mode');
  const lastUserFacing = Math.max(...['inline.mode', 'plans.exclude', 'timeline.openIn', 'run.maxPasses'].map((k) => ordered.indexOf(`instrumentFirst.${k}`)));
  const firstInternal = Math.min(...['collector.decodeWorkers', 'collector.maxBodyBytes', 'collector.maxSpans'].map((k) => ordered.indexOf(`instrumentFirst.${k}`)));
  assert.ok(lastUserFacing < firstInternal);
  assert.ok(Object.values(props).every((p) => typeof p.order === 'number'), 'every setting has an order');
});

test('the walkthrough is contributed and its steps run commands that exist', () => {
  const m = manifest();
  const w = m.contributes.walkthroughs?.find((x) => x.id === WALKTHROUGH_ID);
  assert.ok(w, 'walkthrough contributed');
  assert.ok(w.steps.length >= 6);
  const known = new Set<string>([...COMMAND_IDS, 'instrumentFirst.setUpProject', 'workbench.action.files.openFolder', 'workbench.action.showCommands']);
  for (const step of w.steps) {
    for (const [, id] of step.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(known.has(id!), `step ${step.id} runs ${id}`);
  }
});
