import * as vscode from 'vscode';
import type { CoverageReport, IndexSnapshot } from '../protocol/lintMessages';
import { proceduresFromIndex, type IndexedProcedure } from '../views/lintIndex';
import type { ProcedureIndexSource, StaticProcedure } from './proceduresView';

/** The part of the lint worker client this needs (the lint feature owns the client). */
export interface LintIndexClient {
  request(body: { type: 'getIndex' }): Promise<IndexSnapshot>;
  request(body: { type: 'getCoverage'; executedIds?: string[]; executedTypes?: string[] }): Promise<CoverageReport>;
}

/**
 * The linter's index as the Procedures view's source and as extra CodeLens positions. The lint
 * feature wires it with one line:
 *   `own(s.proceduresView.setIndexSource(own(new LintIndexSource(client, onDidAnalyse))))`
 * and by `s.data.setStaticIndex(source)` for lenses over procedures the text scan misses.
 */
export class LintIndexSource implements ProcedureIndexSource, vscode.Disposable {
  private latest: IndexedProcedure[] = [];
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
    this.latest = proceduresFromIndex(index, coverage);
    return this.latest.map((p) => ({ procedure: p.procedure, uri: vscode.Uri.file(p.file), ...(p.instrumented !== undefined ? { instrumented: p.instrumented } : {}) }));
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
