import { ts } from 'ts-morph';
import { compileCallPatterns, compileModulePatterns, type LintConfig } from './lintConfig';
import { calleePath, nameText } from './tsUtil';

/** Decides which calls of one file do I/O: by callee pattern, or through values of I/O modules. */
export class ExternalCallMatcher {
  private readonly matchPath: (segments: readonly string[]) => boolean;
  /** Local names bound to imports of external modules, and variables/fields made with `new` of them. */
  private readonly externalLocals = new Set<string>();
  /** Local names bound to any package import (not relative): `fs`, `@aws-sdk/client-s3`, … */
  private readonly packageLocals = new Set<string>();

  constructor(sf: ts.SourceFile, config: LintConfig) {
    this.matchPath = compileCallPatterns(config.externalCalls);
    const isExternalModule = compileModulePatterns(config.externalModules);
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.importClause?.isTypeOnly) continue;
      const spec = st.moduleSpecifier.text;
      const locals = importedLocals(st);
      if (!spec.startsWith('.')) for (const l of locals) this.packageLocals.add(l);
      if (isExternalModule(spec)) for (const l of locals) this.externalLocals.add(l);
    }
    if (this.externalLocals.size > 0) this.collectConstructed(sf);
  }

  private collectConstructed(sf: ts.SourceFile): void {
    const visit = (n: ts.Node): void => {
      let target: string | undefined;
      let init: ts.Expression | undefined;
      if (ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n)) {
        target = nameText(n.name);
        init = n.initializer;
      } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
        target = n.left.name.text;
        init = n.right;
      }
      if (target && init && ts.isNewExpression(init)) {
        const root = calleePath(init.expression)?.[0];
        if (root && this.externalLocals.has(root)) this.externalLocals.add(target);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  /** The callee's display name when the call is external, else undefined. */
  externalName(call: ts.CallExpression): string | undefined {
    const path = calleePath(call.expression);
    if (!path || path.length === 0) return undefined;
    if (this.matchPath(path) || this.externalLocals.has(path[0]!)) return path.slice(-2).join('.');
    return undefined;
  }

  /** True when the callee's root is a package import (`fs.writeFile`, `client.send` of an SDK). */
  viaPackage(call: ts.CallExpression): boolean {
    const root = calleePath(call.expression)?.[0];
    return root !== undefined && (this.packageLocals.has(root) || this.externalLocals.has(root));
  }
}

function importedLocals(st: ts.ImportDeclaration): string[] {
  const clause = st.importClause;
  if (!clause) return [];
  const out: string[] = [];
  if (clause.name) out.push(clause.name.text);
  const b = clause.namedBindings;
  if (b && ts.isNamespaceImport(b)) out.push(b.name.text);
  else if (b) for (const el of b.elements) if (!el.isTypeOnly) out.push(el.name.text);
  return out;
}

/** True when the call's value is awaited, returned, or chained with `.then`, before the statement ends. */
export function isAwaitedOrReturned(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (n.parent) {
    const p = n.parent;
    if (ts.isAwaitExpression(p) || ts.isReturnStatement(p)) return true;
    if (ts.isArrowFunction(p)) return p.body === n;
    if (ts.isPropertyAccessExpression(p) && (p.name.text === 'then' || p.name.text === 'promise')) return true;
    if (ts.isStatement(p) || ts.isFunctionLike(p) || ts.isClassLike(p)) return false;
    n = p;
  }
  return false;
}
