import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cliError';

/** Exit code of every command for bad options or arguments. */
export const USAGE_EXIT = 2;

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof HELP_OPTION }>>;

/**
 * The one preamble of every command: parses `argv` with `options` plus `--help`/`-h`; a bad option
 * is a usage error naming the command and followed by its help; `--help` prints the help and
 * gives `undefined` (the command then exits 0).
 */
export function parseCommandArgs<const O extends Options>(command: string, help: string, argv: string[], options: O): Parsed<O> | undefined {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...options, ...HELP_OPTION } }) as Parsed<O>;
  } catch (err) {
    throw new CliError(`${command}: ${(err as Error).message}\n\n${help}`, USAGE_EXIT);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return undefined;
  }
  return parsed;
}
