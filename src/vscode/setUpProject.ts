import * as vscode from 'vscode';
import { EXAMPLE_PLAN_PATH } from '../project/exampleFiles';
import { ownRuntime } from '../project/runtimeInstall';
import { describeSetUp, setUpProject, type SetUpResult } from '../project/setUpProject';
import type { Services } from './services';

/**
 * "Instrument First: Set Up This Project": the same set-up as `instrument-first init` (shared
 * src/project/), on a workspace folder, with the runtime from the package this extension carries
 * (dist/package/*.tgz in the .vsix). Reports every change in the output channel.
 */
export async function setUpThisProject(s: Services, target?: unknown): Promise<SetUpResult | undefined> {
  const folder = await chooseFolder(target);
  if (!folder) {
    void vscode.window.showInformationMessage('Instrument First: open a folder first; Set Up This Project adds plans to it.');
    return undefined;
  }
  const own = ownRuntime(vscode.Uri.joinPath(s.extensionUri, 'dist').fsPath);
  let result: SetUpResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Instrument First: setting up ${folder.name}` },
      (progress) => setUpProject({ dir: folder.uri.fsPath, own, log: (line) => progress.report({ message: line }) }),
    );
  } catch (err) {
    s.log.error(`set up ${folder.uri.fsPath}: ${String(err)}`);
    void vscode.window.showErrorMessage(`Instrument First: could not set up ${folder.name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const lines = describeSetUp(result);
  s.log.info(`set up ${folder.name}:\n  ${lines.join('\n  ')}`);
  const changed = result.scaffold.changes.length;
  const failedInstall = result.install && !result.install.ok;
  const summary = changed ? `${changed} change${changed === 1 ? '' : 's'} (${result.scaffold.changes.map((c) => c.path).join(', ')})` : 'already set up, nothing changed';
  const example = result.scaffold.changes.some((c) => c.path === EXAMPLE_PLAN_PATH);
  if (example) {
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, ...EXAMPLE_PLAN_PATH.split('/')), { preview: false });
  }
  const show = (text: string) => (failedInstall ? vscode.window.showWarningMessage(text, 'Show Details') : vscode.window.showInformationMessage(text, 'Show Details'));
  void show(`Instrument First: ${folder.name}: ${summary}${failedInstall ? '; npm install failed — run it in a terminal' : ''}.`).then((choice) => {
    if (choice === 'Show Details') s.log.show(true);
  });
  return result;
}

async function chooseFolder(target: unknown): Promise<vscode.WorkspaceFolder | undefined> {
  if (target instanceof vscode.Uri) return vscode.workspace.getWorkspaceFolder(target);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to set up for plans' });
}
