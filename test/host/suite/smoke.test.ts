import * as assert from 'node:assert/strict';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, openFile, workspaceRoot } from './helpers';
import { suite, test } from './harness';

suite('smoke: the real VS Code the host tests run in', () => {
  test('sample-workspace is the opened folder', () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    assert.equal(basename(workspaceRoot().fsPath), 'sample-workspace');
  });

  test('it is a real VS Code 1.100 with a Node extension host', () => {
    assert.match(vscode.version, /^1\.100\./);
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.equal(typeof process.versions.node, 'string');
  });

  test('our extension is present and activates', async () => {
    const ext = await activateExtension();
    assert.equal(ext.id, EXTENSION_ID);
    assert.equal(ext.isActive, true);
    assert.equal(ext.packageJSON.name, 'instrument-first');
  });

  test('a workspace file opens in an editor', async () => {
    const editor = await openFile('tsconfig.json');
    assert.equal(basename(editor.document.uri.fsPath), 'tsconfig.json');
    assert.ok(editor.document.getText().includes('compilerOptions'));
  });
});
