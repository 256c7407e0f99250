// extensionTestsPath of the second host run: VS Code opened on an empty folder outside the
// repository (runHostTests.ts makes it), where the tests set up a project from nothing.
import { runTestsIn } from '../suite/index';

export function run(_testsRoot: string, done: (error: unknown, failures?: number) => void): void {
  runTestsIn(__dirname, done);
}
