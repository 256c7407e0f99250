import { ts } from 'ts-morph';
import { reachContext, spanAttributesFix } from '../fixes';
import type { IndexedProcedure } from '../procedureIndex';
import type { RuleContext } from '../ruleContext';
import { isInstrumentingCall, stepContextAccess } from '../stepContextAccess';
import { walk } from '../tsUtil';

/** uninstrumented-procedure: do() records nothing on its span, so the span shows only timing. */
/** Returns whether the procedure is instrumented (reported or not). */
export function checkUninstrumented(proc: IndexedProcedure, rc: RuleContext): boolean {
  const fn = proc.fn;
  const acc = stepContextAccess(fn);
  let instrumented = false;
  if (fn.body && (acc.param || acc.destructured)) {
    walk(fn.body, (n) => {
      if (instrumented) return false;
      if (ts.isCallExpression(n) && isInstrumentingCall(acc, n)) instrumented = true;
      return undefined;
    });
  }
  if (instrumented) return true;
  if (rc.config.severity['uninstrumented-procedure'] === 'off') return false;
  const at = anchorOf(proc);
  const label = proc.info.id.value ?? proc.info.name ?? 'step';
  const cls = ts.isClassLike(proc.container) ? proc.container : undefined;
  const reach = reachContext(fn, acc, rc.sf, rc.runtime, proc.info.kind === 'helper');
  rc.report(
    'uninstrumented-procedure',
    at,
    `Procedure ${label} records nothing on its span (no attribute, event, child span, ctx.trace or log line): its span will show only timing.`,
    proc.info.key,
    [spanAttributesFix(fn, cls, reach, rc.sf, rc.checker, label)],
  );
  return false;
}

/** Where the finding points: the `do` name, or the helper's id argument. */
export function anchorOf(proc: IndexedProcedure): ts.Node {
  if (ts.isCallExpression(proc.container)) return proc.container.arguments[0] ?? proc.container;
  const fn = proc.fn;
  if (ts.isMethodDeclaration(fn)) return fn.name;
  const p = fn.parent;
  if (ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) return p.name;
  return fn;
}
