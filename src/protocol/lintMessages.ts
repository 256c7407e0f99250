/**
 * Messages between the extension host and the lint worker (`dist/lintWorker.js`, a node
 * worker_thread). One union per direction; every request carries an `id` that its response echoes.
 * Responses are `{ ok: true, result }` or `{ ok: false, error }`; the result type of each request
 * is given by {@link LintResultOf}.
 */
import type { CoverageReport, FileFindings, IndexSnapshot } from './lintTypes';
import type { LintConfigInput } from './lintTypes';

export type { CoverageReport, FileFindings, IndexSnapshot, LintConfigInput };

export interface LintWorkspaceOptions {
  /** Folders whose files are linted (absolute paths). */
  roots: string[];
  /** tsconfig.json to honour; when absent, every TS/JS file under the roots is analysed. */
  tsConfigFilePath?: string;
  /** Glob patterns (VS Code `files.exclude` style, relative to a root) of files not to lint. */
  exclude?: string[];
  config?: LintConfigInput;
}

export interface AnalyseSummary {
  files: number;
  procedures: number;
  plans: number;
  findings: number;
  durationMs: number;
}

/** Extension → worker. */
export type LintRequest =
  | { id: number; type: 'init'; options: LintWorkspaceOptions }
  | { id: number; type: 'setConfig'; config: LintConfigInput }
  /** The editor's text of a file, which wins over the disk until `closeFile`. */
  | { id: number; type: 'openFile'; file: string; text: string; version: number }
  | { id: number; type: 'updateFile'; file: string; text: string; version: number }
  | { id: number; type: 'closeFile'; file: string }
  /** A file created, changed or deleted on disk (not open in an editor). */
  | { id: number; type: 'fileChangedOnDisk'; file: string }
  | { id: number; type: 'analyseWorkspace' }
  | { id: number; type: 'getFindings'; file: string }
  | { id: number; type: 'getAllFindings' }
  | { id: number; type: 'getIndex' }
  | { id: number; type: 'getCoverage'; executedIds?: string[]; executedTypes?: string[] }
  | { id: number; type: 'dispose' };

export type LintRequestType = LintRequest['type'];

/** What each request resolves to. openFile/updateFile answer with the file's new findings. */
export interface LintResultMap {
  init: AnalyseSummary;
  setConfig: AnalyseSummary;
  openFile: FileFindings;
  updateFile: FileFindings;
  closeFile: FileFindings;
  fileChangedOnDisk: FileFindings;
  analyseWorkspace: AnalyseSummary;
  getFindings: FileFindings;
  getAllFindings: FileFindings[];
  getIndex: IndexSnapshot;
  getCoverage: CoverageReport;
  dispose: null;
}

export type LintResultOf<T extends LintRequestType> = LintResultMap[T];

/** Worker → extension: a response to one request, or an unsolicited event. */
export type LintWorkerMessage =
  | { id: number; ok: true; result: LintResultMap[LintRequestType] }
  | { id: number; ok: false; error: string }
  | { type: 'ready' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Request payloads without the id, as a client passes them. */
export type LintRequestBody<T extends LintRequestType = LintRequestType> = Omit<Extract<LintRequest, { type: T }>, 'id'>;

const REQUEST_TYPES: ReadonlySet<string> = new Set<LintRequestType>([
  'init', 'setConfig', 'openFile', 'updateFile', 'closeFile', 'fileChangedOnDisk', 'analyseWorkspace',
  'getFindings', 'getAllFindings', 'getIndex', 'getCoverage', 'dispose',
]);

/** Validates what arrives at the worker: the shape of a request, not the meaning of its fields. */
export function isLintRequest(value: unknown): value is LintRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'number' || typeof v.type !== 'string' || !REQUEST_TYPES.has(v.type)) return false;
  switch (v.type) {
    case 'init':
      return typeof v.options === 'object' && v.options !== null && Array.isArray((v.options as { roots?: unknown }).roots);
    case 'openFile':
    case 'updateFile':
      return typeof v.file === 'string' && typeof v.text === 'string' && typeof v.version === 'number';
    case 'closeFile':
    case 'fileChangedOnDisk':
    case 'getFindings':
      return typeof v.file === 'string';
    case 'setConfig':
      return typeof v.config === 'object' && v.config !== null;
    default:
      return true;
  }
}

/** Validates what arrives at the extension from the worker. */
export function isLintWorkerMessage(value: unknown): value is LintWorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id === 'number') return v.ok === true ? 'result' in v : v.ok === false && typeof v.error === 'string';
  return v.type === 'ready' || (v.type === 'log' && typeof v.message === 'string');
}
