import * as vscode from 'vscode';
import type { CoverageReport, IndexSnapshot } from '../protocol/lintMessages';
import { proceduresFromIndex, type IndexedProcedure } from '../views/lintIndex';
import type { ProcedureLocation } from '../timelineModel/codeTarget';
import type { ScannedProcedure } from '../views/planScan';

/** One procedure of the workspace as the catalog knows it. */
export interface StaticProcedure {
  procedure: ScannedProcedure;
  uri: vscode.Uri;
  /** False when the linter finds it records nothing on its span; undefined when unknown. */
  instrumented?: boolean;
}

/** The part of the lint worker client this needs (the lint feature owns the client). */
export interface LintIndexClient {
  request(body: { type: 'getIndex' }): Promise<IndexSnapshot>;
  request(body: { type: 'getCoverage'; executedIds?: string[]; executedTypes?: string[] }): Promise<CoverageReport>;
}

/**
 * The linter's index as the procedure catalog's precise source: the workspace's procedures with
 * coverage, extra CodeLens positions, and exact `do()` ranges. The lint feature plugs it into the
 * catalog with `s.catalog.useIndex(index)`.
 */
export class LintIndexSource implements vscode.Disposable {
  private latest: IndexedProcedure[] = [];
  private snapshot: IndexSnapshot | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly client: LintIndexClient,
    onDidAnalyse: vscode.Event<unknown>,
  ) {
    this.listener = onDidAnalyse(() => this.changed.fire());
  }

  async procedures(): Promise<StaticProcedure[]> {
    const [index, coverage] = await Promise.all([this.client.request({ type: 'getIndex' }), this.client.request({ type: 'getCoverage' })]);
    this.snapshot = index;
    this.latest = proceduresFromIndex(index, coverage);
    return this.latest.map((p) => ({ procedure: p.procedure, uri: vscode.Uri.file(p.file), ...(p.instrumented !== undefined ? { instrumented: p.instrumented } : {}) }));
  }

  /** Exact `do()` ranges of every procedure (the index's ProcedureInfo is a ProcedureLocation). */
  async locations(): Promise<ProcedureLocation[]> {
    this.snapshot = await this.client.request({ type: 'getIndex' });
    return this.snapshot.procedures;
  }

  /** The index's procedures of one file, as of the last refresh (synchronous, for CodeLens). */
  proceduresIn(file: string): IndexedProcedure[] {
    return this.latest.filter((p) => p.file === file);
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
