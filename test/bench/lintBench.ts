// npm run bench:lint [-- --json] [--sizes 100,1000,5000]
// Full analysis of generated projects against `tsc --noEmit` on the same project in the same run,
// peak RSS, the median time to re-lint one changed file (1,000-file project), and correctness.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildResult } from './lintBench/analyseChild';
import { generateProject } from './lintBench/generateProject';

interface Row {
  files: number;
  tscMs: number;
  lintMs: number;
  /** Wall-clock ratio lint / tsc. */
  ratio: number;
  tscCpuMs: number;
  lintCpuMs: number;
  /** CPU-time ratio: steadier than wall clock on a busy machine. */
  cpuRatio: number;
  lintPeakRssMb: number;
  tscPeakRssMb: number;
  relintMedianMs?: number;
  relintP90Ms?: number;
  relintCpuMedianMs?: number;
  /** Edits of files whose analysis needs the type checker (an uninstrumented procedure's fix reads field types). */
  relintCheckerMedianMs?: number;
  relintCheckerCpuMedianMs?: number;
  procedures: number;
  expectedProcedures: number;
  missing: number;
  flaggedLookAlikes: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [100, 1000, 5000];
const root = resolve(__dirname, '../../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const child = join(__dirname, 'lintBench/analyseChild.js');

/** Runs a node script in a child through a wrapper that reports the child's peak RSS and CPU time. */
function timed(wrapper: string, script: string, args: string[]): { ms: number; cpuMs: number; stdout: string; peakRssMb: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [wrapper, script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t;
  const usage = /USAGE (\d+) (\d+)/.exec(r.stderr ?? '');
  if (!usage) throw new Error(`${script} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, cpuMs: Number(usage[2]) / 1000, stdout: r.stdout, peakRssMb: Number(usage[1]) / 1024 };
}

const WRAPPER = `const script = process.argv[2];
process.argv.splice(1, 2, script);
process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\nUSAGE ' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });
require(script);
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runSize(files: number, base: string, wrapper: string): Row {
  const g = generateProject(join(base, `p${files}`), files);
  const expectedPath = join(base, `p${files}.json`);
  writeFileSync(expectedPath, JSON.stringify(g));
  const tscRun = timed(wrapper, tsc, ['-p', g.tsconfig, '--noEmit']);
  if (/error TS/.test(tscRun.stdout)) throw new Error(`generated project does not type-check:\n${tscRun.stdout.slice(0, 2000)}`);
  const lintRun = timed(wrapper, child, [g.tsconfig, expectedPath, files === 1000 ? 'relint' : '']);
  const r = JSON.parse(lintRun.stdout) as ChildResult;
  const row: Row = {
    files,
    tscMs: Math.round(tscRun.ms),
    lintMs: Math.round(lintRun.ms),
    ratio: Math.round((lintRun.ms / tscRun.ms) * 100) / 100,
    tscCpuMs: Math.round(tscRun.cpuMs),
    lintCpuMs: Math.round(lintRun.cpuMs),
    cpuRatio: Math.round((lintRun.cpuMs / tscRun.cpuMs) * 100) / 100,
    lintPeakRssMb: Math.round(r.peakRssMb),
    tscPeakRssMb: Math.round(tscRun.peakRssMb),
    procedures: r.procedures,
    expectedProcedures: g.procedures.length,
    missing: r.missing.length,
    flaggedLookAlikes: r.flaggedLookAlikes.length,
  };
  if (r.relintMs?.length) {
    row.relintMedianMs = Math.round(median(r.relintMs) * 10) / 10;
    const s = [...r.relintMs].sort((a, b) => a - b);
    row.relintP90Ms = Math.round(s[Math.floor(s.length * 0.9)]! * 10) / 10;
    row.relintCpuMedianMs = Math.round(median(r.relintCpuMs ?? []) * 10) / 10;
    if (r.relintCheckerMs?.length) {
      row.relintCheckerMedianMs = Math.round(median(r.relintCheckerMs) * 10) / 10;
      row.relintCheckerCpuMedianMs = Math.round(median(r.relintCheckerCpuMs ?? []) * 10) / 10;
    }
  }
  return row;
}

function main(): void {
  const base = mkdtempSync(join(tmpdir(), 'if-lint-bench-'));
  const rows: Row[] = [];
  const wrapper = join(base, 'usageWrapper.js');
  writeFileSync(wrapper, WRAPPER);
  try {
    for (const n of sizes) {
      if (!json) process.stderr.write(`generating and analysing ${n} files…\n`);
      rows.push(runSize(n, base, wrapper));
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  if (json) {
    process.stdout.write(JSON.stringify({ goals: { ratio: 0.6, relintMedianMs: 25 }, loadavg: loadavg(), cores: cpus().length, rows }, null, 2) + '\n');
    return;
  }
  const head = ['files', 'tsc --noEmit', 'lint (full)', 'ratio', 'tsc CPU', 'lint CPU', 'CPU ratio', 'lint RSS', 'tsc RSS', 're-lint p50', 're-lint p90', 're-lint CPU p50', 're-lint+checker p50', 're-lint+checker CPU p50', 'procedures', 'missing', 'look-alikes'];
  const lines = rows.map((r) => [
    String(r.files), `${r.tscMs} ms`, `${r.lintMs} ms`, `${r.ratio}×`, `${r.tscCpuMs} ms`, `${r.lintCpuMs} ms`, `${r.cpuRatio}×`, `${r.lintPeakRssMb} MB`, `${r.tscPeakRssMb} MB`,
    r.relintMedianMs !== undefined ? `${r.relintMedianMs} ms` : '–', r.relintP90Ms !== undefined ? `${r.relintP90Ms} ms` : '–',
    r.relintCpuMedianMs !== undefined ? `${r.relintCpuMedianMs} ms` : '–',
    r.relintCheckerMedianMs !== undefined ? `${r.relintCheckerMedianMs} ms` : '–',
    r.relintCheckerCpuMedianMs !== undefined ? `${r.relintCheckerCpuMedianMs} ms` : '–',
    `${r.procedures}/${r.expectedProcedures}`, String(r.missing), String(r.flaggedLookAlikes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write([fmt(head), ...lines.map(fmt)].join('\n') + '\n');
  process.stdout.write(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);
  process.stdout.write('goals: ratio ≤ 0.6× tsc --noEmit; re-lint median ≤ 25 ms; no missing procedure, no look-alike\n');
}

main();
