// Helpers for tests that run inside the extension host against the opened sample-workspace.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXTENSION_ID = 'instrument-first.instrument-first';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** Default 10 s. */
  timeout?: number;
  /** Poll interval, default 100 ms. */
  interval?: number;
  /** Says what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Polls `probe` until it returns something other than undefined/null/false, and returns that.
 * Throws after the timeout with the message and the last value or error the probe gave.
 */
export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, opts: WaitOptions = {}): Promise<T> {
  const timeout = opts.timeout ?? 10_000;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor timed out after ${timeout} ms: ${opts.message ?? 'condition'} (last: ${detail})`);
    }
    await sleep(opts.interval ?? 100);
  }
}

/** Resolves with the first event that satisfies `accept`; rejects after the timeout (default 10 s). */
export function nextEvent<T>(event: vscode.Event<T>, accept: (e: T) => boolean = () => true, timeout = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching event within ${timeout} ms`));
    }, timeout);
    const sub = event((e) => {
      if (!accept(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** The opened workspace folder (sample-workspace). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri;
}

/** A URI inside the opened workspace, e.g. workspaceUri('plans/create-cluster.ts'). */
export function workspaceUri(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relativePath.split('/'));
}

/** Opens a workspace file in an editor and returns the editor. */
export async function openFile(relativePath: string, options: vscode.TextDocumentShowOptions = {}): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  return vscode.window.showTextDocument(doc, { preview: false, ...options });
}

/**
 * A text document with this content, in a file of its own. Untitled documents are named
 * Untitled-1, -2, … and a name can come back while the extension host still holds the earlier
 * document of that name: link providers then answer for the wrong text.
 */
export async function openScratchDocument(content: string, extension: string): Promise<vscode.TextDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'if-host-doc-'));
  const path = join(dir, `scratch.${extension}`);
  await writeFile(path, content);
  return vscode.workspace.openTextDocument(vscode.Uri.file(path));
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function executeCommand<T = unknown>(id: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(id, ...args);
}

/** True when a command with this id is registered (by any extension). */
export async function commandExists(id: string): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(id);
}

/** Our extension, activated. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  await ext.activate();
  return ext;
}

/** The CodeLenses all providers give for a document, with their commands resolved. */
export async function codeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[] | undefined>('vscode.executeCodeLensProvider', uri, 1000);
  return lenses ?? [];
}

/** The titles of the document's CodeLenses, top to bottom. */
export async function codeLensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await codeLenses(uri);
  return lenses
    .slice()
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
    .map((l) => l.command?.title ?? '')
    .filter((t) => t.length > 0);
}

/** Waits until some CodeLens title of the document matches; returns all titles at that moment. */
export function waitForCodeLens(uri: vscode.Uri, match: RegExp | ((title: string) => boolean), opts: WaitOptions = {}): Promise<string[]> {
  const test = typeof match === 'function' ? match : (t: string): boolean => match.test(t);
  let last: string[] = [];
  return waitFor(
    async () => {
      last = await codeLensTitles(uri);
      return last.some(test) ? last : undefined;
    },
    { timeout: 30_000, ...opts, message: `${opts.message ?? `CodeLens matching ${String(match)}`} in ${uri.fsPath} (titles now: ${JSON.stringify(last)})` },
  );
}

/** Hover texts at a position, all providers, as plain strings. */
export async function hoverTexts(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[] | undefined>('vscode.executeHoverProvider', uri, position);
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
}

/** The first line (0-based) whose text contains `needle`, in a workspace file. */
export async function lineOf(relativePath: string, needle: string): Promise<number> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`"${needle}" not found in ${relativePath}`);
}

/** Waits until the document has diagnostics (optionally from one source) and returns them. */
export function waitForDiagnostics(uri: vscode.Uri, source?: string, opts: WaitOptions = {}): Promise<vscode.Diagnostic[]> {
  return waitFor(
    () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => !source || d.source === source);
      return found.length > 0 ? found : undefined;
    },
    { message: `diagnostics${source ? ` from ${source}` : ''} for ${uri.fsPath}`, ...opts },
  );
}

/** Waits for the next debug session to end (e.g. a plan run), returning it. */
export function nextDebugSessionEnd(timeout = 60_000): Promise<vscode.DebugSession> {
  return nextEvent(vscode.debug.onDidTerminateDebugSession, () => true, timeout);
}
