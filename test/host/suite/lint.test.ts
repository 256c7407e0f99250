import { existsSync } from 'node:fs';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, openFile, waitFor, waitForDiagnostics } from './helpers';
import { suite, test, teardown } from './harness';

const SOURCE = 'instrument-first';

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

async function fixesAt(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, d.range);
  return actions.filter((a): a is vscode.CodeAction => 'edit' in a && a.edit !== undefined);
}

/** Reverts the active editor's unsaved changes: the sample workspace is never modified on disk. */
async function revert(editor: vscode.TextEditor): Promise<void> {
  await vscode.window.showTextDocument(editor.document);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(() => !editor.document.isDirty, { message: 'the document reverted' });
}

suite(
  'linter in VS Code: diagnostics and quick fixes',
  () => {
    teardown(closeAllEditors);

    test('a plan file gets diagnostics with rule codes linking to their docs', async () => {
      await activateExtension();
      const editor = await openFile('plans/create-cluster.ts');
      const uri = editor.document.uri;
      await waitForDiagnostics(uri, SOURCE, { timeout: 60_000 });
      const diags = await waitFor(() => {
        const d = ours(uri);
        return ['uninstrumented-procedure', 'untraced-external-call', 'swallowed-error'].every((c) => d.some((x) => codeOf(x) === c)) ? d : undefined;
      }, { message: 'the three planted findings', timeout: 30_000 });
      const swallowed = diags.find((d) => codeOf(d) === 'swallowed-error')!;
      assert.equal(editor.document.lineAt(swallowed.range.start.line).text.trim().startsWith('} catch'), true, 'on the catch clause');
      assert.equal(swallowed.severity, vscode.DiagnosticSeverity.Error);
      const egress = diags.find((d) => codeOf(d) === 'uninstrumented-procedure')!;
      assert.match(editor.document.lineAt(egress.range.start.line).text, /ConfigureEgress|configure_egress|do\(/);
      const target = (swallowed.code as { target: vscode.Uri }).target;
      // The rule's page inside the extension (works offline, matches this version).
      assert.equal(target.scheme, 'file');
      assert.match(target.path, /\/docs\/rules\/swallowed-error\.md$/);
      assert.ok(existsSync(target.fsPath), `${target.fsPath} exists`);
      // an instrumented procedure is not flagged
      const registerLine = editor.document.getText().split('\n').findIndex((l) => l.startsWith('class CreateSecurityGroup'));
      assert.ok(!diags.some((d) => codeOf(d) === 'uninstrumented-procedure' && Math.abs(d.range.start.line - registerLine) < 6));
    }, { timeout: 120_000 });

    test('the quick fix for a swallowed error records it on the span, and the diagnostic goes away', async () => {
      const editor = await openFile('plans/create-cluster.ts');
      const uri = editor.document.uri;
      const swallowed = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'swallowed-error'), { message: 'swallowed-error', timeout: 60_000 });
      const fixes = await fixesAt(uri, swallowed);
      const record = fixes.find((f) => /Record the error/.test(f.title));
      assert.ok(record, `a record-the-error fix among: ${fixes.map((f) => f.title).join(' | ')}`);
      assert.ok(fixes.some((f) => /instrument-first-ignore swallowed-error/.test(f.title)), 'an ignore-comment fix too');
      try {
        assert.ok(await vscode.workspace.applyEdit(record.edit!));
        const text = editor.document.getText();
        assert.match(text, /recordException/);
        await waitFor(() => !ours(uri).some((d) => codeOf(d) === 'swallowed-error'), { message: 'the diagnostic to clear after the edit', timeout: 30_000 });
      } finally {
        await revert(editor);
      }
      await waitFor(() => ours(uri).some((d) => codeOf(d) === 'swallowed-error'), { message: 'the diagnostic back after the revert', timeout: 30_000 });
    }, { timeout: 120_000 });

    test('the ignore-comment fix silences one rule at that place', async () => {
      const editor = await openFile('plans/checkout.ts');
      const uri = editor.document.uri;
      const browse = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'uninstrumented-procedure'), { message: 'uninstrumented browse', timeout: 60_000 });
      const ignore = (await fixesAt(uri, browse)).find((f) => /instrument-first-ignore uninstrumented-procedure/.test(f.title));
      assert.ok(ignore, `an ignore-comment fix among: ${(await fixesAt(uri, browse)).map((f) => f.title).join(' | ')}`);
      try {
        assert.ok(await vscode.workspace.applyEdit(ignore.edit!));
        assert.match(editor.document.getText(), /\/\/ instrument-first-ignore uninstrumented-procedure/);
        await waitFor(() => !ours(uri).some((d) => codeOf(d) === 'uninstrumented-procedure'), { message: 'the diagnostic to clear', timeout: 30_000 });
      } finally {
        await revert(editor);
      }
    }, { timeout: 120_000 });
  },
  { timeout: 400_000 },
);
