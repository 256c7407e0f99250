import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SpanView } from '../../protocol/spanView';
import { resolveCodeTarget, type CodeTarget, type ProcedureLocation } from '../../timelineModel/codeTarget';

/** Where procedures are: the procedure catalog's locations. */
export type ProcedureSource = () => Promise<readonly ProcedureLocation[]>;

/** A target file as a URI: absolute paths as they are, relative ones under the workspace folders. */
async function targetUri(file: string): Promise<vscode.Uri | undefined> {
  if (path.isAbsolute(file)) return vscode.Uri.file(file);
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, file);
    try {
      await vscode.workspace.fs.stat(uri);
      return uri;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Resolves a span's code and opens it in the first editor column, selection on the line. */
export async function revealSpanCode(chain: readonly SpanView[], procedures: ProcedureSource): Promise<CodeTarget | undefined> {
  const target = resolveCodeTarget(chain, await procedures());
  if (!target) return undefined;
  const uri = await targetUri(target.file);
  if (!uri) return undefined;
  const pos = new vscode.Position(target.line, target.column);
  const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preserveFocus: false, preview: true, selection: new vscode.Range(pos, pos) });
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return target;
}
