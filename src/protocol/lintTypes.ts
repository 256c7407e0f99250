/**
 * Plain data the linter produces: the procedure/plan index, findings with their fixes, coverage.
 * Everything here is structured-clone safe, so it crosses the worker boundary unchanged.
 * Lines and columns are 0-based (as in VS Code); offsets are UTF-16 offsets into the file text.
 */

export const RULE_IDS = [
  'uninstrumented-procedure',
  'swallowed-error',
  'untraced-external-call',
  'unstable-step-id',
  'side-effect-in-create',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export interface SourceRange {
  start: number;
  end: number;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** Replace `[start, end)` of the file's text with `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export type FixKind = 'add-span-attributes' | 'wrap-in-trace' | 'record-exception' | 'add-ignore-comment';

export interface Fix {
  kind: FixKind;
  title: string;
  /** Edits of the finding's own file, non-overlapping, in any order. */
  edits: TextEdit[];
  /** True for the fix an editor should offer first. */
  preferred?: boolean;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  file: string;
  range: SourceRange;
  /** Key of the procedure or plan the finding belongs to (see {@link ProcedureInfo.key}). */
  owner?: string;
  fixes: Fix[];
}

/** How a procedure was recognised. */
export type ProcedureKind = 'class-implements' | 'class-structural' | 'object-literal' | 'helper';

export interface StepIdInfo {
  /** The id's source text, e.g. `'create_sg'` or `` `node-${i}` ``. */
  text: string;
  /** The id's value when it is a string literal. */
  value?: string;
  range?: SourceRange;
}

export interface ProcedureInfo {
  /** Stable within one analysis: `file#Name` for named declarations, `file@offset` otherwise. */
  key: string;
  kind: ProcedureKind;
  /** Class name, variable name of a helper-made or literal procedure, or undefined. */
  name?: string;
  /** What the runtime records as `procedure.type`: the class name, `function` for helper-made steps, `object` for literals. */
  typeName: string;
  id: StepIdInfo;
  file: string;
  declaration: SourceRange;
  /** The `do` method or the helper's function; its `startLine` is where a CodeLens belongs. */
  doRange: SourceRange;
  /** Keys of procedures `do()` can return, where derivable. */
  returns: string[];
}

export type PlanKind = 'class-implements' | 'class-structural' | 'object-literal' | 'helper';

export interface PlanInfo {
  key: string;
  kind: PlanKind;
  name?: string;
  /** The plan's `name` (literal value or source text). */
  planName: StepIdInfo;
  file: string;
  declaration: SourceRange;
  createRange: SourceRange;
  /** Keys of procedures `create()` can return, where derivable. */
  returns: string[];
}

export interface IndexSnapshot {
  procedures: ProcedureInfo[];
  plans: PlanInfo[];
}

export interface FileFindings {
  file: string;
  /** The document version the findings were computed for, when the caller gave one. */
  version?: number;
  findings: Finding[];
}

export interface CoverageCounts {
  found: number;
  instrumented: number;
  /** Present when executed procedures were given. */
  executed?: number;
}

export interface ProcedureCoverage {
  key: string;
  typeName: string;
  id: string;
  file: string;
  line: number;
  instrumented: boolean;
  executed?: boolean;
}

export interface PlanCoverage extends CoverageCounts {
  key: string;
  planName: string;
  file: string;
  procedures: string[];
}

export interface CoverageReport {
  workspace: CoverageCounts;
  plans: PlanCoverage[];
  procedures: ProcedureCoverage[];
}

/** What ran in the last run, to join with the index: `procedure.id` and `procedure.type` values. */
export interface ExecutedProcedures {
  ids?: readonly string[];
  types?: readonly string[];
}

/** How the rules are tuned. Every field is optional in what callers pass (the linter's `resolveLintConfig` fills in defaults). */
export interface LintConfig {
  severity: Record<RuleId, SeveritySetting>;
  /**
   * Call signatures that do I/O: dotted callee paths, `this.` dropped, where `*` matches one
   * segment and `**` any number of segments (`fetch`, `https.request`, `**.ec2.*`).
   */
  externalCalls: string[];
  /** Calls through values imported from these modules are external too (`@aws-sdk/*`, `pg`). */
  externalModules: string[];
  /** Method names that change state, flagged when awaited inside create() (regular expression source). */
  sideEffectPattern: string;
  /** How deep swallowed-error follows calls from a procedure into project code. */
  maxCallDepth: number;
}

export type LintConfigInput = Partial<Omit<LintConfig, 'severity'>> & { severity?: Partial<Record<RuleId, SeveritySetting>> };
