import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repoRoot';

/**
 * Runs `source` as `dir/name` with node (the repository's node_modules on its path, so it can load
 * the official OpenTelemetry packages) and resolves with the JSON object its last line of output
 * holds; rejects with its output when it fails or prints none.
 */
export function runNodeProgram<T>(dir: string, name: string, source: string, args: readonly string[]): Promise<T> {
  const file = join(dir, name);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn('node', [file, ...args], { env: { ...process.env, NODE_PATH: join(repoRoot(), 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${name} exited with ${code}: ${err || out}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
