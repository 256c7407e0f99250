/**
 * Paths in spans are the machine's absolute paths (`code.filepath`, stack traces); the timeline
 * shows them relative to the workspace folders the host sends, as the editor does.
 */

function norm(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/+$/, '');
}

/** `plans/create-cluster.ts` for `/home/me/ws/plans/create-cluster.ts` under root `/home/me/ws`. */
export function relativeToRoots(path: string, roots: readonly string[]): string {
  const p = norm(path);
  let best = '';
  for (const r of roots) {
    const root = norm(r);
    if (root && p.startsWith(root + '/') && root.length > best.length) best = root;
  }
  return best ? p.slice(best.length + 1) : path;
}

/** Every occurrence of a root folder in a text (a stack trace) shortened to a relative path. */
export function relativeInText(text: string, roots: readonly string[]): string {
  let out = text;
  for (const r of [...roots].sort((a, b) => b.length - a.length)) {
    const root = norm(r);
    if (root.length > 1) out = out.split(root + '/').join('').split(r.replace(/\/+$/, '') + '\\').join('');
  }
  return out;
}
