import { ts } from 'ts-morph';
import { isAwaitedOrReturned } from '../externalCalls';
import { reachContext, wrapInTraceFix } from '../fixes';
import type { IndexedProcedure } from '../procedureIndex';
import type { RuleContext } from '../ruleContext';
import { isSpanScopeCall, stepContextAccess } from '../stepContextAccess';
import { asFunction } from '../tsUtil';

/** untraced-external-call: awaited I/O in a procedure that is not inside a child span. */
export function checkUntracedCalls(proc: IndexedProcedure, rc: RuleContext): void {
  const fn = proc.fn;
  if (!fn.body) return;
  const acc = stepContextAccess(fn);
  const label = proc.info.id.value ?? proc.info.name ?? 'step';
  const visit = (n: ts.Node): void => {
    if (ts.isClassLike(n)) return;
    if (ts.isCallExpression(n)) {
      if (isSpanScopeCall(acc, n)) {
        // function arguments run inside a child span; the other arguments do not
        visit(n.expression);
        for (const a of n.arguments) if (!asFunction(a)) visit(a);
        return;
      }
      const name = rc.externals.externalName(n);
      if (name && (isAwaitedOrReturned(n) || rc.externals.viaPackage(n))) {
        const reach = reachContext(fn, acc, rc.sf, rc.runtime, proc.info.kind === 'helper');
        rc.report(
          'untraced-external-call',
          n,
          `Procedure ${label} calls ${name} outside a child span: the trace will not show this request, its duration or its failure.`,
          proc.info.key,
          [wrapInTraceFix(n, reach, rc.sf, name)],
        );
      }
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
}
