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

  /**
   * When the CodeLens provider answered (epoch ms), for which finished runs, and the fire VS Code
   * asked after (the latest before this ask), newest last (at most 20).
   */
  readonly codeLensAnswers: Array<{ atEpochMs: number; traceIds: string[]; afterFireAt: number | undefined }> = [];
  /** When a run's final summary was computed in the extension host (epoch ms), newest last (at most 20). */
  readonly completedAt: Array<{ traceId: string; atEpochMs: number }> = [];
  /** When onDidChangeCodeLenses was fired (epoch ms), newest last (at most 50). */
  readonly codeLensFires: number[] = [];

  noteCodeLensAnswer(traceIds: string[], afterFireAt: number | undefined): void {
    this.codeLensAnswers.push({ atEpochMs: epochNow(), traceIds, afterFireAt });
    if (this.codeLensAnswers.length > 20) this.codeLensAnswers.shift();
  }

  noteCompleted(traceIds: readonly string[]): void {
    const at = epochNow();
    for (const traceId of traceIds) this.completedAt.push({ traceId, atEpochMs: at });
    while (this.completedAt.length > 20) this.completedAt.shift();
  }

  noteCodeLensFired(): void {
    this.codeLensFires.push(epochNow());
    if (this.codeLensFires.length > 50) this.codeLensFires.shift();
  }

  /** Epoch ms of the latest settled store change (a run finished and reached the views). */
  settledAtEpochMs = 0;

  noteSettled(): void {
    this.settledAt = performance.now();
    this.settledAtEpochMs = performance.timeOrigin + this.settledAt;
  }

  noteCodeLensProvided(): void {
    if (this.settledAt === undefined) return;
    this.lastCodeLensRefreshMs = performance.now() - this.settledAt;
    this.settledAt = undefined;
    this.codeLensRefreshes++;
  }
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
