import type { ts } from 'ts-morph';
import type { ExternalCallMatcher } from './externalCalls';
import type { LintConfig } from './lintConfig';
import type { RuntimeImports } from './shapeChecker';
import type { Fix, RuleId } from '../protocol/lintTypes';

/** A function in project code that swallows an error, found by following calls from a procedure. */
export interface SwallowSite {
  file: string;
  line: number;
  functionName: string;
}

/** What a rule gets for one file. */
export interface RuleContext {
  sf: ts.SourceFile;
  file: string;
  config: LintConfig;
  checker: ts.TypeChecker;
  runtime: RuntimeImports;
  externals: ExternalCallMatcher;
  /** Functions already followed by swallowed-error in this analysis (null: no swallow found). */
  calleeCache: Map<ts.Node, SwallowSite | null>;
  /** True for files the analysis may follow calls into (project code, not libraries). */
  isProjectFile(fileName: string): boolean;
  /** Cheap, by name: whether a call to `name` may reach a catch within `depth` calls. */
  mayReachCatch(name: string, depth: number): boolean;
  report(rule: RuleId, node: ts.Node, message: string, owner: string, fixes: (Fix | undefined)[]): void;
}
