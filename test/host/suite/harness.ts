// A tiny test API for the extension-host suite (no mocha here): suites of tests with hooks, run
// one after another by index.ts. Test files register at load time:
//   import { suite, test } from './harness';
//   suite('commands', () => { test('run plan', async () => { … }, { timeout: 60_000 }); });

export type TestFn = () => void | Promise<void>;

export interface TestOptions {
  /** Milliseconds before the test fails as timed out (default: the suite's, else 30 s). */
  timeout?: number;
  /** Skipped tests are reported but not run. */
  skip?: boolean;
}

export interface RegisteredTest extends TestOptions {
  name: string;
  fn: TestFn;
}

export interface RegisteredSuite {
  name: string;
  file: string;
  timeout?: number;
  tests: RegisteredTest[];
  suiteSetup: TestFn[];
  suiteTeardown: TestFn[];
  setup: TestFn[];
  teardown: TestFn[];
}

/** What the test files registered, in order; index.ts reads and runs it. */
export const registry = {
  suites: [] as RegisteredSuite[],
  current: undefined as RegisteredSuite | undefined,
  file: '',
};

function currentSuite(what: string): RegisteredSuite {
  if (registry.current) return registry.current;
  // A test outside any suite goes into an implicit suite named after its file.
  const last = registry.suites.at(-1);
  if (last && last.file === registry.file && last.name === registry.file) return last;
  if (what !== 'test') throw new Error(`${what}() must be called inside suite()`);
  const implicit = newSuite(registry.file);
  registry.suites.push(implicit);
  return implicit;
}

function newSuite(name: string, options: { timeout?: number } = {}): RegisteredSuite {
  return { name, file: registry.file, ...options, tests: [], suiteSetup: [], suiteTeardown: [], setup: [], teardown: [] };
}

/** Groups tests; `body` registers them synchronously. Suites do not nest. */
export function suite(name: string, body: () => void, options: { timeout?: number } = {}): void {
  if (registry.current) throw new Error(`suite('${name}') inside suite('${registry.current.name}'): suites do not nest`);
  const s = newSuite(name, options);
  registry.suites.push(s);
  registry.current = s;
  try {
    body();
  } finally {
    registry.current = undefined;
  }
}

export function test(name: string, fn: TestFn, options: TestOptions = {}): void {
  currentSuite('test').tests.push({ name, fn, ...options });
}

/** Runs once before the suite's first test; if it fails, the suite's tests fail without running. */
export function suiteSetup(fn: TestFn): void {
  currentSuite('suiteSetup').suiteSetup.push(fn);
}
export function suiteTeardown(fn: TestFn): void {
  currentSuite('suiteTeardown').suiteTeardown.push(fn);
}
/** Runs before each test of the suite. */
export function setup(fn: TestFn): void {
  currentSuite('setup').setup.push(fn);
}
export function teardown(fn: TestFn): void {
  currentSuite('teardown').teardown.push(fn);
}
