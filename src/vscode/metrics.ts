/** Timings the extension measures about itself, read by the host tests and the bench. */
export class Metrics {
  activationMs = 0;
  /** Construction time of each part built during activation, in build order. */
  readonly activationParts: Array<[string, number]> = [];
  /** When the latest settled store change (a run finished) was seen, performance.now(). */
  settledAt: number | undefined;
  /** From a settled change to the CodeLens provider having answered with the new data. */
  lastCodeLensRefreshMs: number | undefined;
  codeLensRefreshes = 0;
  /** Time our CodeLens provider took for its latest answer. */
  lastProvideMs = 0;

  noteSettled(): void {
    this.settledAt = performance.now();
  }

  noteCodeLensProvided(): void {
    if (this.settledAt === undefined) return;
    this.lastCodeLensRefreshMs = performance.now() - this.settledAt;
    this.settledAt = undefined;
    this.codeLensRefreshes++;
  }
}
