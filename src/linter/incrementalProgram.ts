import { dirname } from 'node:path';
import { ts, type Project } from 'ts-morph';

/**
 * The program the analysis runs on. ts-morph's Project loads the workspace (tsconfig, file
 * globs, in-memory file systems, bundled lib files) and builds the first program; after that,
 * edits go straight to a compiler host over a map of source files, with the previous program as
 * `oldProgram`. Going through ts-morph's own host for every edit costs more than the 25 ms a
 * one-file re-lint may take in a 1,000-file workspace.
 */
export class IncrementalProgram {
  private current: ts.Program;
  private readonly files = new Map<string, ts.SourceFile>();
  private readonly roots: Set<string>;
  private readonly options: ts.CompilerOptions;
  private readonly host: ts.CompilerHost;
  private version = 0;
  private dirty = false;
  /** Bumped on every change: analyses key their caches on it. */
  generation = 0;

  constructor(private readonly project: Project) {
    this.current = project.getProgram().compilerObject;
    this.options = this.current.getCompilerOptions();
    this.roots = new Set(this.current.getRootFileNames());
    for (const sf of this.current.getSourceFiles()) this.files.set(sf.fileName, unredirected(sf));
    this.host = this.createHost();
  }

  /** The program over the current files, rebuilt on first read after a change. */
  get program(): ts.Program {
    if (this.dirty) {
      this.dirty = false;
      this.current = ts.createProgram({ rootNames: [...this.roots], options: this.options, host: this.host, oldProgram: this.current });
    }
    return this.current;
  }

  /** A file's current syntax tree, without rebuilding the program. */
  sourceFile(fileName: string): ts.SourceFile | undefined {
    return this.roots.has(fileName) || this.files.has(fileName) ? this.files.get(fileName) : undefined;
  }

  /** Sets a file's text (new or changed); the program is rebuilt, reusing every other file, when next asked for. */
  setFile(fileName: string, text: string): void {
    const sf = ts.createSourceFile(fileName, text, this.options.target ?? ts.ScriptTarget.ES2022, true, scriptKind(fileName));
    (sf as { version?: string }).version = `if-${++this.version}`;
    this.files.set(fileName, sf);
    this.roots.add(fileName);
    this.changed();
  }

  removeFile(fileName: string): void {
    this.files.delete(fileName);
    this.roots.delete(fileName);
    this.changed();
  }

  /** The disk's text of a file, if it exists there. */
  readFromDisk(fileName: string): string | undefined {
    const fs = this.project.getFileSystem();
    return fs.fileExistsSync(fileName) ? fs.readFileSync(fileName) : undefined;
  }

  private changed(): void {
    this.dirty = true;
    this.generation++;
  }

  private createHost(): ts.CompilerHost {
    const fs = this.project.getFileSystem();
    const libFile = this.current.getSourceFiles().find((f) => /\/lib\.[^/]*\.d\.ts$/.test(f.fileName))?.fileName;
    const libDir = libFile ? dirname(libFile) : '/node_modules/typescript/lib';
    const cwd = fs.getCurrentDirectory();
    // shared across rebuilds: without it every rebuild looks up package.json scopes for every file
    const resolutionCache = ts.createModuleResolutionCache(cwd, (f) => f, this.options);
    return {
      getModuleResolutionCache: () => resolutionCache,
      getSourceFile: (fileName, languageVersion) => {
        const known = this.files.get(fileName);
        if (known) return known;
        if (!fs.fileExistsSync(fileName)) return undefined;
        const sf = ts.createSourceFile(fileName, fs.readFileSync(fileName), languageVersion, true, scriptKind(fileName));
        this.files.set(fileName, sf);
        return sf;
      },
      getDefaultLibFileName: (o) => `${libDir}/${ts.getDefaultLibFileName(o)}`,
      getDefaultLibLocation: () => libDir,
      writeFile: () => undefined,
      getCurrentDirectory: () => cwd,
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (f) => this.files.has(f) || fs.fileExistsSync(f),
      readFile: (f) => this.files.get(f)?.text ?? (fs.fileExistsSync(f) ? fs.readFileSync(f) : undefined),
      directoryExists: (d) => fs.directoryExistsSync(d),
      realpath: (p) => (fs.realpathSync ? fs.realpathSync(p) : p),
      getDirectories: () => [],
    };
  }
}

/**
 * When two paths hold the same package (same name and version, e.g. two copies of a dependency's
 * .d.ts under nested node_modules), TypeScript hands the program a *redirect* for the second path:
 * a wrapper around the first copy's tree. A host must never return such a wrapper from
 * getSourceFile (TypeScript asserts it, and reused redirects lose their symbols), so the cache keeps
 * the tree the host originally read for that path; TypeScript then re-creates the redirect itself.
 */
function unredirected(sf: ts.SourceFile): ts.SourceFile {
  const info = (sf as { redirectInfo?: { unredirected: ts.SourceFile } }).redirectInfo;
  return info ? info.unredirected : sf;
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
