/** One command of the `instrument-first` CLI. `run` resolves to the process exit code. */
export interface CliCommand {
  summary: string;
  run(args: string[]): Promise<number>;
}
