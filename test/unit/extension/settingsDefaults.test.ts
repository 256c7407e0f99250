// The defaults of the collector's and persistence's settings are written twice (package.json for
// the Settings UI, DEFAULT_SETTINGS for the code): they must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/views/settings';
import { LOG_RECORDS_MODES } from '../../../src/protocol/envVars';
import { resolveLogRecordsMode } from '../../../src/runtime/logRecords';

test('package.json defaults of collector.* and persistence.* equal DEFAULT_SETTINGS', () => {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } | { properties: Record<string, { default: unknown }> }[] } };
  const conf = pkg.contributes.configuration;
  const props = Array.isArray(conf) ? Object.assign({}, ...conf.map((c) => c.properties)) as Record<string, { default: unknown }> : conf.properties;
  let checked = 0;
  for (const section of ['collector', 'persistence'] as const) {
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS[section])) {
      const p = props[`instrumentFirst.${section}.${key}`];
      assert.ok(p, `instrumentFirst.${section}.${key} is contributed`);
      assert.deepEqual(p.default, value, `instrumentFirst.${section}.${key}`);
      checked++;
    }
  }
  assert.ok(checked >= 11);
});

test('instrumentFirst.run.* in package.json agree with DEFAULT_SETTINGS, and run.logRecords with the runtime', () => {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown; enum?: unknown[] }> } } };
  const props = pkg.contributes.configuration.properties;
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS.run)) assert.deepEqual(props[`instrumentFirst.run.${key}`]?.default, value, `instrumentFirst.run.${key}`);
  assert.deepEqual(props['instrumentFirst.run.logRecords']?.enum, [...LOG_RECORDS_MODES]);
  // The extension's default is what a plan gets with no setting at all.
  assert.equal(resolveLogRecordsMode(undefined, {}), DEFAULT_SETTINGS.run.logRecords);
  assert.equal(readSettings((k) => (k === 'run.logRecords' ? 'both' : undefined)).run.logRecords, 'both');
  assert.equal(readSettings((k) => (k === 'run.logRecords' ? 'spans' : undefined)).run.logRecords, DEFAULT_SETTINGS.run.logRecords, 'a typo falls back');
});
