import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../../linter/ruleCatalog';
import type { Fix } from '../../protocol/lintTypes';
import type { FixStore } from './fixStore';
import { toRange } from './lintDiagnostics';

/** Offers the fixes stored with the findings under the cursor; computes nothing itself. */
export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: FixStore) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.store.get(doc.uri.toString(), doc.version, doc.isDirty);
    const actions: vscode.CodeAction[] = [];
    for (const f of findings) {
      const fRange = toRange(f.range);
      if (!fRange.intersection(range) && !fRange.contains(range.start)) continue;
      const diagnostic = context.diagnostics.find((d) => d.source === DIAGNOSTIC_SOURCE && d.range.isEqual(fRange) && codeOf(d) === f.rule);
      for (const fix of f.fixes) actions.push(this.action(doc, fix, diagnostic));
    }
    return actions;
  }

  private action(doc: vscode.TextDocument, fix: Fix, diagnostic: vscode.Diagnostic | undefined): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    const edit = new vscode.WorkspaceEdit();
    for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
    a.edit = edit;
    if (diagnostic) a.diagnostics = [diagnostic];
    a.isPreferred = fix.preferred === true;
    return a;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (typeof c === 'object' && c !== null) return String(c.value);
  return c === undefined ? undefined : String(c);
}
