/** Reading the CLI's one-line errors: `instrument-first: <file>:<line>[:<col>]: <message>`. */

export interface PlanErrorLine {
  file: string;
  /** 1-based, when the error names one. */
  line?: number;
  column?: number;
  message: string;
}

const WITH_LINE = /^instrument-first: (.+?):(\d+)(?::(\d+))?: (.+)$/;
const FILE_ONLY = /^instrument-first: ([^:\s][^:]*\.(?:[cm]?[jt]s|tsx|jsx)): (.+)$/;

/** The first error line in a chunk of stderr output, or undefined. */
export function parsePlanError(output: string): PlanErrorLine | undefined {
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    const m = WITH_LINE.exec(line);
    if (m?.[1] && m[2] && m[4]) {
      const out: PlanErrorLine = { file: m[1].replace(/^\.[\\/]/, ''), line: Number(m[2]), message: m[4] };
      if (m[3]) out.column = Number(m[3]);
      return out;
    }
    const f = FILE_ONLY.exec(line);
    if (f?.[1] && f[2]) return { file: f[1].replace(/^\.[\\/]/, ''), message: f[2] };
  }
  return undefined;
}

/** `plans/broken.ts:7: syntax error: Unexpected "}"` for a notification. */
export function planErrorText(e: PlanErrorLine): string {
  return `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`;
}
