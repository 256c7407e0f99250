import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';

// Placeholder until the run command lands.
export const runCommand: CliCommand = {
  summary: '(not available yet)',
  run: () => Promise.reject(new CliError('run: not available yet', 2)),
};
