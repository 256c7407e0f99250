import type { RunnerStart } from '../protocol/runnerStart';

/** Cap on the waiting line: a command line and an environment, never more than this. */
const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Reads the one RunnerStart line from stdin (see protocol/runnerStart.ts), applies its environment
 * and folder, and gives back the command line to run. stdin is closed afterwards, so the process
 * ends when its command does. Rejects when stdin ends first or the line is not a RunnerStart.
 */
export function awaitCommand(input: NodeJS.ReadStream = process.stdin): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | undefined, argv?: string[]): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.destroy();
      if (err) reject(err);
      else resolve(argv!);
    };
    const onData = (chunk: Buffer): void => {
      const nl = chunk.indexOf(0x0a);
      chunks.push(nl >= 0 ? chunk.subarray(0, nl) : chunk);
      size += chunk.length;
      if (nl < 0 && size <= MAX_LINE_BYTES) return;
      if (nl < 0) return done(new Error('await-command: the start line is too long'));
      try {
        done(undefined, applyStart(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const onEnd = (): void => done(new Error('await-command: stdin ended before a start line'));
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

function applyStart(start: unknown): string[] {
  const s = start as Partial<RunnerStart> | null;
  if (!s || !Array.isArray(s.argv) || !s.argv.every((a) => typeof a === 'string') || typeof s.env !== 'object' || s.env === null) {
    throw new Error('await-command: the start line is not {"argv": [...], "env": {...}}');
  }
  for (const [k, v] of Object.entries(s.env)) {
    if (v === null) delete process.env[k];
    else if (typeof v === 'string') process.env[k] = v;
  }
  if (typeof s.cwd === 'string') process.chdir(s.cwd);
  return s.argv;
}
