import { ts } from 'ts-morph';
import type { SourceRange } from '../protocol/lintTypes';

// The analysis walks the compiler's own nodes (ts-morph's bundled TypeScript) rather than
// ts-morph wrappers: wrapping every node of a large workspace costs more than the analysis.

export function rangeOf(sf: ts.SourceFile, start: number, end: number): SourceRange {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start, end, startLine: s.line, startColumn: s.character, endLine: e.line, endColumn: e.character };
}

export function nodeRange(sf: ts.SourceFile, node: ts.Node): SourceRange {
  return rangeOf(sf, node.getStart(sf), node.getEnd());
}

/** The name of a member, property or parameter when it is a plain identifier or string. */
export function nameText(name: ts.Node | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) return name.expression.text;
  return undefined;
}

/** A function that can be a step's `do` or a plan's `create`: a method or a function value. */
export type FunctionNode = ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.FunctionDeclaration;

export function asFunction(node: ts.Node | undefined): FunctionNode | undefined {
  if (!node) return undefined;
  if (ts.isParenthesizedExpression(node)) return asFunction(node.expression);
  if (ts.isMethodDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isFunctionDeclaration(node)) return node;
  return undefined;
}

/** A class member or object-literal property named `name` whose value is a function with a body. */
export function functionMember(members: ts.NodeArray<ts.ClassElement | ts.ObjectLiteralElementLike>, name: string): FunctionNode | undefined {
  for (const m of members) {
    if (nameText(m.name) !== name) continue;
    if (ts.isMethodDeclaration(m)) return m.body ? m : undefined;
    if (ts.isPropertyDeclaration(m)) return asFunction(m.initializer);
    if (ts.isPropertyAssignment(m)) return asFunction(m.initializer);
  }
  return undefined;
}

/** The id-like member (`id`, `name`) and the expression that sets it, when there is one. */
export function valueMember(
  node: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression,
  name: string,
): { found: boolean; expr?: ts.Expression; node?: ts.Node } {
  if (ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) {
      if (nameText(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) return { found: true, expr: p.initializer, node: p };
      if (ts.isShorthandPropertyAssignment(p)) return { found: true, expr: p.name, node: p };
      if (ts.isGetAccessorDeclaration(p)) return { found: true, expr: returnedExpression(p), node: p };
      return { found: true, node: p };
    }
    return { found: false };
  }
  for (const m of node.members) {
    if (nameText(m.name) === name) {
      if (ts.isPropertyDeclaration(m)) return { found: true, expr: m.initializer ?? assignedInConstructor(node, name), node: m };
      if (ts.isGetAccessorDeclaration(m)) return { found: true, expr: returnedExpression(m), node: m };
      return { found: true, node: m };
    }
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (nameText(p.name) === name && ts.getModifiers(p)?.length) return { found: true, node: p };
      }
    }
  }
  return { found: false };
}

function assignedInConstructor(cls: ts.ClassLikeDeclaration, name: string): ts.Expression | undefined {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  for (const st of ctor?.body?.statements ?? []) {
    if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression)) continue;
    const { left, operatorToken, right } = st.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name) return right;
  }
  return undefined;
}

function returnedExpression(getter: ts.GetAccessorDeclaration): ts.Expression | undefined {
  const st = getter.body?.statements.find(ts.isReturnStatement);
  return st?.expression;
}

/** Dotted path of a callee, `this` dropped: `this.cloud.ec2.run` → [cloud, ec2, run]; undefined for computed callees. */
export function calleePath(expr: ts.Expression): string[] | undefined {
  const out: string[] = [];
  let e: ts.Expression = expr;
  for (;;) {
    if (ts.isPropertyAccessExpression(e)) {
      out.unshift(e.name.text);
      e = e.expression;
    } else if (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) {
      e = e.expression;
    } else if (ts.isIdentifier(e)) {
      out.unshift(e.text);
      return out;
    } else if (e.kind === ts.SyntaxKind.ThisKeyword) {
      return out;
    } else if (ts.isCallExpression(e) && out.length > 0) {
      // client().send → treat the call result as its callee path
      e = e.expression;
    } else {
      return undefined;
    }
  }
}

/** Visits every descendant, not descending into nested classes (their methods are other procedures). */
export function walk(node: ts.Node, visit: (n: ts.Node) => boolean | void): void {
  const rec = (n: ts.Node): void => {
    if (visit(n) === false) return;
    if (ts.isClassLike(n)) return;
    ts.forEachChild(n, rec);
  };
  ts.forEachChild(node, rec);
}

export function isStringLike(e: ts.Expression | undefined): e is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return !!e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e));
}

export function lineIndent(text: string, pos: number): { lineStart: number; indent: string } {
  let lineStart = pos;
  while (lineStart > 0 && text[lineStart - 1] !== '\n') lineStart--;
  let i = lineStart;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return { lineStart, indent: text.slice(lineStart, i) };
}
