import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';

// Placeholder until the lint command lands.
export const lintCommand: CliCommand = {
  summary: '(not available yet)',
  run: () => Promise.reject(new CliError('lint: not available yet', 2)),
};
