import { existsSync } from 'node:fs';
import { Project, ts } from 'ts-morph';
import { computeCoverage } from './coverage';
import { analyseFile, type AnalysisEnv, type FileAnalysis } from './fileAnalysis';
import { compileGlobs } from './globMatch';
import { resolveLintConfig, type LintConfig, type LintConfigInput } from './lintConfig';
import { CallNames } from './callNames';
import { IncrementalProgram } from './incrementalProgram';
import { indexFile, resolveReturns, type FileIndex } from './procedureIndex';
import { ShapeChecker } from './shapeChecker';
import type { AnalyseSummary } from '../protocol/lintMessages';
import type { CoverageReport, ExecutedProcedures, FileFindings, Finding, IndexSnapshot } from '../protocol/lintTypes';

export interface LintSessionOptions {
  /** Folders or files to lint (absolute). Files outside them are only read to resolve types. */
  roots: string[];
  /** A tsconfig.json whose compiler options and file list are honoured. */
  tsConfigFilePath?: string;
  /** Globs relative to a root (VS Code `files.exclude` style) of files not to lint. */
  exclude?: string[];
  config?: LintConfigInput;
  /** In-memory files (path → text); nothing but lib files is then read from disk. */
  files?: Record<string, string>;
  compilerOptions?: ts.CompilerOptions;
}

export type { AnalyseSummary } from '../protocol/lintMessages';

const DEFAULT_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowJs: true,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
};
const SOURCE_EXT = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const NOT_LINTED = /(^|\/)node_modules\/|\.d\.[cm]?ts$/;

/**
 * One workspace under analysis: a ts-morph Project, the latest analysis of each file, and the
 * editor texts that override the disk. Re-analysis after an edit covers only the changed file.
 */
export class LintSession {
  readonly project: Project;
  private config: LintConfig;
  private readonly roots: string[];
  private readonly excluded: (rel: string) => boolean;
  private readonly results = new Map<string, FileAnalysis>();
  private readonly versions = new Map<string, number>();
  private readonly open = new Set<string>();
  private env: { generation: number; value: AnalysisEnv } | undefined;
  private runtimeSpecifier: ts.StringLiteral | undefined;
  private readonly callNames = new CallNames();
  private programs_: IncrementalProgram | undefined;

  constructor(options: LintSessionOptions) {
    this.config = resolveLintConfig(options.config);
    this.roots = options.roots.map((r) => normalize(r).replace(/\/$/, ''));
    this.excluded = compileGlobs(options.exclude ?? []);
    const compilerOptions = { ...DEFAULT_COMPILER_OPTIONS, ...options.compilerOptions };
    if (options.files) {
      this.project = new Project({ useInMemoryFileSystem: true, compilerOptions });
      for (const [path, text] of Object.entries(options.files)) this.project.createSourceFile(path, text, { overwrite: true });
    } else if (options.tsConfigFilePath) {
      this.project = new Project({ tsConfigFilePath: options.tsConfigFilePath, skipFileDependencyResolution: true, compilerOptions: { noEmit: true } });
    } else {
      this.project = new Project({ compilerOptions, skipFileDependencyResolution: true });
      for (const root of this.roots) {
        if (SOURCE_EXT.test(root)) this.project.addSourceFileAtPathIfExists(root);
        else {
          // without a tsconfig, build output and dependencies are not the workspace's code
          const skip = ['node_modules', 'dist', 'out', 'build', 'coverage', '.git'].map((d) => `!${root}/**/${d}/**`);
          this.project.addSourceFilesAtPaths([`${root}/**/*.{ts,tsx,mts,cts,js,jsx}`, ...skip, `!${root}/**/*.d.ts`]);
        }
      }
    }
  }

  /** The current program (for type-checking a file after a fix, or other compiler questions). */
  program(): ts.Program {
    return this.programs().program;
  }

  /** True for files this session reports on. */
  isLinted(file: string): boolean {
    const f = normalize(file);
    if (!SOURCE_EXT.test(f) || NOT_LINTED.test(f)) return false;
    return this.roots.some((r) => {
      if (f === r) return true;
      if (!f.startsWith(r + '/')) return false;
      return !this.excluded(f.slice(r.length + 1));
    });
  }

  setConfig(input: LintConfigInput): AnalyseSummary {
    this.config = resolveLintConfig(input);
    this.env = undefined;
    return this.analyseAll();
  }

  /** Analyses every linted file from scratch. */
  analyseAll(): AnalyseSummary {
    const t0 = performance.now();
    this.results.clear();
    this.env = undefined;
    const env = this.currentEnv();
    const program = this.programs().program;
    // index first (all project files feed the call names swallowed-error follows), then run the rules
    const indexed: [ts.SourceFile, FileIndex][] = [];
    for (const sf of program.getSourceFiles()) {
      if (!isProjectFile(sf.fileName)) continue;
      const linted = this.isLinted(sf.fileName);
      const index = indexFile(sf, linted ? env.value.shapes : undefined);
      this.callNames.setFile(sf.fileName, index.functions);
      if (linted) indexed.push([sf, index]);
    }
    for (const [sf, index] of indexed) this.results.set(sf.fileName, analyseFile(sf, env.value, index));
    return this.summary(performance.now() - t0);
  }

