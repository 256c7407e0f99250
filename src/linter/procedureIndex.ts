import { ts } from 'ts-morph';
import type { FunctionFacts } from './callNames';
import type { PlanInfo, ProcedureInfo, ProcedureKind, StepIdInfo } from '../protocol/lintTypes';
import { readRuntimeImports, refersTo, type RuntimeImports, type ShapeChecker } from './shapeChecker';
import { functionMember, isStringLike, nameText, nodeRange, valueMember, type FunctionNode } from './tsUtil';

/** A procedure or plan found in a file, with the compiler nodes the rules look at. */
export interface IndexedUnit<I> {
  info: I;
  /** The class, object literal or helper call. */
  container: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression | ts.CallExpression;
  /** `do()` or `create()`. */
  fn: FunctionNode;
  /** The expression that sets `id` (or the plan's `name`), when there is one. */
  idExpr?: ts.Expression;
  /** Class and variable names `fn` mentions that may be steps it returns; resolved against the whole index. */
  returnNames: string[];
}

export type IndexedProcedure = IndexedUnit<ProcedureInfo>;
export type IndexedPlan = IndexedUnit<PlanInfo>;

export interface FileIndex {
  file: string;
  runtime: RuntimeImports;
  procedures: IndexedProcedure[];
  plans: IndexedPlan[];
  /** Named functions: whether they catch and what they call (see CallNames). */
  functions: FunctionFacts[];
}

/**
 * Finds the procedures and plans of one file. Syntax decides what is a candidate (a `do`/`create`
 * function and an `id`/`name`, an `implements` of the runtime's types, a helper call); the type
 * checker decides only for structural candidates. Without `shapes`, only the function facts are collected.
 */
export function indexFile(sf: ts.SourceFile, shapes: ShapeChecker | undefined): FileIndex {
  const file = sf.fileName;
  const runtime = readRuntimeImports(sf);
  const out: FileIndex = { file, runtime, procedures: [], plans: [], functions: [] };

  const stepId = (expr: ts.Expression | undefined, fallback: string): StepIdInfo => {
    if (!expr) return { text: fallback };
    const text = expr.getText(sf);
    return isStringLike(expr) ? { text, value: expr.text, range: nodeRange(sf, expr) } : { text, range: nodeRange(sf, expr) };
  };
  const keyOf = (name: string | undefined, node: ts.Node): string => (name ? `${file}#${name}` : `${file}@${node.getStart(sf)}`);

  const addProcedure = (kind: ProcedureKind, container: IndexedProcedure['container'], fn: FunctionNode, name: string | undefined, idExpr: ts.Expression | undefined, typeName: string): void => {
    const info: ProcedureInfo = {
      key: keyOf(name, container),
      kind,
      name,
      typeName,
      id: stepId(idExpr, typeName),
      file,
      declaration: nodeRange(sf, container),
      doRange: nodeRange(sf, fn),
      returns: [],
    };
    out.procedures.push({ info, container, fn, idExpr, returnNames: mentionedNames(fn) });
  };
  const addPlan = (kind: ProcedureKind, container: IndexedPlan['container'], fn: FunctionNode, name: string | undefined, nameExpr: ts.Expression | undefined): void => {
    const info: PlanInfo = {
      key: keyOf(name, container),
      kind,
      name,
      planName: stepId(nameExpr, name ?? 'plan'),
      file,
      declaration: nodeRange(sf, container),
      createRange: nodeRange(sf, fn),
      returns: [],
    };
    out.plans.push({ info, container, fn, idExpr: nameExpr, returnNames: mentionedNames(fn) });
  };

  const visitClass = (cls: ts.ClassLikeDeclaration, shapes: ShapeChecker): void => {
    const doFn = functionMember(cls.members, 'do');
    const createFn = functionMember(cls.members, 'create');
    if (!doFn && !createFn) return;
    const explicit = implementsOf(cls, runtime);
    const hasBase = !!cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
    const className = cls.name?.text ?? variableNameOf(cls);
    if (doFn) {
      const id = valueMember(cls, 'id');
      const isStep =
        explicit.procedure ||
        ((id.found || hasBase) &&
          !obviouslyNotStep(doFn, id.expr) &&
          (obviouslyStep(cls, doFn, runtime, sf) || (shapes.matches(cls, 'procedure') ?? looksLikeStepDo(doFn, sf))));
      if (isStep) addProcedure(explicit.procedure ? 'class-implements' : 'class-structural', cls, doFn, className, id.expr, className ?? 'object');
    }
    if (createFn) {
      const name = valueMember(cls, 'name');
      const isPlan = explicit.plan || ((name.found || hasBase) && (shapes.matches(cls, 'plan') ?? false));
      if (isPlan) addPlan(explicit.plan ? 'class-implements' : 'class-structural', cls, createFn, className, name.expr);
    }
  };

  const visitObject = (obj: ts.ObjectLiteralExpression, shapes: ShapeChecker): void => {
    const doFn = functionMember(obj.properties, 'do');
    const createFn = functionMember(obj.properties, 'create');
    if (doFn) {
      const id = valueMember(obj, 'id');
      if (id.found && (declaredAsProcedure(obj, runtime) || (!obviouslyNotStep(doFn, id.expr) && (shapes.matches(obj, 'procedure') ?? looksLikeStepDo(doFn, sf))))) addProcedure('object-literal', obj, doFn, variableNameOf(obj), id.expr, 'object');
    }
    if (createFn) {
      const name = valueMember(obj, 'name');
      if (name.found && (shapes.matches(obj, 'plan') ?? false)) addPlan('object-literal', obj, createFn, variableNameOf(obj), name.expr);
    }
  };

  const visitCall = (call: ts.CallExpression): void => {
    const [first, second] = call.arguments;
    const fn = second && (ts.isArrowFunction(second) || ts.isFunctionExpression(second)) ? second : undefined;
    if (!fn) return;
    if (refersTo(call.expression, runtime.procedureHelpers, runtime, 'procedure')) {
      addProcedure('helper', call, fn, variableNameOf(call), first, 'function');
    } else if (refersTo(call.expression, runtime.planHelpers, runtime, 'plan')) {
      addPlan('helper', call, fn, variableNameOf(call), first);
    }
  };

  // one walk of the file: candidates, plus the facts of named functions for swallowed-error
  const stack: { name: string; catches: boolean; calls: Set<string> }[] = [];
  const visit = (node: ts.Node): void => {
    if (!shapes) {
      // only the function facts (a project file that is read but not linted)
    } else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) visitClass(node, shapes);
    else if (ts.isObjectLiteralExpression(node)) visitObject(node, shapes);
    else if (ts.isCallExpression(node)) visitCall(node);
    const top = stack[stack.length - 1];
    if (top) {
      if (ts.isCatchClause(node)) top.catches = true;
      else if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
        if (last === 'catch' || last === 'then') top.catches = true;
        else if (last) top.calls.add(last);
      }
    }
    const fnName = namedFunction(node);
    if (fnName) stack.push({ name: fnName, catches: false, calls: new Set() });
    ts.forEachChild(node, visit);
    if (fnName) {
      const f = stack.pop()!;
      out.functions.push({ name: f.name, catches: f.catches, calls: [...f.calls] });
    }
  };
  ts.forEachChild(sf, visit);
  return out;
}

