import { commands, usage } from './commandTable';
import { CliError } from './cliError';
import { ownRuntime } from '../project/runtimeInstall';
import { awaitCommand } from './awaitCommand';
import { AWAIT_COMMAND_FLAG } from '../protocol/runnerStart';

/** Entry of the `instrument-first` command: dispatches to the command table. */
async function main(argv: string[]): Promise<number> {
  // Started ahead of a Run (the extension's runner pool): the command comes on stdin.
  if (argv.length === 1 && argv[0] === AWAIT_COMMAND_FLAG) argv = await awaitCommand();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`instrument-first: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

declare const VERSION_DEFINE: string | undefined;
const VERSION = typeof VERSION_DEFINE === 'string' ? VERSION_DEFINE : ownRuntime().version;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const verbose = process.argv.includes('--verbose');
    if (err instanceof CliError) {
      process.stderr.write(`instrument-first: ${err.message}\n`);
      if (verbose && err.cause instanceof Error && err.cause.stack) process.stderr.write(err.cause.stack + '\n');
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`instrument-first: ${err instanceof Error ? (verbose ? err.stack : err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
