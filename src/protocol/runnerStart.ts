/**
 * A runner process started ahead of a Run: `node cli.js --await-command` loads the CLI and waits
 * for one line of JSON on its stdin, then runs that command as if it had been started with it.
 * The extension starts one while a plan is open, so a Run does not wait for Node and the CLI to load.
 */
export const AWAIT_COMMAND_FLAG = '--await-command';

/** The one line a waiting runner reads: the command line, the environment changes and the folder. */
export interface RunnerStart {
  /** The CLI's arguments, as after `cli.js` (e.g. `['run', 'plans/a.ts', '--max-passes', '10']`). */
  argv: string[];
  /** Set these variables; `null` removes an inherited one. */
  env: Record<string, string | null>;
  /** The working folder of the command. */
  cwd?: string;
}
