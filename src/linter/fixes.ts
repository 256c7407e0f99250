import { ts } from 'ts-morph';
import type { RuntimeImports } from './shapeChecker';
import { spanExpression, traceExpression, type StepContextAccess } from './stepContextAccess';
import { lineIndent, nameText, type FunctionNode } from './tsUtil';
import type { Fix, RuleId, TextEdit } from '../protocol/lintTypes';

export const IGNORE_MARKER = 'instrument-first-ignore';

/** `// instrument-first-ignore <rule>` on its own line above the line at `pos`. */
export function ignoreFix(text: string, pos: number, rule: RuleId): Fix {
  const { lineStart, indent } = lineIndent(text, pos);
  return {
    kind: 'add-ignore-comment',
    title: `Ignore ${rule} here (// ${IGNORE_MARKER} ${rule})`,
    edits: [{ start: lineStart, end: lineStart, newText: `${indent}// ${IGNORE_MARKER} ${rule}\n` }],
  };
}

/** How a fix reaches the step's context: expressions for its span and trace, and the edits that make them exist. */
export interface ContextReach {
  span?: string;
  trace?: string;
  edits: TextEdit[];
}

/**
 * Expressions for `ctx.span` / `ctx.trace` inside `fn`; when `fn` takes no parameter, adds a
 * `ctx` parameter (typed `StepContext` unless the function is a helper's callback, which is
 * typed from context) and the import it needs.
 */
export function reachContext(fn: FunctionNode, acc: StepContextAccess, sf: ts.SourceFile, rt: RuntimeImports, contextuallyTyped: boolean): ContextReach {
  if (fn.parameters.length > 0) return { span: spanExpression(acc), trace: traceExpression(acc), edits: [] };
  const edits: TextEdit[] = [];
  let annotation = '';
  if (!contextuallyTyped) {
    const typeName = rt.stepContext ?? 'StepContext';
    annotation = `: ${typeName}`;
    if (!rt.stepContext) edits.push(stepContextImport(sf, rt));
  }
  if (ts.isArrowFunction(fn) && fn.parameters.length === 0 && sf.text[fn.parameters.pos - 1] !== '(') return { edits: [] };
  edits.push({ start: fn.parameters.pos, end: fn.parameters.pos, newText: `ctx${annotation}` });
  return { span: 'ctx.span', trace: 'ctx.trace', edits };
}

function stepContextImport(sf: ts.SourceFile, rt: RuntimeImports): TextEdit {
  const bindings = rt.declaration?.importClause?.namedBindings;
  if (rt.declaration && bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0) {
    const typeOnly = rt.declaration.importClause?.isTypeOnly;
    const end = bindings.elements.end;
    return { start: end, end, newText: typeOnly ? ', StepContext' : ', type StepContext' };
  }
  return { start: 0, end: 0, newText: `import type { StepContext } from 'instrument-first';\n` };
}

const PRIMITIVE =
  ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean | ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral |
  ts.TypeFlags.BooleanLiteral | ts.TypeFlags.EnumLiteral | ts.TypeFlags.Enum | ts.TypeFlags.Undefined | ts.TypeFlags.TemplateLiteral;

