import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { RULES, ruleDocsUrl } from '../../../src/linter/ruleCatalog';
import { RULE_IDS } from '../../../src/protocol/lintTypes';

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

test('rule docs: the npm package carries the rule pages and the runtime types, not source maps or the tarball folder', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const id of RULE_IDS) assert.ok(files.includes(RULES[id].docsPath), `${RULES[id].docsPath} packed`);
  for (const f of ['dist/runtime.js', 'dist/cli.js', 'dist/types/runtime/index.d.ts', 'package.json']) assert.ok(files.includes(f), `${f} packed`);
  assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.startsWith('dist/package/') || f.startsWith('src/') || f.startsWith('media/screenshots/')), []);
  // The .vsix keeps docs/ too (it is not in .vscodeignore).
  assert.doesNotMatch(readFileSync(resolve('.vscodeignore'), 'utf8'), /^docs\//m);
});
