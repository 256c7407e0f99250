import { ts } from 'ts-morph';
import { ExternalCallMatcher } from './externalCalls';
import { ignoreFix } from './fixes';
import { IgnoreComments } from './ignoreComments';
import type { LintConfig } from './lintConfig';
import { indexFile, type FileIndex } from './procedureIndex';
import type { RuleContext, SwallowSite } from './ruleContext';
import { checkSideEffects } from './rules/sideEffectInCreate';
import { checkSwallowedErrors } from './rules/swallowedError';
import { checkUninstrumented } from './rules/uninstrumentedProcedure';
import { checkUnstableId } from './rules/unstableStepId';
import { checkUntracedCalls } from './rules/untracedExternalCall';
import type { ShapeChecker } from './shapeChecker';
import { nodeRange } from './tsUtil';
import type { Finding, Fix } from '../protocol/lintTypes';

export interface AnalysisEnv {
  config: LintConfig;
  /** Built on first read (a getter): most one-file re-analyses never need it. */
  readonly checker: ts.TypeChecker;
  shapes: ShapeChecker;
  calleeCache: Map<ts.Node, SwallowSite | null>;
  isProjectFile(fileName: string): boolean;
  mayReachCatch(name: string, depth: number): boolean;
}

export interface FileAnalysis {
  index: FileIndex;
  findings: Finding[];
  /** Keys of procedures whose do() records nothing on its span (whether reported, ignored or off). */
  uninstrumented: Set<string>;
}

/** Indexes one file and runs every enabled rule on its procedures and plans. */
export function analyseFile(sf: ts.SourceFile, env: AnalysisEnv, index: FileIndex = indexFile(sf, env.shapes)): FileAnalysis {
  const findings: Finding[] = [];
  const uninstrumented = new Set<string>();
  if (index.procedures.length === 0 && index.plans.length === 0) return { index, findings, uninstrumented };

  const { config } = env;
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
  const ignores = new IgnoreComments(sf.text, lineOf);
  const ownerLines = new Map<string, number[]>();
  for (const u of [...index.procedures, ...index.plans]) ownerLines.set(u.info.key, [lineOf(statementOf(u.container).getStart(sf)), lineOf(u.fn.getStart(sf))]);

  const rc: RuleContext = {
    sf,
    file: sf.fileName,
    config,
    get checker() {
      return env.checker;
    },
    runtime: index.runtime,
    externals: new ExternalCallMatcher(sf, config),
    calleeCache: env.calleeCache,
    isProjectFile: env.isProjectFile,
    mayReachCatch: env.mayReachCatch,
    report(rule, node, message, owner, fixes) {
      const severity = config.severity[rule];
      if (severity === 'off') return;
      const range = nodeRange(sf, node);
      if (ignores.ignores(rule, [range.startLine, ...(ownerLines.get(owner) ?? [])])) return;
      const all = fixes.filter((f): f is Fix => f !== undefined);
      all.push(ignoreFix(sf.text, range.start, rule));
      findings.push({ rule, severity, message, file: sf.fileName, range, owner, fixes: all });
    },
  };
  const on = (rule: keyof LintConfig['severity']): boolean => config.severity[rule] !== 'off';
  for (const p of index.procedures) {
    if (!checkUninstrumented(p, rc)) uninstrumented.add(p.info.key);
    if (on('swallowed-error')) checkSwallowedErrors(p, rc);
    if (on('untraced-external-call')) checkUntracedCalls(p, rc);
    if (on('unstable-step-id')) checkUnstableId(p, rc);
  }
  if (on('side-effect-in-create')) {
    const pattern = new RegExp(config.sideEffectPattern);
    for (const p of index.plans) checkSideEffects(p, rc, pattern);
  }
  findings.sort((a, b) => a.range.start - b.range.start || a.rule.localeCompare(b.rule));
  return { index, findings, uninstrumented };
}

/** The statement that holds a class, object literal or helper call (where an owner-level ignore comment goes). */
function statementOf(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && !ts.isSourceFile(n.parent) && !ts.isBlock(n.parent) && !ts.isClassLike(n.parent) && !ts.isObjectLiteralExpression(n.parent)) n = n.parent;
  return n;
}