/** string/number/boolean (or unions of them, possibly with undefined): a valid span attribute value. */
function isPrimitive(t: ts.Type): boolean {
  if (t.isUnion()) return t.types.every(isPrimitive) && !t.types.every((u) => u.flags & ts.TypeFlags.Undefined);
  return (t.flags & PRIMITIVE) !== 0 && (t.flags & ts.TypeFlags.Undefined) === 0;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `this.<field>` attributes of a class procedure: primitive fields, and primitive members of object fields. */
function inputAttributes(cls: ts.ClassLikeDeclaration, checker: ts.TypeChecker): [string, string][] {
  const out: [string, string][] = [];
  const fields: ts.NamedDeclaration[] = [];
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && !ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) fields.push(m);
    if (ts.isConstructorDeclaration(m)) for (const p of m.parameters) if (ts.getModifiers(p)?.length) fields.push(p);
  }
  for (const f of fields) {
    const name = nameText(f.name);
    if (!name || name === 'id' || !IDENT.test(name) || !f.name) continue;
    const type = checker.getTypeAtLocation(f.name);
    if (type.getCallSignatures().length > 0) continue;
    if (isPrimitive(type)) out.push([name, `this.${name}`]);
    else if (type.flags & ts.TypeFlags.Object && !checker.isArrayType(type)) {
      for (const prop of type.getProperties().slice(0, 12)) {
        const pName = prop.getName();
        // methods and accessors are not inputs; skipping them before asking for a type saves resolving signatures
        if (!(prop.flags & ts.SymbolFlags.Property) || !IDENT.test(pName)) continue;
        if (prop.valueDeclaration && ts.getCombinedModifierFlags(prop.valueDeclaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        if (isPrimitive(checker.getTypeOfSymbolAtLocation(prop, f.name))) out.push([`${name}.${pName}`, `this.${name}.${pName}`]);
      }
    }
    if (out.length >= 6) break;
  }
  return out.slice(0, 6);
}

/** Top-level `const x = await …` (and `const { a, b } = await …`) whose values are primitive. */
function resultAttributes(fn: FunctionNode, checker: ts.TypeChecker): { after: ts.Statement; names: string[] }[] {
  const out: { after: ts.Statement; names: string[] }[] = [];
  if (!fn.body || !ts.isBlock(fn.body)) return out;
  for (const st of fn.body.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const names: string[] = [];
    for (const d of st.declarationList.declarations) {
      if (!d.initializer || !ts.isAwaitExpression(d.initializer)) continue;
      const ids = ts.isIdentifier(d.name) ? [d.name] : ts.isObjectBindingPattern(d.name) ? d.name.elements.map((e) => e.name).filter(ts.isIdentifier) : [];
      for (const id of ids) if (isPrimitive(checker.getTypeAtLocation(id))) names.push(id.text);
    }
    if (names.length) out.push({ after: st, names });
  }
  return out;
}

/** Adds `span.setAttributes({...})` from the step's inputs at the start of `do()`, and attributes for awaited results. */
export function spanAttributesFix(
  fn: FunctionNode,
  cls: ts.ClassLikeDeclaration | undefined,
  reach: ContextReach,
  sf: ts.SourceFile,
  checker: ts.TypeChecker,
  label: string,
): Fix | undefined {
  if (!reach.span || !fn.body || !ts.isBlock(fn.body)) return undefined;
  const text = sf.text;
  const body = fn.body;
  const first = body.statements[0];
  const indent = first ? lineIndent(text, first.getStart(sf)).indent : lineIndent(text, body.getStart(sf)).indent + '  ';
  const edits = [...reach.edits];
  const inputs = cls ? inputAttributes(cls, checker) : [];
  const open = body.getStart(sf) + 1;
  let head = '';
  if (inputs.length) head = `\n${indent}${reach.span}.setAttributes({ ${inputs.map(([k, v]) => `'${k}': ${v}`).join(', ')} });`;
  const results = resultAttributes(fn, checker);
  for (const r of results) {
    const ind = lineIndent(text, r.after.getStart(sf)).indent;
    const lines = r.names.map((n) => `\n${ind}${reach.span}.setAttribute('result.${n}', ${n});`).join('');
    edits.push({ start: r.after.end, end: r.after.end, newText: lines });
  }
  if (!inputs.length && !results.length) head = `\n${indent}${reach.span}.addEvent('${label.replace(/['\\\n]/g, '')} started');`;
  if (head && !first && !text.slice(open, body.end - 1).includes('\n')) head += `\n${lineIndent(text, body.getStart(sf)).indent}`;
  if (head) edits.push({ start: open, end: open, newText: head });
  return { kind: 'add-span-attributes', title: inputs.length || results.length ? 'Add span attributes from the step\'s inputs and results' : 'Record an event on the step\'s span', edits, preferred: true };
}

/** `await x.call()` → `await ctx.trace('x.call', () => x.call())`. */
export function wrapInTraceFix(call: ts.CallExpression, reach: ContextReach, sf: ts.SourceFile, name: string): Fix | undefined {
  if (!reach.trace) return undefined;
  const parent = call.parent;
  if (!ts.isAwaitExpression(parent)) return undefined;
  const start = call.getStart(sf);
  const callText = sf.text.slice(start, call.end);
  return {
    kind: 'wrap-in-trace',
    title: `Wrap the call in ${reach.trace}('${name}', …)`,
    edits: [...reach.edits, { start, end: call.end, newText: `${reach.trace}('${name}', () => ${callText})` }],
    preferred: true,
  };
}

/** Records the caught error on the step's span at the start of the handler. */
export function recordExceptionFix(handler: ts.CatchClause | FunctionNode, reach: ContextReach, sf: ts.SourceFile): Fix | undefined {
  if (!reach.span) return undefined;
  const text = sf.text;
  const edits = [...reach.edits];
  // Records the exception *and* marks the span as failed: an exception event alone leaves the
  // status unset, which other OpenTelemetry tools show as a success.
  const record = (v: string, sep = ' '): string =>
    `${reach.span}.recordException(${v} instanceof Error ? ${v} : String(${v}));${sep}${reach.span}.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: String(${v}) });`;
  let block: ts.Block | undefined;
  let errName: string;
  if (ts.isCatchClause(handler)) {
    block = handler.block;
    const decl = handler.variableDeclaration;
    if (decl && !ts.isIdentifier(decl.name)) return undefined;
    errName = decl && ts.isIdentifier(decl.name) ? decl.name.text : 'error';
    if (!decl) {
      const at = handler.getStart(sf) + 'catch'.length;
      edits.push({ start: at, end: at, newText: ` (${errName})` });
    }
  } else {
    const p = handler.parameters[0];
    if (p && !ts.isIdentifier(p.name)) return undefined;
    errName = p && ts.isIdentifier(p.name) ? p.name.text : 'error';
    if (!p) {
      if (ts.isArrowFunction(handler) && text[handler.parameters.pos - 1] !== '(') return undefined;
      edits.push({ start: handler.parameters.pos, end: handler.parameters.pos, newText: `${errName}: unknown` });
    }
    if (handler.body && !ts.isBlock(handler.body)) {
      const b = handler.body;
      edits.push({ start: b.getStart(sf), end: b.end, newText: `{ ${record(errName)} return ${text.slice(b.getStart(sf), b.end)}; }` });
      return { kind: 'record-exception', title: 'Record the error on the step\'s span (exception and status)', edits, preferred: true };
    }
    block = handler.body && ts.isBlock(handler.body) ? handler.body : undefined;
  }
  if (!block) return undefined;
  const first = block.statements[0];
  const outer = lineIndent(text, block.getStart(sf)).indent;
  const indent = first ? lineIndent(text, first.getStart(sf)).indent : outer + '  ';
  const open = block.getStart(sf) + 1;
  const tail = first ? '' : `\n${outer}`;
  const closeSameLine = !first && !text.slice(open, block.end - 1).includes('\n');
  edits.push({ start: open, end: open, newText: `\n${indent}${record(errName, `\n${indent}`)}${closeSameLine ? tail : ''}` });
  return { kind: 'record-exception', title: 'Record the error on the step\'s span (exception and status)', edits, preferred: true };
}
