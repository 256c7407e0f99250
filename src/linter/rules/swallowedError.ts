import { ts } from 'ts-morph';
import { reachContext, recordExceptionFix } from '../fixes';
import type { IndexedProcedure } from '../procedureIndex';
import type { RuleContext, SwallowSite } from '../ruleContext';
import { stepContextAccess } from '../stepContextAccess';
import { asFunction, calleePath, walk, type FunctionNode } from '../tsUtil';

const RECORDING_METHODS = new Set(['recordException', 'setStatus']);
const REPORTING_LOG_LEVELS = new Set(['error', 'warn']);

/**
 * swallowed-error: a catch (or `.catch` / rejection handler) that neither rethrows nor records
 * the error on a span — in the procedure, or in project code it calls, up to maxCallDepth deep.
 */
export function checkSwallowedErrors(proc: IndexedProcedure, rc: RuleContext): void {
  const fn = proc.fn;
  if (!fn.body) return;
  const acc = stepContextAccess(fn);
  const label = proc.info.id.value ?? proc.info.name ?? 'step';
  const fix = (h: ts.CatchClause | FunctionNode): ReturnType<typeof recordExceptionFix> =>
    recordExceptionFix(h, reachContext(fn, acc, rc.sf, rc.runtime, proc.info.kind === 'helper'), rc.sf);

  for (const site of swallowingHandlers(fn.body)) {
    const where = ts.isCatchClause(site) ? 'catch block' : 'rejection handler';
    rc.report('swallowed-error', anchor(site, rc.sf), `Procedure ${label}: this ${where} neither rethrows nor records the error on a span; the step will look successful.`, proc.info.key, [fix(site)]);
  }
  if (rc.config.maxCallDepth === 0) return;
  walk(fn.body, (n) => {
    if (!ts.isCallExpression(n)) return;
    const site = followCall(n, rc, rc.config.maxCallDepth, new Set());
    if (site) {
      rc.report(
        'swallowed-error',
        n.expression,
        `Procedure ${label} calls ${site.functionName}, which swallows an error (${relative(rc.file, site.file)}:${site.line + 1}): the step will look successful when it fails.`,
        proc.info.key,
        [],
      );
    }
  });
}

function relative(from: string, to: string): string {
  if (from === to) return 'this file';
  const a = from.split('/');
  const b = to.split('/');
  let i = 0;
  while (i < a.length - 1 && a[i] === b[i]) i++;
  return [...Array<string>(a.length - 1 - i).fill('..'), ...b.slice(i)].join('/');
}

function anchor(site: ts.CatchClause | FunctionNode, sf: ts.SourceFile): ts.Node {
  if (ts.isCatchClause(site)) return site.variableDeclaration ? site.variableDeclaration : site.getFirstToken(sf) ?? site;
  return site.parent && ts.isCallExpression(site.parent) && ts.isPropertyAccessExpression(site.parent.expression) ? site.parent.expression.name : site;
}

/** Catch clauses and rejection handlers below `body` that swallow. */
export function swallowingHandlers(body: ts.Node): (ts.CatchClause | FunctionNode)[] {
  const out: (ts.CatchClause | FunctionNode)[] = [];
  walk(body, (n) => {
    if (ts.isCatchClause(n) && !handles(n.block, n.variableDeclaration?.name)) out.push(n);
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const method = n.expression.name.text;
      const handler = method === 'catch' ? n.arguments[0] : method === 'then' ? n.arguments[1] : undefined;
      const h = asFunction(handler);
      if (h && h.body && !handles(h.body, h.parameters[0]?.name)) out.push(h);
    }
  });
  return out;
}

/** True when the handler rethrows, rejects, or records the error (span or error/warn log). */
function handles(body: ts.Node, errName: ts.BindingName | undefined): boolean {
  let handled = false;
  const err = errName && ts.isIdentifier(errName) ? errName.text : undefined;
  const check = (n: ts.Node): void => {
    if (handled) return;
    if (ts.isThrowStatement(n)) handled = true;
    else if (ts.isCallExpression(n)) {
      const path = calleePath(n.expression) ?? [];
      const last = path[path.length - 1] ?? '';
      const prev = path[path.length - 2] ?? '';
      if (RECORDING_METHODS.has(last) || last === 'reject' || (REPORTING_LOG_LEVELS.has(last) && /log/i.test(prev) && prev !== 'console')) handled = true;
    } else if (ts.isReturnStatement(n) && n.expression && err && ts.isIdentifier(n.expression) && n.expression.text === err) {
      handled = true; // returning the error hands it to the caller
    }
    if (!handled && !(ts.isFunctionLike(n) && n !== body)) ts.forEachChild(n, check);
  };
  if (!ts.isBlock(body)) {
    // `.catch(() => undefined)` swallows; `.catch((e) => Promise.reject(e))` and recorders do not
    check(body);
    return handled;
  }
  ts.forEachChild(body, check);
  return handled;
}

/** Follows one call into project code; returns the first swallowing site within `depth` levels. */
function followCall(call: ts.CallExpression, rc: RuleContext, depth: number, seen: Set<ts.Node>): SwallowSite | undefined {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (!name || !rc.mayReachCatch(name, depth)) return undefined;
  const target = resolveCallee(call, rc);
  if (!target || seen.has(target)) return undefined;
  const cached = rc.calleeCache.get(target);
  if (cached !== undefined) return cached ?? undefined;
  seen.add(target);
  const sf = target.getSourceFile();
  let site: SwallowSite | undefined;
  const body = target.body;
  if (body) {
    const first = swallowingHandlers(body)[0];
    if (first) {
      site = { file: sf.fileName, line: sf.getLineAndCharacterOfPosition(first.getStart(sf)).line, functionName: functionLabel(target) };
    } else if (depth > 1) {
      walk(body, (n) => {
        if (site) return false;
        if (ts.isCallExpression(n)) site = followCall(n, rc, depth - 1, seen);
        return undefined;
      });
    }
  }
  // only complete answers are cached: a shallower follow may have stopped early
  if (site || depth >= rc.config.maxCallDepth) rc.calleeCache.set(target, site ?? null);
  return site;
}

function functionLabel(fn: FunctionNode): string {
  if (fn.name && ts.isIdentifier(fn.name)) {
    const cls = ts.isMethodDeclaration(fn) && ts.isClassLike(fn.parent) ? fn.parent.name?.text : undefined;
    return cls ? `${cls}.${fn.name.text}` : fn.name.text;
  }
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return 'a function';
}

function resolveCallee(call: ts.CallExpression, rc: RuleContext): FunctionNode | undefined {
  const e = call.expression;
  const nameNode = ts.isPropertyAccessExpression(e) ? e.name : ts.isIdentifier(e) ? e : undefined;
  if (!nameNode) return undefined;
  let sym = rc.checker.getSymbolAtLocation(nameNode);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = rc.checker.getAliasedSymbol(sym);
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  if (!decl) return undefined;
  const file = decl.getSourceFile();
  if (file.isDeclarationFile || !rc.isProjectFile(file.fileName)) return undefined;
  if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) return decl.body ? decl : undefined;
  if (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) return asFunction(decl.initializer);
  return undefined;
}
