import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npmName, planScaffold, type ProjectFiles, type ScaffoldOptions } from '../../../src/project/scaffold';
import { EXAMPLE_PLAN_PATH } from '../../../src/project/exampleFiles';

const OPTIONS: ScaffoldOptions = {
  projectName: 'My Project',
  runtimeSpec: 'file:vendor/instrument-first-0.1.0.tgz',
  vendor: { path: 'vendor/instrument-first-0.1.0.tgz', copyFrom: '/somewhere/instrument-first-0.1.0.tgz' },
  typescriptVersion: '5.9.3',
  typesNodeVersion: '20.19.43',
};

function change(s: ReturnType<typeof planScaffold>, path: string) {
  return s.changes.find((c) => c.path === path);
}

function json(text: string | undefined): Record<string, unknown> {
  return JSON.parse(text ?? 'null') as Record<string, unknown>;
}

test('scaffold: an empty folder gets every piece, each created', () => {
  const s = planScaffold({ hasPlans: false }, OPTIONS);
  assert.deepEqual(s.changes.map((c) => `${c.action} ${c.path}`), [
    'create package.json',
    'create vendor/instrument-first-0.1.0.tgz',
    `create ${EXAMPLE_PLAN_PATH}`,
    'create tsconfig.json',
    'create .gitignore',
    'create .vscode/launch.json',
  ]);
  assert.equal(s.needsInstall, true);
  const pkg = json(change(s, 'package.json')?.content);
  assert.equal(pkg.name, 'my-project');
  assert.deepEqual(pkg.devDependencies, { '@types/node': '20.19.43', 'instrument-first': 'file:vendor/instrument-first-0.1.0.tgz', typescript: '5.9.3' });
  assert.equal(change(s, 'vendor/instrument-first-0.1.0.tgz')?.copyFrom, '/somewhere/instrument-first-0.1.0.tgz');
  const tsconfig = json(change(s, 'tsconfig.json')?.content) as { compilerOptions: Record<string, unknown>; include: string[]; };
  assert.equal(tsconfig.compilerOptions.strict, true);
  assert.equal(tsconfig.compilerOptions.paths, undefined, 'no paths trick: types come from the installed package');
  assert.deepEqual(tsconfig.include, ['plans/**/*.ts']);
  assert.match(change(s, '.gitignore')?.content ?? '', /^\.instrument-first\/$/m);
  const launch = json(change(s, '.vscode/launch.json')?.content) as { configurations: Array<Record<string, string>> };
  assert.deepEqual(launch.configurations.map((c) => c.plan), ['${workspaceFolder}/plans/hello.ts', '${file}']);
  assert.ok(launch.configurations.every((c) => c.type === 'instrument-first'));
  const plan = change(s, EXAMPLE_PLAN_PATH)?.content ?? '';
  assert.match(plan, /from 'instrument-first'/);
  assert.match(plan, /ctx\.trace\(/);
});

test('scaffold: an existing package.json keeps its fields and dependencies; only the missing ones are added', () => {
  const existing = JSON.stringify({ name: 'app', scripts: { build: 'tsc' }, dependencies: { typescript: '^5.0.0' }, devDependencies: { zod: '3.0.0' } }, null, 4);
  const s = planScaffold({ hasPlans: false, packageJson: existing }, OPTIONS);
  const c = change(s, 'package.json');
  assert.equal(c?.action, 'update');
  const pkg = json(c?.content);
  assert.deepEqual(pkg.scripts, { build: 'tsc' });
  assert.deepEqual(pkg.dependencies, { typescript: '^5.0.0' });
  assert.deepEqual(pkg.devDependencies, { '@types/node': '20.19.43', 'instrument-first': 'file:vendor/instrument-first-0.1.0.tgz', zod: '3.0.0' });
  assert.match(c?.summary ?? '', /instrument-first@file:vendor.*@types\/node@20\.19\.43/);
  assert.doesNotMatch(c?.summary ?? '', /typescript/);
});

test('scaffold: a project already set up is left exactly as it is', () => {
  const first = planScaffold({ hasPlans: false }, OPTIONS);
  const text = (p: string) => change(first, p)?.content;
  const files: ProjectFiles = { hasPlans: true, packageJson: text('package.json'), tsconfig: text('tsconfig.json'), gitignore: text('.gitignore'), launchJson: text('.vscode/launch.json') };
  const again = planScaffold(files, OPTIONS);
  assert.deepEqual(again.changes, []);
  assert.equal(again.needsInstall, false);
  assert.equal(again.advice.length, 0);
  assert.equal(again.kept.length, 7);
});

test('scaffold: .gitignore gets the entry appended once, with a newline where the file lacked one', () => {
  const s = planScaffold({ hasPlans: true, gitignore: 'dist\nnode_modules' }, OPTIONS);
  assert.equal(change(s, '.gitignore')?.content, 'dist\nnode_modules\n.instrument-first/\n');
  for (const already of ['.instrument-first', '/.instrument-first/', 'x\n.instrument-first/**\n']) {
    assert.equal(change(planScaffold({ hasPlans: true, gitignore: already }, OPTIONS), '.gitignore'), undefined, already);
  }
});

test('scaffold: tsconfig with an include that misses plans/ is extended; one with comments is left alone with advice', () => {
  const plain = planScaffold({ hasPlans: true, tsconfig: '{"compilerOptions":{"strict":true},"include":["src/**/*.ts"]}' }, OPTIONS);
  assert.deepEqual((json(change(plain, 'tsconfig.json')?.content) as { include: string[] }).include, ['src/**/*.ts', 'plans/**/*.ts']);
  const commented = '{\n  // ours\n  "compilerOptions": { "strict": true, },\n  "include": ["src"]\n}\n';
  const s = planScaffold({ hasPlans: true, tsconfig: commented }, OPTIONS);
  assert.equal(change(s, 'tsconfig.json'), undefined);
  assert.match(s.advice.join('\n'), /tsconfig\.json: add "plans\/\*\*\/\*\.ts" to "include"/);
  // no include at all: everything is covered already
  assert.equal(change(planScaffold({ hasPlans: true, tsconfig: '{ /* c */ "compilerOptions": {} }' }, OPTIONS), 'tsconfig.json'), undefined);
});

test('scaffold: launch.json gains configurations unless it has one of ours; comments or garbage mean advice, not an edit', () => {
  const other = JSON.stringify({ version: '0.2.0', configurations: [{ type: 'node', request: 'launch', name: 'app' }] });
  const s = planScaffold({ hasPlans: true, launchJson: other }, OPTIONS);
  const configs = (json(change(s, '.vscode/launch.json')?.content) as { configurations: Array<{ type: string }> }).configurations;
  assert.deepEqual(configs.map((c) => c.type), ['node', 'instrument-first', 'instrument-first']);
  const ours = JSON.stringify({ configurations: [{ type: 'instrument-first', request: 'launch', name: 'x', plan: 'p.ts' }] });
  assert.equal(change(planScaffold({ hasPlans: true, launchJson: ours }, OPTIONS), '.vscode/launch.json'), undefined);
  for (const bad of ['{ // note\n "configurations": [] }', '{ "configurations": [', '[]']) {
    const r = planScaffold({ hasPlans: true, launchJson: bad }, OPTIONS);
    assert.equal(change(r, '.vscode/launch.json'), undefined, bad);
    assert.match(r.advice.join('\n'), /launch\.json: add/, bad);
  }
});

test('scaffold: an invalid package.json is not touched, and says what to add', () => {
  const s = planScaffold({ hasPlans: true, packageJson: '{ "name": "app", ' }, OPTIONS);
  assert.equal(change(s, 'package.json'), undefined);
  assert.equal(change(s, 'vendor/instrument-first-0.1.0.tgz'), undefined);
  assert.equal(s.needsInstall, false);
  assert.match(s.advice.join('\n'), /package\.json is not valid JSON.*"instrument-first": "file:vendor\/instrument-first-0\.1\.0\.tgz"/);
});

test('scaffold: a published version spec needs no vendored tarball', () => {
  const s = planScaffold({ hasPlans: true, packageJson: '{"name":"a"}' }, { ...OPTIONS, runtimeSpec: '^0.1.0', vendor: undefined });
  assert.deepEqual(s.changes.map((c) => c.path), ['package.json', 'tsconfig.json', '.gitignore', '.vscode/launch.json']);
  assert.equal((json(change(s, 'package.json')?.content).devDependencies as Record<string, string>)['instrument-first'], '^0.1.0');
});

test('npmName: folder names become valid package names', () => {
  assert.equal(npmName('My Project'), 'my-project');
  assert.equal(npmName('.hidden__Thing!!'), 'hidden__thing');
  assert.equal(npmName('???'), 'plans');
});
