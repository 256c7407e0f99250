import type { CliCommand } from './cliCommand';
import { runCommand } from './commands/run';
import { demoCommand } from './commands/demo';
import { collectorCommand } from './commands/collector';
import { runsCommand, showCommand, diffCommand } from './commands/query';
import { importCommand } from './commands/import';
import { fetchCommand } from './commands/fetchTrace';
import { baselineCommand } from './commands/baseline';
import { checkCommand } from './commands/check';
import { initCommand } from './commands/init';

const LINT_SUMMARY = 'report procedures whose traces will miss something (text, json or SARIF); exit 1 on errors';

/** Every CLI command, by name. */
export const commands: Record<string, CliCommand> = {
  run: runCommand,
  demo: demoCommand,
  collector: collectorCommand,
  runs: runsCommand,
  show: showCommand,
  diff: diffCommand,
  lint: lazy(LINT_SUMMARY, async () => (await import('./commands/lint')).lintCommand),
  import: importCommand,
  fetch: fetchCommand,
  baseline: baselineCommand,
  check: checkCommand,
  init: initCommand,
};

/**
 * A command whose module loads when it runs: `lint` pulls in ts-morph (~0.6 s of start-up), which
 * `run` — what every Run in VS Code starts — never needs.
 */
function lazy(summary: string, load: () => Promise<CliCommand>): CliCommand {
  return { summary, run: async (args) => (await load()).run(args) };
}

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: instrument-first <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "instrument-first <command> --help" for a command's options.\n`;
}