/** The name a call would use for this function, when it is a named function with a body. */
function namedFunction(node: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body) return nameText(node.name);
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isVariableDeclaration(node.parent) || ts.isPropertyDeclaration(node.parent) || ts.isPropertyAssignment(node.parent))) {
    return nameText(node.parent.name);
  }
  return undefined;
}

function implementsOf(cls: ts.ClassLikeDeclaration, rt: RuntimeImports): { procedure: boolean; plan: boolean } {
  const r = { procedure: false, plan: false };
  for (const h of cls.heritageClauses ?? []) {
    if (h.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const t of h.types) {
      if (refersTo(t.expression, rt.procedureTypes, rt, 'Procedure')) r.procedure = true;
      if (refersTo(t.expression, rt.planTypes, rt, 'Plan')) r.plan = true;
    }
  }
  return r;
}

/**
 * A class whose shape is evident from its declarations: `do(ctx: StepContext)` (the runtime's
 * StepContext) or `do()`, a declared return type the runtime accepts, and a string `id`. The
 * checker is asked only about the others; asking it about every class costs a tenth of the run.
 */
function obviouslyStep(cls: ts.ClassLikeDeclaration, doFn: FunctionNode, rt: RuntimeImports, sf: ts.SourceFile): boolean {
  if (!rt.stepContext) return false;
  const p = doFn.parameters[0];
  if (doFn.parameters.length > 1) return false;
  if (p && !(p.type && ts.isTypeReferenceNode(p.type) && ts.isIdentifier(p.type.typeName) && p.type.typeName.text === rt.stepContext)) return false;
  if (!doFn.type || !acceptedReturn(doFn.type.getText(sf).replace(/\s+/g, ''), rt)) return false;
  for (const m of cls.members) {
    if (nameText(m.name) !== 'id') continue;
    if (ts.isPropertyDeclaration(m)) return m.type ? m.type.kind === ts.SyntaxKind.StringKeyword : isStringLike(m.initializer);
    if (ts.isGetAccessorDeclaration(m)) return m.type?.kind === ts.SyntaxKind.StringKeyword;
    return false;
  }
  return false;
}

