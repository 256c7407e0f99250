import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, realpathSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chooseRuntime, describeRuntime, ownRuntime, projectRuntime } from '../../../src/project/runtimeInstall';

function tree(): { root: string; done: () => void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'if-runtime-')));
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

function writePackage(dir: string, manifest: object): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
}

test('ownRuntime: this checkout, found by walking up from the compiled file', () => {
  const own = ownRuntime();
  const manifest = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string };
  assert.equal(own.version, manifest.version);
  assert.equal(own.root, realpathSync(resolve('.')));
});

test('projectRuntime: the nearest node_modules/instrument-first above the plan, not a same-named folder without the package', () => {
  const t = tree();
  try {
    writePackage(join(t.root, 'node_modules', 'instrument-first'), { name: 'instrument-first', version: '9.8.7' });
    writePackage(join(t.root, 'app', 'node_modules', 'instrument-first'), { name: 'something-else', version: '1.0.0' });
    mkdirSync(join(t.root, 'app', 'plans', 'deep'), { recursive: true });
    const found = projectRuntime(join(t.root, 'app', 'plans', 'deep'));
    assert.deepEqual(found, { version: '9.8.7', root: join(t.root, 'node_modules', 'instrument-first') });
    assert.equal(describeRuntime(found!, join(t.root, 'app')), 'instrument-first 9.8.7 (../node_modules/instrument-first)');
  } finally {
    t.done();
  }
});

test('projectRuntime: none in a folder tree without the package; malformed package.json is no install', () => {
  const t = tree();
  try {
    mkdirSync(join(t.root, 'node_modules', 'instrument-first'), { recursive: true });
    writeFileSync(join(t.root, 'node_modules', 'instrument-first', 'package.json'), '{ not json');
    const found = projectRuntime(t.root);
    // Whatever lies above the temp folder is not ours to control; only what is in it must be ignored.
    assert.ok(!found || !found.root.startsWith(t.root));
  } finally {
    t.done();
  }
});

test('chooseRuntime: the workspace copy when there is one with a CLI; a version mismatch is a warning', () => {
  const bundled = { version: '0.1.0', root: '/ext/instrument-first' };
  const same = chooseRuntime(bundled, { version: '0.1.0', root: '/proj/node_modules/instrument-first' }, () => true);
  assert.equal(same.source, 'workspace');
  assert.equal(same.cliPath, join('/proj/node_modules/instrument-first', 'dist', 'cli.js'));
  assert.equal(same.warning, undefined);
  const newer = chooseRuntime(bundled, { version: '0.2.0', root: '/proj/node_modules/instrument-first' }, () => true);
  assert.equal(newer.source, 'workspace');
  assert.match(newer.warning ?? '', /workspace's instrument-first is 0\.2\.0, the extension's is 0\.1\.0/);
});

test('chooseRuntime: bundled without a workspace copy, or when the workspace copy has no CLI (with a warning)', () => {
  const bundled = { version: '0.1.0', root: '/ext/instrument-first' };
  assert.deepEqual(chooseRuntime(bundled, undefined), { source: 'bundled', install: bundled, cliPath: join('/ext/instrument-first', 'dist', 'cli.js') });
  assert.equal(chooseRuntime(bundled, bundled).source, 'bundled');
  const broken = chooseRuntime(bundled, { version: '0.1.0', root: '/proj/node_modules/instrument-first' }, () => false);
  assert.equal(broken.source, 'bundled');
  assert.match(broken.warning ?? '', /has no dist\/cli\.js/);
});
