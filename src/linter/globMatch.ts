/** Compiles VS Code-style globs (`**`, `*`, `?`, `{a,b}`) into one test over `/`-separated relative paths. */
export function compileGlobs(globs: readonly string[]): (relativePath: string) => boolean {
  const res = globs.map((g) => new RegExp(`^(?:${globSource(g.replace(/^\.\//, ''))})$`));
  return (p) => res.some((r) => r.test(p));
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, end).split(',').map(globSource).join('|')})`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // a folder pattern also excludes what is inside it
  return `${out}(?:/.*)?`;
}
