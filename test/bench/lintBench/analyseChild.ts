// Runs in its own process so that its peak RSS is the analysis's alone:
// node analyseChild.js <tsconfig> <expected.json> [relint]
import { readFileSync } from 'node:fs';
import { LintSession } from '../../../src/linter/lintSession';
import type { GeneratedProject } from './generateProject';

export interface ChildResult {
  loadMs: number;
  analyseMs: number;
  totalMs: number;
  peakRssMb: number;
  procedures: number;
  findings: number;
  missing: string[];
  flaggedLookAlikes: string[];
  relintMs?: number[];
  relintCpuMs?: number[];
  /** Edits whose analysis asks the type checker (program and checker rebuilt). */
  relintCheckerMs?: number[];
  relintCheckerCpuMs?: number[];
}

function main(): void {
  const t0 = performance.now();
  const [tsconfig, expectedPath, relint] = process.argv.slice(2);
  const expected = JSON.parse(readFileSync(expectedPath!, 'utf8')) as GeneratedProject;
  const session = new LintSession({ roots: [`${expected.dir}/src`], tsConfigFilePath: tsconfig });
  const t1 = performance.now();
  const summary = session.analyseAll();
  const t2 = performance.now();
  const index = session.index();
  const found = new Set(index.procedures.map((p) => `${p.file}#${p.name ?? ''}`));
  const names = new Set(index.procedures.map((p) => p.name));
  const result: ChildResult = {
    loadMs: t1 - t0,
    analyseMs: t2 - t1,
    totalMs: t2 - t0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    procedures: summary.procedures,
    findings: summary.findings,
    missing: expected.procedures.filter((k) => !found.has(k)),
    flaggedLookAlikes: expected.lookAlikes.filter((n) => names.has(n)),
  };
  if (relint) {
    result.relintMs = [];
    result.relintCpuMs = [];
    // one warm-up edit (the first rebuild moves from ts-morph's host to the incremental one), then one edit per file
    const edit = (file: string, n: number): void => void session.updateFile(file, readFileSync(file, 'utf8') + `\nexport const edited${n} = ${n};\n`, n);
    edit(expected.editable[0]!, -1);
    const measure = (files: string[], wall: number[], cpu: number[], offset: number): void => {
      for (const [n, file] of files.entries()) {
        const c = process.cpuUsage();
        const s = performance.now();
        edit(file, offset + n);
        wall.push(performance.now() - s);
        const d = process.cpuUsage(c);
        cpu.push((d.user + d.system) / 1000);
      }
    };
    measure(expected.editable, result.relintMs, result.relintCpuMs, 0);
    result.relintCheckerMs = [];
    result.relintCheckerCpuMs = [];
    measure(expected.editableWithChecker, result.relintCheckerMs, result.relintCheckerCpuMs, 1000);
    result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  }
  process.stdout.write(JSON.stringify(result));
}

main();
