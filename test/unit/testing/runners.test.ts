import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

// Each runner runs the same scenario (test/fixtures/runners/<runner>/traces.test.{cjs,mjs}): several
// runs at once in one process without cross-talk, spans from the global OTel API inside steps, and a
// readable failure. The fixtures import instrument-first/testing through the package's exports (dist/).
const FIXTURES = resolve('test/fixtures/runners');
const BIN = (name: string, file: string) => resolve('node_modules', name, file);

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true', ...env };
    // node:test marks its child processes; a runner started from a test must not think it is one.
    delete childEnv.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, args, { cwd: resolve('.'), env: childEnv });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => done({ code, out }));
  });
}

test('node:test runs the trace tests in CommonJS and ESM', async () => {
  const r = await run(['--test', `${FIXTURES}/node-test/traces.test.cjs`, `${FIXTURES}/node-test/traces.test.mjs`]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^# pass 4$/m);
  assert.match(r.out, /^# fail 0$/m);
});

test('Mocha runs the trace tests in CommonJS and ESM', async () => {
  const r = await run([BIN('mocha', 'bin/mocha.js'), `${FIXTURES}/mocha/traces.test.cjs`, `${FIXTURES}/mocha/traces.test.mjs`]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /4 passing/);
  assert.match(r.out, /mocha CJS: several runs at once/);
  assert.match(r.out, /mocha MJS: several runs at once/);
});

test('Jest runs the trace tests in CommonJS and ESM (ESM with its vm-modules flag)', async () => {
  const r = await run(
    ['--experimental-vm-modules', BIN('jest', 'bin/jest.js'), '--rootDir', `${FIXTURES}/jest`, '--testMatch', '**/*.test.{cjs,mjs}', '--moduleFileExtensions', 'js', 'cjs', 'mjs', '--ci', '--verbose'],
  );
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Tests:\s+4 passed, 4 total/);
  assert.match(r.out, /PASS .*traces\.test\.cjs/);
  assert.match(r.out, /PASS .*traces\.test\.mjs/);
});

test('Vitest runs the trace tests in CommonJS (require, globals) and ESM', async () => {
  const r = await run([BIN('vitest', 'vitest.mjs'), 'run', '--root', `${FIXTURES}/vitest`, '--globals']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Tests\s+4 passed \(4\)/);
  assert.match(r.out, /traces\.test\.cjs \(2 tests\)/);
  assert.match(r.out, /traces\.test\.mjs \(2 tests\)/);
});

test('the package exports give instrument-first/testing its type declarations (Node16 resolution)', async () => {
  const r = await run([BIN('typescript', 'bin/tsc'), '-p', `${FIXTURES}/types/tsconfig.json`]);
  assert.equal(r.code, 0, r.out);
});

test("the sample workspace's trace tests catch both incidents (Vitest, TypeScript)", async () => {
  const r = await run([BIN('vitest', 'vitest.mjs'), 'run', 'sample-workspace/tests'], { SAMPLE_TIME_SCALE: '0.05' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /incidents\.test\.ts \(4 tests\)/);
  assert.match(r.out, /Tests\s+4 passed \(4\)/);
});
