import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';

// Placeholder until the demo command lands.
export const demoCommand: CliCommand = {
  summary: '(not available yet)',
  run: () => Promise.reject(new CliError('demo: not available yet', 2)),
};
