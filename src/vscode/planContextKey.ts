import * as vscode from 'vscode';
import type { PlanFinder } from './planFinder';

/** Sets `instrumentFirst.planFile` while the active editor holds a plan (for the editor title's Run button). */
export class PlanContextKey implements vscode.Disposable {
  private value: boolean | undefined;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly finder: PlanFinder) {
    this.listeners = [
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidSaveTextDocument((d) => d === vscode.window.activeTextEditor?.document && this.update()),
    ];
    this.update();
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const isPlan = !!doc && (doc.languageId === 'typescript' || doc.languageId === 'javascript') && this.finder.scanDocument(doc).plans.length > 0;
    if (isPlan === this.value) return;
    this.value = isPlan;
    void vscode.commands.executeCommand('setContext', 'instrumentFirst.planFile', isPlan);
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
  }
}
