import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';

// Placeholder until the collector command lands.
export const collectorCommand: CliCommand = {
  summary: '(not available yet)',
  run: () => Promise.reject(new CliError('collector: not available yet', 2)),
};
