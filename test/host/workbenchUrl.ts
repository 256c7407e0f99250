/**
 * The workbench URL for a folder, with the development payload the web workbench reads from the
 * query: extensionDevelopmentPath and extensionTestsPath as vscode-remote URIs whose authority
 * must equal the page's host:port exactly.
 */
export function workbenchUrl(origin: string, folder: string, dev: { extensionDevelopmentPath?: string[]; extensionTestsPath?: string } = {}): string {
  const authority = new URL(origin).host;
  const remote = (path: string): string => `vscode-remote://${authority}${encodeURI(path)}`;
  const payload: [string, string][] = [];
  for (const p of dev.extensionDevelopmentPath ?? []) payload.push(['extensionDevelopmentPath', remote(p)]);
  if (dev.extensionTestsPath) payload.push(['extensionTestsPath', remote(dev.extensionTestsPath)]);
  const query = new URLSearchParams({ folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${origin}/?${query.toString()}`;
}
