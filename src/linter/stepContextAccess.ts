import { ts } from 'ts-morph';
import { calleePath, nameText, walk, type FunctionNode } from './tsUtil';

const SPAN_METHODS = new Set(['setAttribute', 'setAttributes', 'addEvent', 'recordException', 'setStatus', 'updateName', 'addLink', 'addLinks']);
const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const TRACER_METHODS = new Set(['startSpan', 'startActiveSpan']);

/**
 * How a `do()` reaches its StepContext: the parameter's name, and the local names bound to its
 * `span`, `log`, `trace` and `tracer` (destructured in the parameter or from the parameter).
 */
export interface StepContextAccess {
  param?: string;
  /** True when the first parameter is a destructuring pattern. */
  destructured: boolean;
  span: Set<string>;
  log: Set<string>;
  trace: Set<string>;
  tracer: Set<string>;
}

export function stepContextAccess(fn: FunctionNode): StepContextAccess {
  const acc: StepContextAccess = { destructured: false, span: new Set(), log: new Set(), trace: new Set(), tracer: new Set() };
  const p = fn.parameters[0];
  if (p && ts.isIdentifier(p.name)) acc.param = p.name.text;
  else if (p && ts.isObjectBindingPattern(p.name)) {
    acc.destructured = true;
    bindPattern(p.name, acc);
  }
  if (acc.param && fn.body) {
    const param = acc.param;
    walk(fn.body, (n) => {
      if (!ts.isVariableDeclaration(n) || !n.initializer) return;
      const init = n.initializer;
      if (ts.isIdentifier(init) && init.text === param && ts.isObjectBindingPattern(n.name)) bindPattern(n.name, acc);
      else if (ts.isPropertyAccessExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === param && ts.isIdentifier(n.name)) {
        addMember(acc, init.name.text, n.name.text);
      }
    });
  }
  return acc;
}

function bindPattern(pattern: ts.ObjectBindingPattern, acc: StepContextAccess): void {
  for (const el of pattern.elements) {
    const member = nameText(el.propertyName ?? el.name);
    if (member && ts.isIdentifier(el.name)) addMember(acc, member, el.name.text);
  }
}

function addMember(acc: StepContextAccess, member: string, local: string): void {
  if (member === 'span' || member === 'log' || member === 'trace' || member === 'tracer') acc[member].add(local);
}

/** The parts of a callee path relative to the context: `ctx.span.setAttribute` → [span, setAttribute]. */
function contextPath(acc: StepContextAccess, path: string[]): string[] | undefined {
  const [root, ...rest] = path;
  if (root === undefined) return undefined;
  if (acc.param !== undefined && root === acc.param) return rest;
  for (const member of ['span', 'log', 'trace', 'tracer'] as const) if (acc[member].has(root)) return [member, ...rest];
  return undefined;
}

function isContextValue(acc: StepContextAccess, e: ts.Expression): boolean {
  const path = calleePath(e);
  if (!path) return false;
  const rel = contextPath(acc, path);
  return !!rel && (rel.length === 0 || (rel.length === 1 && (rel[0] === 'span' || rel[0] === 'tracer' || rel[0] === 'log')));
}

/** A call that records something on the step's span, or hands the context to code that can. */
export function isInstrumentingCall(acc: StepContextAccess, call: ts.CallExpression): boolean {
  const path = calleePath(call.expression);
  const rel = path && contextPath(acc, path);
  if (rel) {
    const [member, method] = rel;
    if (member === 'trace' && rel.length === 1) return true;
    if (member === 'span' && method && SPAN_METHODS.has(method)) return true;
    if (member === 'log' && method && LOG_LEVELS.has(method)) return true;
    if (member === 'tracer' && method && TRACER_METHODS.has(method)) return true;
  }
  return call.arguments.some((a) => isContextValue(acc, a));
}

/** A call whose function arguments run inside a child span: `ctx.trace`, `startActiveSpan`, or a helper given the context. */
export function isSpanScopeCall(acc: StepContextAccess, call: ts.CallExpression): boolean {
  const path = calleePath(call.expression);
  const rel = path && contextPath(acc, path);
  if (rel && rel[0] === 'trace' && rel.length === 1) return true;
  if (path && path[path.length - 1] === 'startActiveSpan') return true;
  return call.arguments.some((a) => isContextValue(acc, a));
}

/** Source text that reaches the step's span here, or undefined when the context is not reachable. */
export function spanExpression(acc: StepContextAccess): string | undefined {
  if (acc.param) return `${acc.param}.span`;
  const [span] = acc.span;
  return span;
}

/** Source text of the trace helper, or undefined. */
export function traceExpression(acc: StepContextAccess): string | undefined {
  if (acc.param) return `${acc.param}.trace`;
  const [trace] = acc.trace;
  return trace;
}
