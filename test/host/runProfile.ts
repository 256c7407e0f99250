import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Is a process with this pid alive (signal 0 checks without signalling)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A fresh profile folder for this process, `.vscode-test/host-<pid>`: two runs at once in one
 * checkout (two people, or CI and a person) never share a VS Code user-data dir. Folders left by
 * runs that are gone are removed.
 */
export function freshRunProfile(root: string): string {
  const base = join(root, '.vscode-test');
  mkdirSync(base, { recursive: true });
  for (const name of readdirSync(base)) {
    const pid = /^host-(\d+)$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = join(base, `host-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
