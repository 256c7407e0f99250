import type { CliCommand } from '../cliCommand';
import { CliError } from '../cliError';

// Placeholders until the collector's query commands land.
const notYet = (name: string): CliCommand => ({
  summary: '(not available yet)',
  run: () => Promise.reject(new CliError(`${name}: not available yet`, 2)),
});
export const runsCommand = notYet('runs');
export const showCommand = notYet('show');
export const diffCommand = notYet('diff');
