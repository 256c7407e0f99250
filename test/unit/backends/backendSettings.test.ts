import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/views/settings';

test('backend and import settings: read, checked, problems named by index; package.json declares them with the same defaults', () => {
  const values: Record<string, unknown> = {
    backends: [
      { name: 'prod', type: 'jaeger', url: 'https://jaeger.example' },
      { type: 'tempo', url: 'http://tempo:3200', headers: { 'X-Scope-OrgID': 'team' }, protobuf: true },
      { type: 'zipkin', url: 'http://zipkin:9411' },
      'http://nothing',
    ],
    'imports.offerOnOpen': false,
  };
  const s = readSettings((k) => values[k]);
  assert.deepEqual(
    s.backends.map((b) => [b.name, b.kind, b.protobuf, b.headers]),
    [
      ['prod', 'jaeger', false, {}],
      ['tempo tempo:3200', 'tempo', true, { 'X-Scope-OrgID': 'team' }],
    ],
  );
  assert.equal(s.backendProblems.length, 2);
  assert.match(s.backendProblems[0]!, /^instrumentFirst\.backends\[2\]: "type" must be one of jaeger, tempo, url/);
  assert.match(s.backendProblems[1]!, /^instrumentFirst\.backends\[3\]: must be an object/);
  assert.equal(s.imports.offerOnOpen, false);
  assert.equal(readSettings(() => 'junk').imports.offerOnOpen, true);

  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> }; commands: { command: string }[] } };
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(props['instrumentFirst.backends']?.default, DEFAULT_SETTINGS.backends);
  assert.equal(props['instrumentFirst.imports.offerOnOpen']?.default, DEFAULT_SETTINGS.imports.offerOnOpen);
  const commands = pkg.contributes.commands.map((c) => c.command);
  for (const c of ['instrumentFirst.importTraces', 'instrumentFirst.setBackendToken', 'instrumentFirst.openTraceById']) assert.ok(commands.includes(c), c);
});
