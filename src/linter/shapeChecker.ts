import { ts } from 'ts-morph';
import { nameText } from './tsUtil';

/** Module specifiers that mean "the runtime": `instrument-first` and its subpaths. */
export function isRuntimeModule(specifier: string): boolean {
  return specifier === 'instrument-first' || specifier.startsWith('instrument-first/');
}

/** Local names a file binds to the runtime's types and helpers. */
export interface RuntimeImports {
  procedureTypes: Set<string>;
  planTypes: Set<string>;
  procedureHelpers: Set<string>;
  planHelpers: Set<string>;
  /** `import * as rt from 'instrument-first'` → `rt`. */
  namespaces: Set<string>;
  /** The specifier node of the first runtime import, to reach the runtime's exports through the checker. */
  specifier?: ts.StringLiteral;
  /** The local name of StepContext when imported (used by fixes that add a ctx parameter). */
  stepContext?: string;
  /** The import declaration a fix can add names to. */
  declaration?: ts.ImportDeclaration;
}

export function readRuntimeImports(sf: ts.SourceFile): RuntimeImports {
  const r: RuntimeImports = { procedureTypes: new Set(), planTypes: new Set(), procedureHelpers: new Set(), planHelpers: new Set(), namespaces: new Set() };
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !isRuntimeModule(st.moduleSpecifier.text)) continue;
    r.specifier ??= st.moduleSpecifier;
    const bindings = st.importClause?.namedBindings;
    if (!bindings) continue;
    if (ts.isNamespaceImport(bindings)) {
      r.namespaces.add(bindings.name.text);
      continue;
    }
    r.declaration ??= st;
    for (const el of bindings.elements) {
      const imported = (el.propertyName && nameText(el.propertyName)) ?? el.name.text;
      const local = el.name.text;
      if (imported === 'Procedure') r.procedureTypes.add(local);
      else if (imported === 'Plan') r.planTypes.add(local);
      else if (imported === 'procedure') r.procedureHelpers.add(local);
      else if (imported === 'plan') r.planHelpers.add(local);
      else if (imported === 'StepContext') r.stepContext = local;
    }
  }
  return r;
}

/** True when `expr` names one of `locals`, directly or as `ns.<member>` of a runtime namespace import. */
export function refersTo(expr: ts.Expression, locals: Set<string>, rt: RuntimeImports, member: string): boolean {
  if (ts.isIdentifier(expr)) return locals.has(expr.text);
  if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) return rt.namespaces.has(expr.expression.text) && expr.name.text === member;
  return false;
}

/**
 * Asks the type checker whether a class or object literal has the runtime's Procedure or Plan
 * shape. Only candidates that already look right syntactically get here, so the checker only
 * resolves the few types it is asked about instead of checking the whole program.
 */
export class ShapeChecker {
  private targets: { procedure?: ts.Type; plan?: ts.Type } | undefined;

  private get checker(): ts.TypeChecker {
    return this.getChecker();
  }

  constructor(
    /** Created on first use: an edit that needs no checker does not pay for a new program. */
    private readonly getChecker: () => ts.TypeChecker,
    /** Finds any runtime import specifier in the program, lazily. */
    private readonly findRuntimeSpecifier: () => ts.StringLiteral | undefined,
  ) {}

  private resolveTargets(): { procedure?: ts.Type; plan?: ts.Type } {
    if (this.targets) return this.targets;
    this.targets = {};
    const spec = this.findRuntimeSpecifier();
    const moduleSymbol = spec && this.checker.getSymbolAtLocation(spec);
    if (moduleSymbol) {
      for (const sym of this.checker.getExportsOfModule(moduleSymbol)) {
        const name = sym.getName();
        if (name !== 'Procedure' && name !== 'Plan') continue;
        const target = sym.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(sym) : sym;
        const type = this.checker.getDeclaredTypeOfSymbol(target);
        if (name === 'Procedure') this.targets.procedure = type;
        else this.targets.plan = type;
      }
    }
    return this.targets;
  }

  /** undefined when the runtime is not part of the program: callers fall back to syntax. */
  matches(node: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression, shape: 'procedure' | 'plan'): boolean | undefined {
    const target = this.resolveTargets()[shape];
    if (!target) return undefined;
    const type = this.instanceType(node);
    return type ? this.checker.isTypeAssignableTo(type, target) : false;
  }

  private instanceType(node: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression): ts.Type | undefined {
    if (ts.isObjectLiteralExpression(node)) return this.checker.getTypeAtLocation(node);
    if (node.name) {
      const sym = this.checker.getSymbolAtLocation(node.name);
      return sym && this.checker.getDeclaredTypeOfSymbol(sym);
    }
    const ctorType = this.checker.getTypeAtLocation(node);
    return ctorType.getConstructSignatures()[0]?.getReturnType();
  }
}
