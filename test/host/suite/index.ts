// The extensionTestsPath module: VS Code calls run() inside the extension host once the workbench is
// up. Loads every *.test.js below this folder, runs the registered suites one test at a time and
// reports the failure count through run()'s callback (VS Code turns a non-zero count into exit
// code 1 without printing anything more), so the last line printed is `N passed, N failed`.
// Env: HOST_TEST_GREP=<substring of "suite › test"> runs only matching tests.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { registry, type RegisteredSuite, type TestFn } from './harness';

const DEFAULT_TIMEOUT_MS = 30_000;

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTestFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

class Timeout extends Error {}

async function withTimeout(fn: TestFn, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  if (err instanceof Timeout) return err.message;
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return inspect(err);
}

function indent(text: string): string {
  return text.replace(/^/gm, '      ');
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

async function runHooks(hooks: TestFn[], ms: number, what: string): Promise<void> {
  for (const hook of hooks) await withTimeout(hook, ms, what);
}

async function runSuite(s: RegisteredSuite, grep: string | undefined, counts: Counts, log: (line: string) => void): Promise<void> {
  const tests = s.tests.filter((t) => !grep || `${s.name} › ${t.name}`.includes(grep));
  if (tests.length === 0) return;
  const suiteTimeout = s.timeout ?? DEFAULT_TIMEOUT_MS;
  log(`\n${s.name}`);
  const fail = (name: string, err: unknown, ms?: number): void => {
    counts.failed++;
    const text = describe(err);
    counts.failures.push(`${s.name} › ${name}\n${indent(text)}`);
    log(`  ✗ ${name}${ms === undefined ? '' : ` (${ms} ms)`}\n${indent(text)}`);
  };
  try {
    await runHooks(s.suiteSetup, suiteTimeout, 'suiteSetup');
  } catch (err) {
    for (const t of tests) fail(t.name, err);
    return;
  }
  for (const t of tests) {
    if (t.skip) {
      counts.skipped++;
      log(`  - ${t.name} (skipped)`);
      continue;
    }
    const started = Date.now();
    const timeout = t.timeout ?? suiteTimeout;
    try {
      await runHooks(s.setup, timeout, 'setup');
      await withTimeout(t.fn, timeout, 'test');
      await runHooks(s.teardown, timeout, 'teardown');
      counts.passed++;
      log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      fail(t.name, err, Date.now() - started);
      await runHooks(s.teardown, timeout, 'teardown').catch((e: unknown) => log(indent(`teardown after failure: ${describe(e)}`)));
    }
  }
  try {
    await runHooks(s.suiteTeardown, suiteTimeout, 'suiteTeardown');
  } catch (err) {
    fail('suiteTeardown', err);
  }
}

async function runAll(testsDir: string): Promise<number> {
  const log = (line: string): void => console.log(line);
  const grep = process.env.HOST_TEST_GREP || undefined;
  const started = Date.now();
  const counts: Counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const file of findTestFiles(testsDir)) {
    registry.file = relative(testsDir, file);
    try {
      // Synchronous on purpose: the file registers its suites while registry.file names it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    } catch (err) {
      counts.failed++;
      counts.failures.push(`loading ${registry.file}\n${indent(describe(err))}`);
      log(`✗ could not load ${registry.file}\n${indent(describe(err))}`);
    }
  }
  for (const s of registry.suites) await runSuite(s, grep, counts, log);
  const total = counts.passed + counts.failed;
  if (total === 0 && counts.failures.length === 0) {
    counts.failed++;
    counts.failures.push(grep ? `no test matches HOST_TEST_GREP=${grep}` : 'no tests found');
  }
  if (counts.failures.length > 0) log(`\nFailures:\n${counts.failures.map((f, i) => `${i + 1}) ${f}`).join('\n')}`);
  log(`\nhost suite: ${((Date.now() - started) / 1000).toFixed(1)} s${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
  log(`${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed;
}

/**
 * VS Code's test-runner contract, callback form: `done(error)` or `done(undefined, failures)`.
 * Returning a promise instead would make VS Code report success as soon as it resolves.
 */
export function run(_testsRoot: string, done: (error: unknown, failures?: number) => void): void {
  runTestsIn(__dirname, done);
}

/** Runs the *.test.js files below `testsDir` (another suite folder, e.g. ../ownProject, reuses this runner). */
export function runTestsIn(testsDir: string, done: (error: unknown, failures?: number) => void): void {
  runAll(testsDir).then(
    (failures) => done(undefined, failures),
    (err: unknown) => done(err),
  );
}
