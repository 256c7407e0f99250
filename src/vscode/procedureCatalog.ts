import * as vscode from 'vscode';
import type { ProcedureLocation } from '../timelineModel/codeTarget';
import { locateProcedures } from '../timelineModel/doLocator';
import { missingFromScan } from '../views/lintIndex';
import type { PlanScan } from '../views/planScan';
import type { LintIndexSource, StaticProcedure } from './lintIndexSource';
import type { PlanFinder } from './planFinder';

export type { StaticProcedure };

/**
 * The one answer to "where are the plans and procedures": the quick text scan (PlanFinder), upgraded
 * by the linter's index once its worker has analysed the workspace (structural classes, exact
 * `do()` ranges, coverage). Feeds CodeLens and hovers (per document), the Procedures view (the
 * workspace) and the timeline's Go to code (locations).
 */
export class ProcedureCatalog implements vscode.Disposable {
  private index: LintIndexSource | undefined;
  private indexListener: vscode.Disposable | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor(private readonly finder: PlanFinder) {
    this.listener = finder.onDidChange(() => this.changed.fire());
  }

  /** The lint feature plugs its index in; disposing the result falls back to the text scan. */
  useIndex(index: LintIndexSource): vscode.Disposable {
    this.indexListener?.dispose();
    this.index = index;
    // Re-read the index after each analysis (documentScan reads its latest answer synchronously).
    const refresh = () => void index.procedures().then(() => this.index === index && this.changed.fire(), () => undefined);
    this.indexListener = index.onDidChange(refresh);
    refresh();
    return new vscode.Disposable(() => {
      if (this.index !== index) return;
      this.index = undefined;
      this.indexListener?.dispose();
      this.indexListener = undefined;
      this.changed.fire();
    });
  }

  /** True once the linter's index answers. */
  get precise(): boolean {
    return this.index !== undefined;
  }

  /** Plans and procedures of one open document: its text scan plus what only the index found. */
  documentScan(doc: vscode.TextDocument): PlanScan {
    const scan = this.finder.scanDocument(doc);
    const extra = this.index && !doc.isDirty ? missingFromScan(this.index.proceduresIn(doc.uri.fsPath), scan.procedures) : [];
    return extra.length ? { ...scan, procedures: [...scan.procedures, ...extra] } : scan;
  }

  /** Every procedure of the workspace (the Procedures view). */
  async workspaceProcedures(): Promise<StaticProcedure[]> {
    if (this.index) return this.index.procedures();
    const out: StaticProcedure[] = [];
    for (const { uri, scan } of await this.finder.scanWorkspace()) for (const procedure of scan.procedures) out.push({ procedure, uri });
    return out;
  }

  /** Where each procedure's `do()` is: the index's exact ranges, else located in the scanned text. */
  async locations(): Promise<readonly ProcedureLocation[]> {
    const exact = this.index ? await this.index.locations() : undefined;
    if (exact?.length) return exact;
    const out: ProcedureLocation[] = [];
    for (const { uri, scan } of await this.finder.scanWorkspace()) {
      if (!scan.procedures.length) continue;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      out.push(...locateProcedures(uri.fsPath, text, scan.procedures));
    }
    return out;
  }

  dispose(): void {
    this.indexListener?.dispose();
    this.listener.dispose();
    this.changed.dispose();
  }
}