function acceptedReturn(text: string, rt: RuntimeImports): boolean {
  if (text === 'void' || text === 'Promise<void>') return true;
  for (const name of rt.procedureTypes) {
    const list = `${name}[]`;
    if ([list, `Promise<${list}>`, `${list}|void`, `void|${list}`, `Promise<${list}|void>`, `Promise<void|${list}>`].includes(text)) return true;
  }
  return false;
}

const PRIMITIVE_KEYWORDS = new Set([ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.StringKeyword, ts.SyntaxKind.BooleanKeyword, ts.SyntaxKind.BigIntKeyword, ts.SyntaxKind.SymbolKeyword]);

/**
 * Look-alikes that cannot be procedures whatever the checker says: a primitive first parameter (a
 * StepContext is not a number, nor a number a StepContext), a second required parameter, or a
 * numeric/boolean id literal. Rejecting them here keeps the checker for the undecided.
 */
function obviouslyNotStep(doFn: FunctionNode, idExpr: ts.Expression | undefined): boolean {
  const [first, second] = doFn.parameters;
  if (first?.type && PRIMITIVE_KEYWORDS.has(first.type.kind)) return true;
  if (second && !second.questionToken && !second.initializer && !second.dotDotDotToken) return true;
  return !!idExpr && (ts.isNumericLiteral(idExpr) || idExpr.kind === ts.SyntaxKind.TrueKeyword || idExpr.kind === ts.SyntaxKind.FalseKeyword);
}

/** `const x: Procedure = { … }` */
function declaredAsProcedure(obj: ts.ObjectLiteralExpression, rt: RuntimeImports): boolean {
  const p = obj.parent;
  return ts.isVariableDeclaration(p) && !!p.type && ts.isTypeReferenceNode(p.type) && refersTo(p.type.typeName as ts.Expression, rt.procedureTypes, rt, 'Procedure');
}

/** Without the runtime in the program: a `do` whose first parameter is untyped or a StepContext. */
function looksLikeStepDo(fn: FunctionNode, sf: ts.SourceFile): boolean {
  const p = fn.parameters[0];
  return !p || !p.type || /\bStepContext\b/.test(p.type.getText(sf));
}

/** `const x = <node>` / `x: <node>` → `x`. */
function variableNameOf(node: ts.Node): string | undefined {
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && p.initializer === n) return nameText(p.name);
  // a factory: `function makeStep(x) { return procedure(…); }` or `const makeStep = (x) => procedure(…)`
  const fn = ts.isReturnStatement(p) && ts.isBlock(p.parent) ? p.parent.parent : ts.isArrowFunction(p) && p.body === n ? p : undefined;
  if (fn && ts.isFunctionDeclaration(fn)) return fn.name?.text;
  if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent)) return nameText(fn.parent.name);
  return undefined;
}

/** Names a function mentions in `new X()` and bare identifiers: candidate steps it can return. */
function mentionedNames(fn: FunctionNode): string[] {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) names.add(n.expression.text);
    else if (ts.isIdentifier(n) && !ts.isPropertyAccessExpression(n.parent) && !ts.isPropertyAssignment(n.parent)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return [...names];
}

/** Fills `returns` of every procedure and plan: names resolved against the index, same file first. */
export function resolveReturns(files: Iterable<FileIndex>): void {
  const byName = new Map<string, { file: string; key: string }[]>();
  const all: FileIndex[] = [...files];
  for (const f of all) {
    for (const p of f.procedures) {
      if (!p.info.name) continue;
      const list = byName.get(p.info.name) ?? [];
      list.push({ file: f.file, key: p.info.key });
      byName.set(p.info.name, list);
    }
  }
  const inline = (unit: IndexedUnit<unknown>, f: FileIndex): string[] =>
    f.procedures.filter((p) => p.container !== unit.container && p.container.pos >= unit.fn.pos && p.container.end <= unit.fn.end && !p.info.name).map((p) => p.info.key);
  const resolve = (unit: IndexedUnit<{ key: string; returns: string[] }>, f: FileIndex): void => {
    const keys = new Set<string>(inline(unit, f));
    for (const n of unit.returnNames) {
      const cands = byName.get(n);
      if (!cands) continue;
      const local = cands.filter((c) => c.file === f.file);
      for (const c of local.length ? local : cands) if (c.key !== unit.info.key) keys.add(c.key);
    }
    unit.info.returns = [...keys];
  };
  for (const f of all) {
    for (const p of f.procedures) resolve(p, f);
    for (const p of f.plans) resolve(p, f);
  }
}