  private summary(durationMs: number): AnalyseSummary {
    let procedures = 0;
    let plans = 0;
    let findings = 0;
    for (const r of this.results.values()) {
      procedures += r.index.procedures.length;
      plans += r.index.plans.length;
      findings += r.findings.length;
    }
    return { files: this.results.size, procedures, plans, findings, durationMs: Math.round(durationMs) };
  }

  /** The editor's text of a file (open or changed): re-analyses that file only. */
  updateFile(file: string, text: string, version?: number): FileFindings {
    const path = normalize(file);
    this.open.add(path);
    if (version !== undefined) this.versions.set(path, version);
    this.programs().setFile(path, text);
    return this.reanalyse(path);
  }

  /** The editor closed the file: the disk's text counts again. */
  closeFile(file: string): FileFindings {
    const path = normalize(file);
    this.open.delete(path);
    this.versions.delete(path);
    return this.reloadFromDisk(path);
  }

  /** A file changed on disk; ignored while the editor has it open. */
  fileChangedOnDisk(file: string): FileFindings {
    const path = normalize(file);
    if (this.open.has(path)) return this.findings(path);
    return this.reloadFromDisk(path);
  }

  private reloadFromDisk(path: string): FileFindings {
    const programs = this.programs();
    const text = programs.readFromDisk(path);
    const known = programs.sourceFile(path);
    if (text !== undefined && (known || this.isLinted(path))) {
      if (known?.text !== text) programs.setFile(path, text);
    } else if (known) programs.removeFile(path);
    return this.reanalyse(path);
  }

  private programs(): IncrementalProgram {
    this.programs_ ??= new IncrementalProgram(this.project);
    return this.programs_;
  }

  private reanalyse(path: string): FileFindings {
    const env = this.currentEnv();
    const sf = this.programs().sourceFile(path);
    if (sf && isProjectFile(path)) {
      const linted = this.isLinted(path);
      const index = indexFile(sf, linted ? env.value.shapes : undefined);
      this.callNames.setFile(path, index.functions);
      if (linted) this.results.set(path, analyseFile(sf, env.value, index));
    } else {
      this.callNames.removeFile(path);
      this.results.delete(path);
    }
    return this.findings(path);
  }

  findings(file: string): FileFindings {
    const path = normalize(file);
    const out: FileFindings = { file: path, findings: this.results.get(path)?.findings ?? [] };
    const version = this.versions.get(path);
    if (version !== undefined) out.version = version;
    return out;
  }

  allFindings(): FileFindings[] {
    return [...this.results.keys()].sort().map((f) => this.findings(f));
  }

  flatFindings(): Finding[] {
    return this.allFindings().flatMap((f) => f.findings);
  }

  /** Procedures and plans of the workspace, with `returns` resolved across files. */
  index(): IndexSnapshot {
    const files = [...this.results.values()].map((r) => r.index);
    resolveReturns(files);
    return { procedures: files.flatMap((f) => f.procedures.map((p) => p.info)), plans: files.flatMap((f) => f.plans.map((p) => p.info)) };
  }

  coverage(executed?: ExecutedProcedures): CoverageReport {
    const uninstrumented = new Set<string>();
    for (const r of this.results.values()) for (const k of r.uninstrumented) uninstrumented.add(k);
    return computeCoverage(this.index(), uninstrumented, executed);
  }

  /**
   * Checker, shapes and caches of the current files. The program and its checker are built
   * (incrementally, by TypeScript) only when a rule first asks for the checker.
   */
  private currentEnv(): { generation: number; value: AnalysisEnv } {
    const programs = this.programs();
    if (this.env?.generation === programs.generation) return this.env;
    let checker: ts.TypeChecker | undefined;
    const getChecker = (): ts.TypeChecker => (checker ??= programs.program.getTypeChecker());
    const findSpecifier = (): ts.StringLiteral | undefined => {
      const program = programs.program;
      const known = this.runtimeSpecifier?.getSourceFile();
      if (this.runtimeSpecifier && known && program.getSourceFile(known.fileName) === known) return this.runtimeSpecifier;
      for (const sf of program.getSourceFiles()) {
        for (const st of sf.statements) {
          if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && /^instrument-first(\/|$)/.test(st.moduleSpecifier.text)) {
            this.runtimeSpecifier = st.moduleSpecifier;
            return st.moduleSpecifier;
          }
        }
      }
      return undefined;
    };
    const callNames = this.callNames;
    this.env = {
      generation: programs.generation,
      value: {
        config: this.config,
        get checker() {
          return getChecker();
        },
        shapes: new ShapeChecker(getChecker, findSpecifier),
        calleeCache: new Map(),
        isProjectFile,
        mayReachCatch: (name, depth) => callNames.mayReachCatch(name, depth),
      },
    };
    return this.env;
  }
}

/** Project code, as opposed to libraries: what swallowed-error may follow calls into. */
function isProjectFile(f: string): boolean {
  return !NOT_LINTED.test(f);
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/');
}

/** The tsconfig.json that governs `dir`: in it or the nearest folder above. */
export function findTsConfig(dir: string): string | undefined {
  let d = normalize(dir).replace(/\/$/, '');
  for (;;) {
    const candidate = `${d}/tsconfig.json`;
    if (existsSync(candidate)) return candidate;
    const up = d.slice(0, d.lastIndexOf('/'));
    if (!up || up === d) return undefined;
    d = up;
  }
}
