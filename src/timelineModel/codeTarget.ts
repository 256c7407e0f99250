/**
 * "Go to code" for a span, decided without VS Code: a step lands on its procedure's `do()` as the
 * linter's index knows it, matched by `procedure.type` (class name) and `procedure.id`, with
 * `code.filepath` deciding between files that declare classes of the same name; a span carrying
 * `code.filepath` + `code.lineno` lands on that line; any other span goes to its nearest step.
 * Lines and columns are 0-based, as in VS Code (`code.lineno` is 1-based, as in OTel).
 */
import { Attr } from '../protocol/attributes';
import type { SpanView } from '../protocol/spanView';

/** The part of the linter's `ProcedureInfo` this needs (structurally compatible with it). */
export interface ProcedureLocation {
  file: string;
  typeName: string;
  name?: string;
  id: { value?: string };
  doRange: { startLine: number; startColumn: number };
}

export interface CodeTarget {
  file: string;
  line: number;
  column: number;
  /** `index`: from the linter's procedure index; `attributes`: from the span's `code.*`. */
  source: 'index' | 'attributes';
  /** Several procedures fit equally well; the first was taken. */
  ambiguous?: boolean;
}

export function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^file:\/\//, '');
}

/** Same file: equal paths, or one relative path is a suffix of the other at a `/`. */
export function samePath(a: string, b: string): boolean {
  const x = normalizePath(a);
  const y = normalizePath(b);
  if (x === y) return true;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  return !short.startsWith('/') && long.endsWith('/' + short.replace(/^\.\//, ''));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fromAttributes(span: SpanView): CodeTarget | undefined {
  const file = str(span.attributes[Attr.codeFilepath]);
  if (!file) return undefined;
  const lineno = span.attributes[Attr.codeLineno];
  const col = span.attributes['code.column'];
  return {
    file,
    line: typeof lineno === 'number' && lineno >= 1 ? Math.floor(lineno) - 1 : 0,
    column: typeof col === 'number' && col >= 1 ? Math.floor(col) - 1 : 0,
    source: 'attributes',
  };
}

/** Where the `do()` of the procedure that produced a step span is. */
export function resolveStep(span: SpanView, procedures: readonly ProcedureLocation[]): CodeTarget | undefined {
  const type = str(span.attributes[Attr.procedureType]);
  const id = str(span.attributes[Attr.procedureId]) ?? span.name;
  const file = str(span.attributes[Attr.codeFilepath]);
  const generic = type === undefined || type === 'function' || type === 'object';
  let candidates = procedures.filter((p) => (generic ? p.id.value === id && (type === undefined || p.typeName === type) : p.typeName === type || p.name === type));
  if (file) {
    const inFile = candidates.filter((p) => samePath(p.file, file));
    // A path the index does not know (e.g. compiled output) does not rule the type's classes out.
    if (inFile.length > 0) candidates = inFile;
  }
  if (candidates.length > 1) {
    const byId = candidates.filter((p) => p.id.value === id);
    if (byId.length > 0) candidates = byId;
  }
  const best = candidates[0];
  if (!best) return fromAttributes(span);
  const t: CodeTarget = { file: best.file, line: best.doRange.startLine, column: best.doRange.startColumn, source: 'index' };
  if (candidates.length > 1) t.ambiguous = true;
  return t;
}

/**
 * Where a span's code is. `chain` is the span followed by its ancestors (nearest first); the first
 * one that is a step or carries `code.filepath` decides.
 */
export function resolveCodeTarget(chain: readonly SpanView[], procedures: readonly ProcedureLocation[]): CodeTarget | undefined {
  for (const span of chain) {
    if (span.attributes[Attr.kind] === 'step') {
      // A step's own `code.lineno`, if any, is where the runtime thought it was; the index knows do().
      const t = resolveStep(span, procedures);
      if (t) return t;
      continue;
    }
    const t = fromAttributes(span);
    if (t) return t;
  }
  return undefined;
}
