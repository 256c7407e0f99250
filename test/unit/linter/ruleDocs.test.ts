import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { RULES, ruleDocsUrl } from '../../../src/linter/ruleCatalog';
import { RULE_IDS } from '../../../src/linter/types';

test('rule docs: every rule links to its own page inside the package, which exists and is about that rule', () => {
  const root = resolve('.');
  for (const id of RULE_IDS) {
    const url = ruleDocsUrl(id, root);
    assert.match(url, new RegExp(`^file://.*/docs/rules/${id}\\.md$`));
    const page = readFileSync(fileURLToPath(url), 'utf8');
    assert.ok(page.startsWith(`# \`${id}\` — ${RULES[id].title}`), `${id}: heading`);
    assert.ok(page.includes(`instrument-first-ignore ${id}`), `${id}: how to silence it`);
  }
});

test('rule docs: the package ships docs/ (npm pack and the .vsix carry the pages the links point at)', () => {
  const manifest = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { files: string[] };
  assert.ok(manifest.files.includes('docs/'));
  const vscodeignore = readFileSync(resolve('.vscodeignore'), 'utf8');
  assert.doesNotMatch(vscodeignore, /^docs\//m);
});
