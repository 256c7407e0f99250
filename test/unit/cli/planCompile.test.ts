import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compilePlanSource, relativeImports, warmPlanCache } from '../../../src/project/planCompile';
import { Env } from '../../../src/protocol/envVars';

const WS = resolve('sample-workspace');

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'plan-compile-'));
}

test('a cached compile is used as it is (no esbuild), a changed source compiles again', () => {
  const dir = scratch();
  try {
    const file = join(dir, 'p.ts');
    const source = 'export class A { x: number = 1 }\n';
    const fresh = compilePlanSource(source, file);
    assert.equal(compilePlanSource(source, file, join(dir, 'cache')), fresh, 'the same output as without a cache');
    const entry = readdirSync(join(dir, 'cache'))[0] ?? '';
    assert.ok(entry.endsWith('.js'));
    // Mark the entry: a hit returns the stored text, so this proves no compile happened.
    writeFileSync(join(dir, 'cache', entry), '/* from the cache */');
    assert.equal(compilePlanSource(source, file, join(dir, 'cache')), '/* from the cache */');
    // Another content (or another path) is another entry.
    assert.notEqual(compilePlanSource(source + '// edited\n', file, join(dir, 'cache')), '/* from the cache */');
    assert.notEqual(compilePlanSource(source, join(dir, 'q.ts'), join(dir, 'cache')), '/* from the cache */');
    assert.equal(readdirSync(join(dir, 'cache')).filter((n) => n.endsWith('.js')).length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable cache folder costs a compile, not the run', () => {
  const dir = scratch();
  try {
    writeFileSync(join(dir, 'not-a-folder'), '');
    const out = compilePlanSource('const a: number = 1;\n', join(dir, 'p.ts'), join(dir, 'not-a-folder'));
    assert.match(out, /const a = 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('relative imports of a plan: from, side-effect, dynamic and require forms; packages left out', () => {
  const src = [
    "import type { Plan } from 'instrument-first';",
    "import { SimulatedCloud } from '../cloud/simulatedCloud';",
    "import './setup';",
    "const m = await import('./lazy.ts');",
    "const r = require(\"../x/y\");",
    "export * from './again';",
  ].join('\n');
  assert.deepEqual(relativeImports(src), ['../cloud/simulatedCloud', './setup', './lazy.ts', '../x/y', './again']);
});

test('the warm-up compiles a plan and the .ts files it imports into exactly what the runner would compile', async () => {
  const cache = scratch();
  try {
    const plan = join(WS, 'plans', 'create-cluster.ts');
    const r = await warmPlanCache([plan], cache);
    // create-cluster.ts and the three cloud/ files it imports (directly or through each other).
    assert.equal(r.compiled, 4, JSON.stringify(r));
    for (const f of [plan, ...readdirSync(join(WS, 'cloud')).map((n) => join(WS, 'cloud', n))]) {
      const source = readFileSync(f, 'utf8');
      const entries = readdirSync(cache).length;
      assert.equal(compilePlanSource(source, f, cache), compilePlanSource(source, f), `${f}: cached = fresh`);
      assert.equal(readdirSync(cache).length, entries, `${f} was a hit`);
    }
    assert.deepEqual(await warmPlanCache([plan], cache), { compiled: 0, cached: 4 });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('the CLI runs a plan from the cache the extension passes, and fills it on a miss', () => {
  const dir = scratch();
  try {
    mkdirSync(join(dir, 'plans'));
    const plan = join(dir, 'plans', 'tiny.ts');
    writeFileSync(plan, "export default { name: 'tiny', create(): never[] { return []; } };\n");
    const cache = join(dir, 'cache');
    const run = () =>
      spawnSync(process.execPath, [resolve('dist/cli.js'), 'run', plan, '--json', '--log', 'none'], {
        cwd: dir,
        env: { ...process.env, [Env.planCache]: cache, [Env.otlpEndpoint]: '' },
        encoding: 'utf8',
      });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).outcome, 'converged');
    const entry = readdirSync(cache)[0] ?? '';
    assert.ok(entry.endsWith('.js'));
    // The entry is what runs: a changed entry changes the plan the CLI loads.
    writeFileSync(join(cache, entry), "exports.default = { name: 'from-cache', create() { return []; } };\n");
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).plan, 'from-cache');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
