import { relative, resolve } from 'node:path';
import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';
import { parseCommandArgs } from '../commandArgs';
import { ownRuntime } from '../../project/runtimeInstall';
import { describeSetUp, setUpProject } from '../../project/setUpProject';
import { EXAMPLE_PLAN_PATH } from '../../project/exampleFiles';

const HELP = `Usage: instrument-first init [dir] [options]

Sets up a project (dir, default: the current folder) for plans, adding only what is missing:
the runtime as a dev dependency (from this package's tarball, copied into vendor/ until it is
published), typescript and @types/node, an example plan in plans/, a tsconfig.json, .instrument-first/
in .gitignore and a VS Code launch configuration; then runs npm install. Says what it changed.

Options:
  --runtime SPEC   depend on SPEC instead (a .tgz path, or a version range such as ^0.1.0)
  --no-install     do not run npm install
`;

export const initCommand: CliCommand = {
  summary: 'set up a project for plans: runtime dependency, example plan, tsconfig, .gitignore, launch config',
  async run(argv) {
    const parsed = parseCommandArgs('init', HELP, argv, {
      runtime: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 1) throw new CliError(`init: expected at most one folder\n\n${HELP}`, 2);
    const dir = resolve(positionals[0] ?? '.');
    const shown = relative(process.cwd(), dir) || '.';
    const result = await setUpProject({
      dir,
      own: ownRuntime(),
      ...(values.runtime ? { runtime: values.runtime } : {}),
      install: !values['no-install'],
      log: (line) => process.stderr.write(line + '\n'),
    });
    process.stdout.write(`instrument-first init ${shown}\n${describeSetUp(result).map((l) => `  ${l}`).join('\n')}\n`);
    if (result.install && !result.install.ok) return 1;
    const cd = shown === '.' ? '' : `cd ${shown} && `;
    process.stdout.write(`\nNext: ${cd}npx instrument-first run ${EXAMPLE_PLAN_PATH}   (or open the folder in VS Code and use the Run CodeLens)\n`);
    return 0;
  },
};
