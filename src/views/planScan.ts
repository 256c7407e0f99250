/**
 * A cheap, line-based scan of one TypeScript source for plans and procedures: where to put
 * CodeLens, which files to offer in "Run Plan…". It never parses; the linter's index (a worker
 * with ts-morph) is the precise source and refines the workspace-wide lists when it is available.
 */

export interface ScannedPlan {
  /** `default` or the name of the exported binding. */
  exportName: string;
  /** 0-based line where the lens goes (the declaration of the exported value). */
  line: number;
  /** String literals on the declaration line or in `name:`/constructor args: candidate plan names. */
  nameHints: string[];
}

export interface ScannedProcedure {
  kind: 'class' | 'function';
  /** Class name for `class X implements Procedure`, the id literal for `procedure('id', …)`. */
  key: string;
  /** 0-based line of the declaration. */
  line: number;
  /** For classes: the literal of `readonly id = '…'` when there is one. */
  id?: string;
}

export interface ScannedPlanClass {
  /** Name of a class that implements Plan; its lens shows the newest run of the file's plans. */
  name: string;
  line: number;
}

export interface PlanScan {
  plans: ScannedPlan[];
  planClasses: ScannedPlanClass[];
  procedures: ScannedProcedure[];
  /** True when the file looks like it defines or exports a plan. */
  isPlanFile: boolean;
}

const PLAN_HINT = /\bcreate\s*\(|\bplan\s*\(/;
const PLAN_TYPE = /\bPlan\b|\bplan\s*\(/;

/** True when a file is worth offering as a plan: it mentions create()/plan() and Plan, and exports. */
export function looksLikePlanFile(text: string): boolean {
  return PLAN_HINT.test(text) && PLAN_TYPE.test(text) && /\bexport\b/.test(text);
}

const CLASS_DECL = /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)([^{]*)/;
const PROC_CALL = /\bprocedure\s*\(\s*(['"`])([^'"`]+)\1/g;
const ID_FIELD = /^\s*(?:public\s+|readonly\s+|override\s+)*id\s*(?::\s*string\s*)?=\s*(['"`])([^'"`]+)\1/;
const EXPORT_CONST = /^\s*export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(:\s*([^=]+))?=\s*(.*)$/;
const EXPORT_DEFAULT_NAME = /^\s*export\s+default\s+([A-Za-z_$][\w$]*)\s*;?\s*$/;
const EXPORT_DEFAULT_EXPR = /^\s*export\s+default\s+(.+)$/;
const STRING_LIT = /(['"`])([^'"`\n]{1,120})\1/g;

function literals(s: string): string[] {
  return [...s.matchAll(STRING_LIT)].map((m) => m[2] ?? '').filter(Boolean);
}

function isPlanValue(typeAnn: string | undefined, init: string): boolean {
  if (typeAnn && /\bPlan\b/.test(typeAnn)) return true;
  return /^(new\s+\w*Plan\b|plan\s*\(|\w*[Pp]lan\w*\s*\()/.test(init.trim());
}

export function scanPlanSource(text: string): PlanScan {
  const lines = text.split(/\r?\n/);
  const plans: ScannedPlan[] = [];
  const procedures: ScannedProcedure[] = [];
  const planClasses: ScannedPlanClass[] = [];
  const declLine = new Map<string, number>();
  let currentClass: ScannedProcedure | undefined;
  let classIsProcedure = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const cls = CLASS_DECL.exec(line);
    if (cls?.[1]) {
      declLine.set(cls[1], i);
      const heritage = cls[2] ?? '';
      classIsProcedure = /\bimplements\b[^{]*\bProcedure\b/.test(heritage) || /\bextends\s+\w*(Procedure|Step)\b/.test(heritage);
      currentClass = classIsProcedure ? { kind: 'class', key: cls[1], line: i } : undefined;
      if (/\bimplements\b[^{]*\bPlan\b/.test(heritage)) planClasses.push({ name: cls[1], line: i });
      if (currentClass) procedures.push(currentClass);
      continue;
    }
    if (currentClass && classIsProcedure && currentClass.id === undefined) {
      const id = ID_FIELD.exec(line);
      if (id?.[2]) currentClass.id = id[2];
    }
    const decl = /^\s*(?:export\s+)?(?:const|let|var|function)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (decl?.[1] && !declLine.has(decl[1])) declLine.set(decl[1], i);
    for (const m of line.matchAll(PROC_CALL)) {
      if (m[2]) procedures.push({ kind: 'function', key: m[2], line: i, id: m[2] });
    }
    const ec = EXPORT_CONST.exec(line);
    if (ec?.[1] && isPlanValue(ec[3], ec[4] ?? '')) {
      plans.push({ exportName: ec[1], line: i, nameHints: literals(ec[4] ?? '') });
      continue;
    }
    const ed = EXPORT_DEFAULT_NAME.exec(line);
    if (ed?.[1]) {
      const at = declLine.get(ed[1]);
      const declText = at !== undefined ? (lines[at] ?? '') : '';
      const typed = /:\s*Plan\b/.test(declText) || /=\s*(new\s+\w*Plan\b|plan\s*\(|\w*[Pp]lan\w*\s*\()/.test(declText);
      if (typed || /\bPlan\b/.test(text)) plans.push({ exportName: 'default', line: at ?? i, nameHints: literals(declText) });
      continue;
    }
    const ee = EXPORT_DEFAULT_EXPR.exec(line);
    if (ee?.[1] && !/^(class|function|interface|type)\b/.test(ee[1]) && /\bplan\s*\(|new\s+\w*Plan\b|\{\s*$/.test(ee[1])) {
      plans.push({ exportName: 'default', line: i, nameHints: literals(ee[1]) });
    }
  }
  addNameHints(lines, plans);
  return { plans, planClasses, procedures, isPlanFile: plans.length > 0 || looksLikePlanFile(text) };
}

/** `name: 'checkout'` lines anywhere in the file are plan-name candidates for every export. */
function addNameHints(lines: string[], plans: ScannedPlan[]): void {
  const names = new Set<string>();
  for (const line of lines) {
    const m = /^\s*(?:readonly\s+)?name\s*:\s*(['"`])([^'"`]+)\1/.exec(line);
    if (m?.[2]) names.add(m[2]);
  }
  for (const p of plans) for (const n of names) if (!p.nameHints.includes(n)) p.nameHints.push(n);
}
