import * as vscode from 'vscode';

/**
 * Saves what `debug.saveBeforeStart` asks VS Code to save before a debug session, for plain runs,
 * which start with `suppressSaveBeforeStart` (planRunner.ts): VS Code's own save also reloads the
 * whole configuration (settings and launch.json, each a read over the remote file system) — most
 * of a Run's wait before it reaches our configuration provider. VS Code 1.100 saves every dirty
 * editor unless the setting is 'none' (for the default it would also save an untitled active
 * editor, which asks for a file name: a plan run reads files, so untitled editors are left alone).
 * Called when the plain-run adapter is created, so a Restart from the debug toolbar saves too.
 */
export async function saveBeforeRun(scope: vscode.Uri | undefined): Promise<void> {
  const mode = vscode.workspace.getConfiguration('debug', scope).get<string>('saveBeforeStart', 'allEditorsInActiveGroup');
  if (mode === 'none') return;
  if (vscode.workspace.textDocuments.some((d) => d.isDirty && !d.isUntitled)) await vscode.workspace.saveAll(false);
}
