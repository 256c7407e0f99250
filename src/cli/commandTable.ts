import type { CliCommand } from './cliCommand';
import { runCommand } from './commands/run';
import { demoCommand } from './commands/demo';
import { collectorCommand } from './commands/collector';
import { runsCommand, showCommand, diffCommand } from './commands/query';
import { lintCommand } from './commands/lint';
import { importCommand } from './commands/import';
import { fetchCommand } from './commands/fetchTrace';
import { baselineCommand } from './commands/baseline';
import { checkCommand } from './commands/check';
import { initCommand } from './commands/init';

/** Every CLI command, by name. */
export const commands: Record<string, CliCommand> = {
  run: runCommand,
  demo: demoCommand,
  collector: collectorCommand,
  runs: runsCommand,
  show: showCommand,
  diff: diffCommand,
  lint: lintCommand,
  import: importCommand,
  fetch: fetchCommand,
  baseline: baselineCommand,
  check: checkCommand,
  init: initCommand,
};

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: instrument-first <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "instrument-first <command> --help" for a command's options.\n`;
}
