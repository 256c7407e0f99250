import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, RULES } from '../../linter/ruleCatalog';
import type { Finding, Severity, SourceRange } from '../../protocol/lintTypes';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.startLine, r.startColumn, r.endLine, r.endColumn);
}

/**
 * A finding as a diagnostic: source `instrument-first`, the rule id as code linking to the rule's
 * page inside the installed extension (`packageRoot`/docs/rules/<rule>.md: works offline).
 */
export function toDiagnostic(f: Finding, packageRoot: vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, SEVERITY[f.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: f.rule, target: vscode.Uri.joinPath(packageRoot, ...RULES[f.rule].docsPath.split('/')) };
  return d;
}
