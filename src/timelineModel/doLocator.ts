/**
 * Where a procedure's `do()` is, from the file text alone: the fallback for "Go to code" while the
 * linter's index (which knows `doRange` exactly) is not available. Finds `class Name`, then the
 * first `do(` method in its body; for `procedure('id', fn)` helpers, the call's line.
 */
import type { ProcedureLocation } from './codeTarget';

const METHOD = /^\s*(?:public\s+|protected\s+|private\s+)?(?:override\s+)?(?:async\s+)?do\s*[(<]/;
const CLASS = (name: string) => new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${name.replace(/[$]/g, '\\$')}\\b`);
const ANY_CLASS = /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+[A-Za-z_$]/;

/** 0-based line and column of `do` in class `className`, or undefined. */
export function findDoInClass(text: string, className: string): { line: number; column: number } | undefined {
  const lines = text.split(/\r?\n/);
  const cls = CLASS(className);
  const start = lines.findIndex((l) => cls.test(l));
  if (start === -1) return undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (ANY_CLASS.test(l)) break;
    if (METHOD.test(l)) return { line: i, column: l.search(/\bdo\b/) };
  }
  return { line: start, column: Math.max(0, lines[start]!.search(/\bclass\b/)) };
}

/**
 * 0-based line of the first `do()` method after `line` (a class's line, as `code.lineno` records
 * it) and before the next class; undefined when there is none.
 */
export function findDoFrom(text: string, line: number): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = line + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (ANY_CLASS.test(l)) return undefined;
    if (METHOD.test(l)) return i;
  }
  return undefined;
}

export interface ScannedLike {
  kind: 'class' | 'function';
  key: string;
  line: number;
  id?: string;
}

/** Procedure locations of one file from a text scan of it (class procedures and helper-made ones). */
export function locateProcedures(file: string, text: string, scanned: readonly ScannedLike[]): ProcedureLocation[] {
  return scanned.map((p) => {
    if (p.kind === 'class') {
      const at = findDoInClass(text, p.key) ?? { line: p.line, column: 0 };
      return { file, typeName: p.key, name: p.key, id: p.id === undefined ? {} : { value: p.id }, doRange: { startLine: at.line, startColumn: at.column } };
    }
    return { file, typeName: 'function', id: { value: p.key }, doRange: { startLine: p.line, startColumn: 0 } };
  });
}
