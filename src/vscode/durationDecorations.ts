import * as vscode from 'vscode';
import { procedureLensText, runOutcomeText } from '../views/format';
import { showsDecorations } from '../views/settings';
import type { Config } from './config';
import type { RunData } from './runData';
import { Throttle } from './throttle';

/** End-of-line durations after plan and procedure declarations (they do not shift code as CodeLens do). */
export class DurationDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly throttle = new Throttle(400, () => this.updateAll());
  private readonly registrations: vscode.Disposable[];

  constructor(
    private readonly data: RunData,
    private readonly config: Config,
  ) {
    this.registrations = [
      data.onDidChange((e) => (e.runsSettled ? this.throttle.now() : this.throttle.trigger())),
      config.onDidChange(() => this.throttle.now()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.throttle.now()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) this.throttle.trigger();
      }),
    ];
    this.updateAll();
  }

  private updateAll(): void {
    const on = showsDecorations(this.config.settings.inline.mode);
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.type, on ? this.decorationsFor(editor.document) : []);
  }

  /** The decorations of one document (public for tests). */
  decorationsFor(doc: vscode.TextDocument): vscode.DecorationOptions[] {
    if (doc.languageId !== 'typescript' && doc.languageId !== 'javascript') return [];
    const model = this.data.documentModel(doc);
    if (!model) return [];
    const out: vscode.DecorationOptions[] = [];
    const at = (line: number, text: string) => {
      if (line >= doc.lineCount) return;
      const end = doc.lineAt(line).range.end;
      out.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `  ${text}` } } });
    };
    for (const { plan, run } of model.plans) if (run) at(plan.line, runOutcomeText(run));
    for (const { planClass, run } of model.planClasses) if (run) at(planClass.line, runOutcomeText(run));
    for (const { procedure, stats } of model.procedures) if (stats) at(procedure.line, procedureLensText(stats));
    return out;
  }

  dispose(): void {
    this.throttle.dispose();
    for (const r of this.registrations) r.dispose();
    this.type.dispose();
  }
}
